from functools import lru_cache

from flask import g, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
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


# --- the common case without building the form ------------------------------------------------------------------

#: The field types and validators ``plainly_valid`` knows how to read; a form holding anything else is always built.
_TEXT_FIELDS = (StringField, TextAreaField)
_KNOWN_VALIDATORS = (InputRequired, Length, Optional)


def _field_rule(unbound: UnboundField):
    """How one field of the form accepts its value plainly, read from its own declaration (choices, validators), or
    None when it is of a kind this does not read."""
    kwargs = unbound.kwargs
    validators = kwargs.get("validators") or []
    if unbound.args[1:] or not all(type(v) in _KNOWN_VALIDATORS for v in validators):
        return None
    optional = any(isinstance(v, Optional) for v in validators)
    if (
        unbound.field_class is RadioField
        and kwargs.get("coerce") is int
        and set(kwargs) <= {"choices", "coerce", "validators"}
    ):
        values = {str(choice.value): choice.value for choice in kwargs["choices"]}
        return ("choice", optional, values)
    if unbound.field_class in _TEXT_FIELDS and set(kwargs) <= {"validators"}:
        lengths = [(v.min, v.max) for v in validators if isinstance(v, Length)]
        return ("text", optional, lengths)
    return None


@lru_cache(maxsize=8)
def _rules(form_class) -> dict | None:
    rules = {}
    for name in dir(form_class):
        unbound = getattr(form_class, name)
        if isinstance(unbound, UnboundField):
            rules[name] = _field_rule(unbound)
            if rules[name] is None:
                return None
    return rules


def _plain_value(rule, raw: list):
    """The field's data when its raw value is plainly one WTForms accepts as it stands; ``_NOT_PLAIN`` otherwise."""
    kind, optional, spec = rule
    if not raw or not raw[0]:  # left out (an unchecked choice) or left blank (a text box): fine where Optional
        if not optional or (raw and kind == "choice"):
            return _NOT_PLAIN
        return "" if raw else None
    if kind == "choice":
        return spec.get(raw[0], _NOT_PLAIN)
    text = raw[0]
    fits = all((low == -1 or len(text) >= low) and (high == -1 or len(text) <= high) for low, high in spec)
    return text if fits else _NOT_PLAIN


_NOT_PLAIN = object()


def plainly_valid(form_class) -> dict | None:
    """The data of the posted form when every field is plainly valid, read from the request without building the
    form; None otherwise, and the form is then built, validated and shown with its errors as always.

    The rating form is built on every rating only to find the common case valid: this reads that case (a listed
    choice as sent, a text within its lengths) under the form's own declared choices and validators, so a rule
    still lives once, in the form. It answers only what WTForms would answer too, and leaves it the rest: anything
    else (a value to coerce, a blank optional choice, a file, an unknown kind of field or validator, a request whose
    CSRF token Flask-WTF has not already found valid) is None."""
    rules = _rules(form_class)
    if rules is None or not g.get("csrf_valid") or request.method != "POST" or request.files:
        return None
    formdata = request.form
    data = {}
    for name, rule in rules.items():
        value = _plain_value(rule, formdata.getlist(name))
        if value is _NOT_PLAIN:
            return None
        data[name] = value
    return data
