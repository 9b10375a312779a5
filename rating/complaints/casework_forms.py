"""Forms and labels of the complaint centre's casework pages (投诉案件办理). Emptiness and length of the texts are
checked by ``rating.services.complaints``, so that its messages are the ones the user sees."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional

from rating.labels.complaints import (  # noqa: F401  (re-exported for casework.py)
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    FINDING_LABELS,
    STATUS_LABELS,
)
from rating.models.complaints import ComplaintChannel

#: The channels a handler keys in; online complaints come in through the public form.
INTAKE_CHANNELS = (ComplaintChannel.PHONE, ComplaintChannel.VISIT, ComplaintChannel.LETTER)


class IntakeForm(FlaskForm):
    channel = SelectField(
        _l("投诉渠道"), choices=[SelectChoice(channel.value, CHANNEL_LABELS[channel]) for channel in INTAKE_CHANNELS]
    )
    #: Pickers (rating.views.pick): a code, or a name to search (婚姻登记), which becomes the code chosen.
    post_code = StringField(_l("被投诉岗位(编号或名称)"), validators=[Optional(), Length(max=100)])
    unit_code = StringField(_l("被投诉单位(不针对具体岗位时填写,编号或名称)"), validators=[Optional(), Length(max=100)])
    category = SelectField(
        _l("问题类别"), choices=[SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()]
    )
    text = TextAreaField(_l("投诉内容"))
    name = StringField(_l("投诉人姓名(可不填)"), validators=[Optional(), Length(max=50)])
    phone = StringField(_l("投诉人电话(可不填)"), validators=[Optional(), Length(max=30)])


class ReferForm(FlaskForm):
    note = TextAreaField(_l("转办意见"), validators=[Length(max=2000)])


class ProgressForm(FlaskForm):
    note = TextAreaField(_l("办理情况"), validators=[Length(max=2000)])


class ConclusionForm(FlaskForm):
    finding = RadioField(
        _l("核查结论"),
        choices=[SelectChoice(finding.value, label) for finding, label in FINDING_LABELS.items()],
        validators=[InputRequired(_l("请选择核查结论。"))],
    )
    reply = TextAreaField(_l("给投诉人的答复"), validators=[Length(max=4000)])
