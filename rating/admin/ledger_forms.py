"""Forms of the accountability ledger (责任追究台账)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from rating.labels.accountability import MEASURE_LABELS


class MeasureForm(FlaskForm):
    measure = SelectField(
        _l("处理措施"),
        choices=[SelectChoice(m.value, label) for m, label in MEASURE_LABELS.items()],
        validators=[DataRequired()],
    )
    note = TextAreaField(_l("处理情况(不予追究的写明理由)"), validators=[Optional(), Length(max=4000)])
    decided_by = StringField(_l("作出决定的机关或人员"), validators=[DataRequired(), Length(max=100)])
    decided_on = DateField(_l("决定日期"), validators=[DataRequired()])
    deadline = DateField(_l("整改期限(可不填)"), validators=[Optional()])


class EvidenceForm(FlaskForm):
    file = FileField(
        _l("整改或处理材料(PDF、PNG 或 JPEG,不超过 5 MB)"),
        validators=[FileRequired(), FileAllowed(["pdf", "png", "jpg", "jpeg"], _l("只接受 PDF、PNG 或 JPEG 文件。"))],
    )
    note = StringField(_l("说明"), validators=[Optional(), Length(max=1000)])


class PublishForm(FlaskForm):
    public = BooleanField(_l("在责任追究通报中公开"))
    name_published = BooleanField(_l("公开姓名(仅限处理决定本身已公开的)"))
    notice_text = TextAreaField(_l("通报内容(不得含投诉人等个人信息)"), validators=[Optional(), Length(max=500)])
