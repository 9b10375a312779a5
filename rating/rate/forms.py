from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from rating.forms import LEVEL_CHOICES


def _aspect(label):
    return RadioField(label, choices=LEVEL_CHOICES, coerce=int, validators=[Optional()])


class RatingForm(FlaskForm):
    level = RadioField(
        _l("总体评价"), choices=LEVEL_CHOICES, coerce=int, validators=[InputRequired(_l("请选择总体评价。"))]
    )
    attitude = _aspect(_l("服务态度"))
    efficiency = _aspect(_l("办事效率"))
    integrity = _aspect(_l("廉洁自律"))
    competence = _aspect(_l("业务能力"))
    comment = TextAreaField(_l("意见建议(选填,500字以内)"), validators=[Optional(), Length(max=500)])
    code = StringField(_l("评价码(选填,卡片上的10位码)"), validators=[Optional(), Length(max=20)])
    contact = StringField(
        _l("联系方式(选填,仅在不满意时用于回访整改,不会公开)"), validators=[Optional(), Length(max=100)]
    )
    sms_code = StringField(_l("短信验证码"), validators=[Optional(), Length(max=10)])


class PhoneForm(FlaskForm):
    """验证手机: no rating code? A phone confirmed by SMS makes the rating verified too."""

    phone = StringField(_l("手机号码"), validators=[InputRequired(_l("请填写手机号码。")), Length(max=20)])


class ContactForm(FlaskForm):
    """A bad review's contact, left on the receipt afterwards for the unit's follow-up (回访)."""

    contact = StringField(
        _l("联系方式(手机号或电子邮箱,仅用于回访整改,不会公开)"),
        validators=[InputRequired(_l("请填写联系方式。")), Length(max=100)],
    )


class FeedbackForm(FlaskForm):
    level = RadioField(
        _l("您对整改情况是否满意"), choices=LEVEL_CHOICES, coerce=int, validators=[InputRequired(_l("请选择一项。"))]
    )
