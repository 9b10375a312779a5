from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from rating.services.codes import MAX_PER_SHEET

MAX_VALID_DAYS = 365


class IssueCodesForm(FlaskForm):
    """A sheet of rating codes for one post. The post choices are set by the view from what the user may print;
    a post outside them is refused with 403 by the view, not reported as an invalid choice."""

    post = SelectField(_l("岗位"), validate_choice=False, validators=[InputRequired(_l("请选择岗位。"))])
    count = IntegerField(
        _l("评价码数量"),
        default=50,
        validators=[
            InputRequired(_l("请填写评价码数量。")),
            NumberRange(1, MAX_PER_SHEET, _l("每次可生成 1–%(n)d 个评价码。", n=MAX_PER_SHEET)),
        ],
    )
    valid_days = IntegerField(
        _l("有效期(天)"),
        default=30,
        validators=[
            InputRequired(_l("请填写有效期。")),
            NumberRange(1, MAX_VALID_DAYS, _l("有效期须为 1–365 天。")),
        ],
    )
