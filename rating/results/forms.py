"""The public's forms during notice (公示): an objection (异议) from anyone, and a warned holder's reply (申辩)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional


class ObjectionForm(FlaskForm):
    #: Choices (the posts of the draft in notice) are set by the view.
    post = SelectField(_l("涉及的岗位(选填)"), validators=[Optional()])
    text = TextAreaField(
        _l("异议内容(请写明事实和理由)"),
        validators=[
            InputRequired(_l("请用 10–2000 字写明异议的事实和理由。")),
            Length(min=10, max=2000, message=_l("请用 10–2000 字写明异议的事实和理由。")),
        ],
    )
    contact = StringField(
        _l("联系方式(选填,仅效能办可见,用于核实情况)"),
        validators=[Optional(), Length(max=100, message=_l("联系方式不能超过 100 个字。"))],
    )


class ReplyForm(FlaskForm):
    text = TextAreaField(
        _l("申辩内容"),
        validators=[
            InputRequired(_l("请用 10–4000 字写明申辩的事实和理由。")),
            Length(min=10, max=4000, message=_l("请用 10–4000 字写明申辩的事实和理由。")),
        ],
    )
