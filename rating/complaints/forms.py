"""The complainant's forms: the online complaint (网上投诉), the confidential report (保密举报), tracking a case
(投诉查询) and the return visit (回访)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from rating.labels.complaints import CATEGORY_HINTS, CATEGORY_LABELS  # noqa: F401  (hints used by routes)

#: The five problem areas of SPEC §2; each choice shows its explanation (CATEGORY_HINTS) under it.
CATEGORY_CHOICES = [SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()]


class ComplaintForm(FlaskForm):
    post = StringField(_l("岗位编号(如 DT-001,岗位页面和服务窗口上可见)"), validators=[Optional(), Length(max=20)])
    #: Choices (units with posts) are set by the view.
    unit = SelectField(_l("或选择被投诉的单位"), validators=[Optional()])
    category = RadioField(_l("问题类别"), choices=CATEGORY_CHOICES, validators=[InputRequired(_l("请选择问题类别。"))])
    text = TextAreaField(
        _l("发生了什么(时间、地点、经过)"),
        validators=[
            InputRequired(_l("请用 10–2000 字说明发生了什么。")),
            Length(min=10, max=2000, message=_l("请用 10–2000 字说明发生了什么。")),
        ],
    )
    name = StringField(_l("姓名(选填)"), validators=[Optional(), Length(max=50)])
    phone = StringField(_l("联系电话(选填,用于告知办理结果)"), validators=[Optional(), Length(max=30)])


class ReportForm(ComplaintForm):
    """保密举报: the same fields, always in the 违规违纪 area, so no category to choose."""

    category = None


class TrackForm(FlaskForm):
    case_number = StringField(_l("案件编号"), validators=[InputRequired(_l("请填写案件编号。")), Length(max=20)])
    query_code = StringField(_l("查询码"), validators=[InputRequired(_l("请填写查询码。")), Length(max=20)])


class VisitForm(FlaskForm):
    """The return visit; the case number and query code travel as hidden fields and are checked again."""

    case_number = HiddenField(validators=[InputRequired(), Length(max=20)])
    query_code = HiddenField(validators=[InputRequired(), Length(max=20)])
    satisfied = RadioField(
        _l("您对办理结果是否满意"),
        choices=[SelectChoice("1", _l("满意")), SelectChoice("0", _l("不满意"))],
        validators=[InputRequired(_l("请选择一项。"))],
    )
