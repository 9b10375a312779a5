"""Forms of the verdict desk (评议结果): every action is a POST carrying its CSRF token and, where it cannot be
undone, a box the administrator ticks to confirm what the page has just explained."""

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

CONFIRM_REQUIRED = _l("请先勾选确认框。")


def _confirm(label):
    return BooleanField(label, validators=[DataRequired(CONFIRM_REQUIRED)])


class CloseForm(FlaskForm):
    confirm = _confirm(_l("确认结束评议:停止接收群众评价"))


class ComputeForm(FlaskForm):
    confirm = _confirm(_l("确认计算最终结果"))


class ProvisionalForm(FlaskForm):
    """Refresh the administrators' provisional standings now instead of waiting for the hourly run."""


class NoticeForm(FlaskForm):
    days = IntegerField(
        _l("公示天数"),
        validators=[
            InputRequired(_l("请填写公示天数。")),
            NumberRange(min=1, max=60, message=_l("公示天数须为 1–60 天。")),
        ],
    )
    confirm = _confirm(_l("确认开始公示:计算结果、先进名单和告诫名单向社会公开"))


class PublishForm(FlaskForm):
    confirm = _confirm(_l("确认正式公布:公布后结果不可更改,只能发布更正版本"))


class CorrectionForm(FlaskForm):
    reason = TextAreaField(
        _l("更正理由(与更正版本一并公开)"),
        validators=[
            InputRequired(_l("请写明更正理由。")),
            Length(min=5, max=2000, message=_l("更正理由须在 5–2000 字之间。")),
        ],
    )
    confirm = _confirm(_l("确认按当前评议数据重新计算并公布更正版本;此前各版本保留可查"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("答复"),
        validators=[
            InputRequired(_l("请填写答复内容。")),
            Length(min=5, max=4000, message=_l("答复须在 5–4000 字之间。")),
        ],
    )


QUOTA_UNITS = [SelectChoice("count", _l("个")), SelectChoice("percent", _l("% (占参评岗位)"))]


def _plain(number):
    return int(number) if float(number).is_integer() else number


def _number(label, maximum):
    return DecimalField(label, places=None, validators=[InputRequired(), NumberRange(min=0, max=maximum)])


class MethodForm(FlaskForm):
    """评议办法参数: the figures of SPEC §3 that an administrator may set before the cycle is computed."""

    service = _number(_l("服务对象评议权重"), 1)
    assessment = _number(_l("年度考核权重"), 1)
    conduct = _number(_l("暗访投诉权重"), 1)
    inspection = _number(_l("综合检查评议权重"), 1)
    benchmark = _number(_l("标兵岗位名额"), 10000)
    benchmark_unit = SelectField(_l("标兵名额单位"), choices=QUOTA_UNITS)
    excellent = _number(_l("优秀岗位名额"), 10000)
    excellent_unit = SelectField(_l("优秀名额单位"), choices=QUOTA_UNITS)
    warning = _number(_l("行政告诫名额"), 10000)
    warning_unit = SelectField(_l("告诫名额单位"), choices=QUOTA_UNITS)
    prior_weight = _number(_l("先验权重 m"), 10000)
    verified_weight = _number(_l("已验证评价(评价码或短信)的权重"), 10)
    unverified_weight = _number(_l("无评价码评价的权重"), 10)
    notice_days = IntegerField(_l("公示天数"), validators=[InputRequired(), NumberRange(min=1, max=60)])
    min_tenure_days = IntegerField(
        _l("参加排名的最短任职天数"), validators=[InputRequired(), NumberRange(min=0, max=366)]
    )
    transfer_due_days = IntegerField(
        _l("受告诫人员调离期限(工作日)"), validators=[InputRequired(), NumberRange(min=1, max=250)]
    )
    source_allowance = IntegerField(
        _l("同一网络对同一岗位计入的无码评价条数"), validators=[Optional(), NumberRange(min=0, max=100)]
    )
    hall_device_allowance = IntegerField(
        _l("办事大厅内每台设备每天对同一岗位计入的条数"), validators=[Optional(), NumberRange(min=0, max=100)]
    )
    review_block_size = IntegerField(
        _l("待审核来源超过多少条评价时暂停计算"), validators=[Optional(), NumberRange(min=0, max=100000)]
    )

    QUOTAS = ("benchmark", "excellent", "warning")
    WEIGHTS = ("service", "assessment", "conduct", "inspection")
    COUNTS = (
        "notice_days",
        "min_tenure_days",
        "transfer_due_days",
        "source_allowance",
        "hall_device_allowance",
        "review_block_size",
    )

    def validate_inspection(self, field) -> None:
        """The four weights must sum to 1 (said here in the reader's language, beside the fields)."""
        weights = [getattr(self, name).data for name in self.WEIGHTS]
        if None not in weights and abs(sum(weights) - 1) > Decimal("0.000001"):
            raise ValidationError(_l("四项权重之和须为 1(现为 %(sum)s)。", sum=f"{sum(weights):g}"))

    def fill(self, settings) -> None:
        """Show a cycle's current settings (20, not 20.0)."""
        for name in self.WEIGHTS:
            getattr(self, name).data = _plain(settings.weights[name])
        for name in self.QUOTAS:
            quota = getattr(settings, f"{name}_quota")
            getattr(self, name).data, getattr(self, f"{name}_unit").data = _plain(quota.value), quota.unit
        for name in ("prior_weight", "verified_weight", "unverified_weight", *self.COUNTS):
            getattr(self, name).data = _plain(getattr(settings, name))

    def changes(self) -> dict:
        """The submitted figures as MethodSettings keys, to merge over the cycle's current settings."""
        return {
            "weights": {name: float(getattr(self, name).data) for name in self.WEIGHTS},
            **{
                f"{name}_quota": {"value": float(getattr(self, name).data), "unit": getattr(self, f"{name}_unit").data}
                for name in self.QUOTAS
            },
            "prior_weight": float(self.prior_weight.data),
            "verified_weight": float(self.verified_weight.data),
            "unverified_weight": float(self.unverified_weight.data),
            # The source allowances were added later: a form without them keeps the cycle's figures.
            **{name: int(getattr(self, name).data) for name in self.COUNTS if getattr(self, name).data is not None},
        }
