"""Method settings (评议办法参数) of one cycle: weights, quotas, grade table, deductions, prior weight.

Stored per cycle as JSON and frozen into the result when it is computed. ``MethodSettings.from_dict`` validates
whatever comes from an administrator, a file or the database, and raises ``InvalidMethod`` naming every problem.
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

GRADES = ("excellent", "competent", "basically_competent", "incompetent")
#: Grades that make a post ineligible for any title (基本称职, 不称职).
INELIGIBLE_GRADES = ("basically_competent", "incompetent")


class InvalidMethod(ValueError):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Quota:
    """A title quota: either a count of posts or a percentage of the ranked posts."""

    value: float
    unit: str = "count"  # "count" or "percent"

    def posts(self, ranked: int) -> int:
        if self.unit == "count":
            return int(self.value)
        # Percentages round half up on exact decimals so both engines and every reader agree.
        exact = Decimal(str(self.value)) * ranked / 100
        return int(exact.to_integral_value(rounding="ROUND_HALF_UP"))


@dataclass(frozen=True)
class MethodSettings:
    #: Weights of service rating S, annual assessment A, conduct C and inspection I (sum to 1).
    weights: dict[str, float] = field(
        default_factory=lambda: {"service": 0.40, "assessment": 0.30, "conduct": 0.20, "inspection": 0.10}
    )
    benchmark_quota: Quota = Quota(20)  #: 标兵岗位
    excellent_quota: Quota = Quota(40)  #: 优秀岗位
    warning_quota: Quota = Quota(5)  #: 行政告诫
    grade_scores: dict[str, float] = field(
        default_factory=lambda: {"excellent": 95, "competent": 85, "basically_competent": 70, "incompetent": 50}
    )
    #: Deduction per concluded complaint by finding (属实 10, 部分属实 5).
    complaint_deductions: dict[str, float] = field(
        default_factory=lambda: {"substantiated": 10, "partly": 5, "unsubstantiated": 0}
    )
    #: Standard deductions for inspection findings; inspectors may also enter a free amount.
    inspection_deductions: dict[str, float] = field(
        default_factory=lambda: {"absent": 5, "rude": 5, "irregular_fee": 10, "delay": 3, "no_commitment_shown": 2}
    )
    prior_weight: float = 20.0  #: m in S = (Σw·v + m·μ) / (Σw + m)
    verified_weight: float = 1.0
    unverified_weight: float = 0.5
    empty_cycle_mean: float = 50.0  #: μ when the cycle has no counted ratings
    notice_days: int = 7  #: 公示期
    #: A holder in post for fewer days of the cycle is listed with their own figures but not ranked (任职不满).
    min_tenure_days: int = 183
    followup_working_days: int = 5  #: 差评整改期限
    complaint_working_days: int = 15  #: 投诉办理期限
    #: 调离期限: a warned holder is to be transferred within this many working days of the result's publication.
    transfer_due_days: int = 30
    #: Unverified ratings one source (a /24 or /64 network) gives one post in the cycle that count; the rest are
    #: held for review, whatever their pace (同一来源限额, rating.scoring.sources).
    source_allowance: int = 2
    #: In a registered service hall: unverified ratings per device, post and day that count.
    hall_device_allowance: int = 1
    #: A source's group of ratings of one post is a campaign (刷评) from this many ratings on ...
    campaign_min_size: int = 5
    #: ... when every one lies this many points (of v, 0–100) above or below the post's own history ...
    campaign_gap: float = 25.0
    #: ... and together they would move the post's mean v by at least this many points.
    campaign_shift: float = 2.0
    #: The final computation waits while a source group larger than this awaits the office's review.
    review_block_size: int = 20
    #: 部门综合考核: D = w_targets·targets + w_responsibility·responsibility + w_conduct·conduct (sum to 1).
    department_weights: dict[str, float] = field(
        default_factory=lambda: {"targets": 0.5, "responsibility": 0.3, "conduct": 0.2}
    )
    #: 通报表彰: the first this many units of each group that met their targets and are not last.
    commend_count: int = 3
    #: A unit whose targets_met was left empty met its targets when ``targets`` reaches this score.
    targets_met_score: float = 60.0
    #: 人民满意基层站所: a station with fewer counted ratings is listed but not ranked.
    station_min_ratings: int = 30
    #: 满意率最低的基层站所: how many of the lowest-ranked stations are named publicly.
    station_named_lowest: int = 2

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict | None) -> "MethodSettings":
        data = dict(data or {})
        problems: list[str] = []
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(data) - known)
        if unknown:
            problems.append(f"unknown settings: {', '.join(unknown)}")
        for name in ("benchmark_quota", "excellent_quota", "warning_quota"):
            if name in data and isinstance(data[name], dict):
                data[name] = Quota(**data[name])
        try:
            settings = cls(**{k: v for k, v in data.items() if k in known})
        except TypeError as exc:
            raise InvalidMethod([*problems, str(exc)]) from exc
        problems.extend(settings.problems())
        if problems:
            raise InvalidMethod(problems)
        return settings

    def problems(self) -> list[str]:
        """Every way these settings break SPEC §3 (empty when they are sound)."""
        return [
            *self._weight_problems(),
            *self._quota_problems(),
            *self._table_problems(),
            *self._count_problems(),
            *self._source_problems(),
            *self._ranking_problems(),
        ]

    def _weight_problems(self) -> list[str]:
        if set(self.weights) != {"service", "assessment", "conduct", "inspection"}:
            return ["weights must name service, assessment, conduct and inspection"]
        if any(w < 0 for w in self.weights.values()):
            return ["weights must not be negative"]
        if abs(sum(self.weights.values()) - 1) > 1e-9:
            return [f"weights must sum to 1 (they sum to {sum(self.weights.values()):g})"]
        return []

    def _quota_problems(self) -> list[str]:
        problems = []
        for name in ("benchmark_quota", "excellent_quota", "warning_quota"):
            quota = getattr(self, name)
            if quota.unit not in ("count", "percent"):
                problems.append(f"{name}: unit must be count or percent")
            elif quota.value < 0 or (quota.unit == "percent" and quota.value > 100):
                problems.append(f"{name}: out of range")
            elif quota.unit == "count" and quota.value != int(quota.value):
                problems.append(f"{name}: a count must be a whole number")
        return problems

    def _table_problems(self) -> list[str]:
        problems = []
        if set(self.grade_scores) != set(GRADES):
            problems.append("grade_scores must give a score for each of " + ", ".join(GRADES))
        elif any(not 0 <= s <= 100 for s in self.grade_scores.values()):
            problems.append("grade scores must lie in 0–100")
        if any(d < 0 for d in [*self.complaint_deductions.values(), *self.inspection_deductions.values()]):
            problems.append("deductions must not be negative")
        return problems

    def _count_problems(self) -> list[str]:
        problems = []
        if self.prior_weight < 0:
            problems.append("prior_weight must not be negative")
        if not (0 < self.unverified_weight <= self.verified_weight):
            problems.append("weights of ratings: 0 < unverified_weight <= verified_weight")
        for name in ("notice_days", "followup_working_days", "complaint_working_days"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be at least 1")
        if not 1 <= self.transfer_due_days <= 250:
            problems.append("transfer_due_days must lie in 1–250")
        if not 0 <= self.min_tenure_days <= 366:
            problems.append("min_tenure_days must lie in 0–366")
        return problems

    def _source_problems(self) -> list[str]:
        problems = []
        for name in ("source_allowance", "hall_device_allowance"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                problems.append(f"{name} must be a whole number, 0 or more")
        if not isinstance(self.campaign_min_size, int) or self.campaign_min_size <= self.source_allowance:
            problems.append("campaign_min_size must be a whole number above source_allowance")
        if not 0 <= self.campaign_gap <= 100 or not 0 <= self.campaign_shift <= 100:
            problems.append("campaign_gap and campaign_shift must lie in 0–100")
        if not isinstance(self.review_block_size, int) or self.review_block_size < 0:
            problems.append("review_block_size must be a whole number, 0 or more")
        return problems

    def _ranking_problems(self) -> list[str]:
        problems = []
        weights = self.department_weights
        if set(weights) != {"targets", "responsibility", "conduct"}:
            problems.append("department_weights must name targets, responsibility and conduct")
        elif any(w < 0 for w in weights.values()) or abs(sum(weights.values()) - 1) > 1e-9:
            problems.append("department_weights must not be negative and must sum to 1")
        for name in ("commend_count", "station_min_ratings", "station_named_lowest"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 0:
                problems.append(f"{name} must be a whole number, 0 or more")
        if not 0 <= self.targets_met_score <= 100:
            problems.append("targets_met_score must lie in 0–100")
        return problems
