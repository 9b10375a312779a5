"""Forms of the bad-review follow-up pages (差评整改). Emptiness of the texts is checked by the services, so that
their messages are the ones the user sees."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

APPEAL_KIND_LABELS = {"mistaken": _l("误评"), "malicious": _l("恶意评价")}
APPEAL_DECISION_LABELS = {"upheld": _l("申诉成立,该评价不计入"), "rejected": _l("申诉不成立,退回单位整改")}


class RectifyForm(FlaskForm):
    action_taken = TextAreaField(_l("整改情况"), validators=[Length(max=2000)])


class AppealForm(FlaskForm):
    kind = RadioField(
        _l("申诉理由"),
        choices=[SelectChoice(kind, label) for kind, label in APPEAL_KIND_LABELS.items()],
        validators=[InputRequired(_l("请选择申诉理由(误评或恶意评价)。"))],
    )
    text = TextAreaField(_l("情况说明"), validators=[Length(max=2000)])


class DecisionForm(FlaskForm):
    decision = RadioField(
        _l("复核结论"),
        choices=[SelectChoice(decision, label) for decision, label in APPEAL_DECISION_LABELS.items()],
        validators=[InputRequired(_l("请选择复核结论。"))],
    )
    reason = TextAreaField(_l("复核理由"), validators=[Length(max=500)])
