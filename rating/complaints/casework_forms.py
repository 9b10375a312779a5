"""Forms and labels of the complaint centre's casework pages (投诉案件办理). Emptiness and length of the texts are
checked by ``rating.services.complaints``, so that its messages are the ones the user sees."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from rating.labels.complaints import (  # noqa: F401  (re-exported for casework.py)
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    FINDING_LABELS,
    SATISFACTION_LABELS,
    STATUS_LABELS,
)
from rating.models.complaints import ComplaintChannel
from rating.scoring.case_clocks import MAX_EXTENSION_DAYS

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
    #: Only for a case a unit sent back as not its own: where it goes now (empty: the case's own post or unit).
    post_code = StringField(_l("改派岗位编号(可不填)"), validators=[Optional(), Length(max=20)])
    unit_code = StringField(_l("改派单位编号(可不填)"), validators=[Optional(), Length(max=20)])


class SendBackForm(FlaskForm):
    reason = TextAreaField(_l("退回理由"), validators=[Length(max=2000)])


class ExtensionForm(FlaskForm):
    days = IntegerField(
        _l("延期工作日数"),
        validators=[
            InputRequired(_l("请填写延期天数。")),
            NumberRange(1, MAX_EXTENSION_DAYS, _l("延期天数应为 1–%(max)s 个工作日。")),
        ],
    )
    reason = TextAreaField(_l("延期理由"), validators=[Length(max=2000)])


class ExtensionDecisionForm(FlaskForm):
    decision = RadioField(
        _l("审批意见"),
        choices=[SelectChoice("approve", _l("同意延期")), SelectChoice("refuse", _l("不同意延期"))],
        validators=[InputRequired(_l("请选择同意或不同意。"))],
    )
    note = TextAreaField(_l("说明(不同意时必填)"), validators=[Length(max=2000)])


class ReturnCallForm(FlaskForm):
    reached = RadioField(
        _l("电话回访"),
        choices=[SelectChoice("1", _l("已接通")), SelectChoice("0", _l("未接通"))],
        validators=[InputRequired(_l("请选择是否接通。"))],
    )
    satisfaction = RadioField(
        _l("投诉人的评价(接通时填写)"),
        choices=[SelectChoice(grade.value, label) for grade, label in SATISFACTION_LABELS.items()],
        validators=[Optional()],
    )
    note = TextAreaField(_l("回访记录"), validators=[Length(max=2000)])


class ProgressForm(FlaskForm):
    note = TextAreaField(_l("办理情况"), validators=[Length(max=2000)])


class ConclusionForm(FlaskForm):
    finding = RadioField(
        _l("核查结论"),
        choices=[SelectChoice(finding.value, label) for finding, label in FINDING_LABELS.items()],
        validators=[InputRequired(_l("请选择核查结论。"))],
    )
    reply = TextAreaField(_l("给投诉人的答复"), validators=[Length(max=4000)])


class PublicTextForm(FlaskForm):
    """公开审核: the text the public will read, as the handler edits it (names and numbers are masked again)."""

    public_text = TextAreaField(_l("公开内容(已遮盖姓名和号码,可再修改)"), validators=[Length(max=2000)])


class ToCentreForm(FlaskForm):
    """转投诉中心: the discipline commission hands a report that is no matter of discipline to the centre."""

    category = SelectField(
        _l("问题类别"),
        choices=[SelectChoice(category.value, label) for category, label in CATEGORY_LABELS.items()],
        validators=[InputRequired(_l("请选择问题类别。"))],
    )
    note = TextAreaField(_l("转投诉中心的理由"), validators=[Length(max=2000)])
