from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional


class FindingForm(FlaskForm):
    #: A picker (rating.views.pick): a post or unit code, or a name to search, which becomes the code chosen.
    target = StringField(_l("岗位或单位(编号或名称)"), validators=[DataRequired(), Length(max=100)])
    found_on = DateField(_l("检查日期"), validators=[DataRequired()])
    kind = SelectField(
        _l("检查方式"), choices=[SelectChoice("undercover", _l("暗访")), SelectChoice("open", _l("明查"))]
    )
    description = TextAreaField(_l("发现的问题"), validators=[DataRequired(), Length(max=2000)])
    deduction_code = SelectField(_l("扣分项"), validators=[Optional()])
    deduction = StringField(_l("自定扣分(选择“自定扣分”时填写)"), validators=[Optional(), Length(max=10)])
    notify = BooleanField(_l("在通报栏公开通报"))
    reason = StringField(_l("修改理由(公示后录入必填)"), validators=[Optional(), Length(max=500)])
