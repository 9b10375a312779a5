"""The verdict of SPEC §3: components, composite, ranking, titles and warnings, from aggregated inputs.

Plain Python, no Flask and no database: the caller aggregates each component in SQL (one grouped query per
component) and passes one ``PostInput`` per ranked post. Every rule below is a sentence of SPEC §3.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from operator import itemgetter
from typing import NamedTuple

from rating.scoring.method import INELIGIBLE_GRADES, MethodSettings

#: Ties are compared on values rounded to this many decimals, so that SQLite and PostgreSQL agree.
TIE_DECIMALS = 6
#: The four components in the order of the composite T = w_S·S + w_A·A + w_C·C + w_I·I.
COMPONENTS = ("service", "assessment", "conduct", "inspection")


class Title(StrEnum):
    BENCHMARK = "benchmark"  #: 标兵岗位
    EXCELLENT = "excellent"  #: 优秀岗位
    WARNING = "warning"  #: 行政告诫


class Rule(StrEnum):
    """Why a post got (or did not get) a title."""

    BENCHMARK = "benchmark"  #: eligible and inside the benchmark quota
    EXCELLENT = "excellent"  #: eligible, benchmark quota full, inside the excellent quota
    WARNING = "warning"  #: among the lowest-ranked, inside the warning quota
    INELIGIBLE_GRADE = "ineligible_grade"  #: 基本称职 or 不称职
    DISCIPLINE_VETO = "discipline_veto"  #: a substantiated 违规违纪 complaint (一票否决)
    QUOTA_FULL = "quota_full"  #: eligible, but both title quotas were full
    MISSING = "missing"  #: provisional standings only: a component is missing, so no rank
    SHORT_TENURE = "short_tenure"  #: in post for fewer days of the cycle than min_tenure_days: listed, not ranked


#: The value of one step up the five levels.
LEVEL_STEP = 25


def rating_value(level: int) -> int:
    """v = (level − 1) × 25: 1 非常不满意 → 0, 5 非常满意 → 100."""
    return (level - 1) * LEVEL_STEP


@dataclass(frozen=True)
class Weighted:
    """A set of ratings weighed by the method: Σw, Σw·v, Σw·v² and how many ratings."""

    weight: float
    value_sum: float
    squares: float
    count: int


@dataclass(frozen=True)
class RatingTally:
    """Counted ratings as exact integers: count, Σv and Σv² of the verified and of the unverified ones.

    Built from per-group sums of the levels; integer sums make every engine and every order of rows agree.
    """

    verified_count: int = 0
    verified_sum: int = 0
    verified_squares: int = 0
    unverified_count: int = 0
    unverified_sum: int = 0
    unverified_squares: int = 0

    @classmethod
    def of(cls, groups: Iterable[tuple[bool, int, int, int]]) -> "RatingTally":
        """From ``(verified, n, Σlevel, Σlevel²)`` groups. v is linear in the level, v = (level − 1)·step, so
        Σv = step·(Σlevel − n) and Σv² = step²·(Σlevel² − 2·Σlevel + n), exactly."""
        sums = [0] * 6
        for verified, n, levels, squares in groups:
            offset = 0 if verified else 3
            sums[offset] += n
            sums[offset + 1] += LEVEL_STEP * (levels - n)
            sums[offset + 2] += LEVEL_STEP * LEVEL_STEP * (squares - 2 * levels + n)
        return cls(*sums)

    @classmethod
    def by_line(cls, groups: Iterable[tuple]) -> tuple[dict, "RatingTally"]:
        """From ``(line, verified, n, Σlevel, Σlevel²)`` groups (a line is any key): each line's tally and the
        tally of them all, in one pass (the same exact integer sums as ``of``)."""
        step, step2 = LEVEL_STEP, LEVEL_STEP * LEVEL_STEP
        sums: dict = {}
        for line, verified, n, levels, squares in groups:
            line_sums = sums.get(line)
            if line_sums is None:
                line_sums = sums[line] = [0] * 6
            offset = 0 if verified else 3
            line_sums[offset] += n
            line_sums[offset + 1] += step * (levels - n)
            line_sums[offset + 2] += step2 * (squares - 2 * levels + n)
        total = [sum(column) for column in zip(*sums.values(), strict=True)] if sums else [0] * 6
        return {line: cls(*line_sums) for line, line_sums in sums.items()}, cls(*total)

    @property
    def count(self) -> int:
        return self.verified_count + self.unverified_count

    def weighted(self, method: MethodSettings) -> Weighted:
        vw, uw = method.verified_weight, method.unverified_weight
        return Weighted(
            weight=vw * self.verified_count + uw * self.unverified_count,
            value_sum=vw * self.verified_sum + uw * self.unverified_sum,
            squares=vw * self.verified_squares + uw * self.unverified_squares,
            count=self.count,
        )


def weighted_mean(weighted: Weighted, method: MethodSettings) -> float:
    """μ of a cycle: the weighted mean of v over its counted ratings, ``empty_cycle_mean`` without any."""
    if weighted.weight <= 0:
        return method.empty_cycle_mean
    return weighted.value_sum / weighted.weight


def is_eligible(grade: str | None, discipline_veto: bool) -> bool:
    """Eligible for a title: not graded 基本称职 or 不称职, and no substantiated 违规违纪 complaint (一票否决)."""
    return grade not in INELIGIBLE_GRADES and not discipline_veto


@dataclass(frozen=True)
class Quotas:
    """How many posts each title goes to among ``ranked`` posts (warnings never more than the posts)."""

    benchmark: int
    excellent: int
    warning: int


def quotas(method: MethodSettings, ranked: int) -> Quotas:
    return Quotas(
        benchmark=method.benchmark_quota.posts(ranked),
        excellent=method.excellent_quota.posts(ranked),
        warning=min(method.warning_quota.posts(ranked), ranked),
    )


@dataclass(frozen=True)
class PostInput:
    code: str
    #: Σ w·v and Σ w over the post's counted ratings (v = (level − 1) × 25, w = verified/unverified weight).
    rating_weighted_sum: float
    rating_weight: float
    rating_count: int
    grade: str | None  #: excellent / competent / basically_competent / incompetent, or None with a score
    assessment_score: float | None
    inspection_deductions: float  #: Σ deduction points of the cycle's findings on the post
    complaints_substantiated: int
    complaints_partly: int
    discipline_veto: bool  #: a substantiated 违规违纪 complaint in the cycle (一票否决)
    inspection_mean: float  #: mean of the cycle's comprehensive-inspection scores
    #: Tells apart two lines of one post (two holders ranked in one cycle); ties then go by it after the code.
    key: str = ""


class PostResult(NamedTuple):
    """One ranked post (a named tuple: immutable, and several times faster to make than a frozen dataclass, as a
    provincial computation makes tens of thousands at once)."""

    code: str
    service: float
    assessment: float
    conduct: float
    inspection: float
    composite: float
    rank: int
    title: Title | None
    eligible: bool
    ratings: int
    rule: Rule  #: why the post got (or did not get) a title
    key: str = ""  #: the input's key


def cycle_mean(posts: list[PostInput], method: MethodSettings) -> float:
    """μ: the weighted mean of v over all counted ratings of all posts in the cycle (50 when there are none)."""
    weight = sum(p.rating_weight for p in posts)
    if weight <= 0:
        return method.empty_cycle_mean
    return sum(p.rating_weighted_sum for p in posts) / weight


def service_score(post: PostInput, mu: float, m: float) -> float:
    """S = (Σ w·v + m·μ) / (Σ w + m): three five-star ratings do not top the board."""
    denominator = post.rating_weight + m
    if denominator <= 0:
        return mu
    return (post.rating_weighted_sum + m * mu) / denominator


def assessment_score(post: PostInput, method: MethodSettings) -> float:
    if post.grade is not None:
        return float(method.grade_scores[post.grade])
    if post.assessment_score is None:
        raise ValueError(f"post {post.code} has no assessment")
    return float(post.assessment_score)


def complaint_points(substantiated: int, partly: int, method: MethodSettings) -> tuple[float, float]:
    """Deduction points of concluded complaints: (10 per 属实, 5 per 部分属实) by default."""
    per = method.complaint_deductions
    return substantiated * per["substantiated"], partly * per["partly"]


def conduct_deductions(post: PostInput, method: MethodSettings) -> float:
    """Σ deductions of C: the findings' points plus the complaints' points."""
    substantiated, partly = complaint_points(post.complaints_substantiated, post.complaints_partly, method)
    return post.inspection_deductions + substantiated + partly


def conduct_score(post: PostInput, method: MethodSettings) -> float:
    """C = max(0, 100 − Σ deductions): findings plus 10 per 属实 and 5 per 部分属实 complaint."""
    return max(0.0, 100.0 - conduct_deductions(post, method))


def weighted_terms(values: dict[str, float], method: MethodSettings) -> list[tuple[str, float, float, float]]:
    """(component, weight, value, weight × value) of T, in the order of COMPONENTS."""
    return [(key, method.weights[key], values[key], method.weights[key] * values[key]) for key in COMPONENTS]


def composite(values: dict[str, float], method: MethodSettings) -> float:
    """T = 0.40·S + 0.30·A + 0.20·C + 0.10·I (the cycle's weights)."""
    return sum(part for _key, _weight, _value, part in weighted_terms(values, method))


def _tie_key(post: PostInput, service: float, conduct: float, total: float) -> tuple:
    """Rank order: T, then S, then C, each rounded to TIE_DECIMALS, highest first; then the code and the key."""
    return (
        -round(total, TIE_DECIMALS),
        -round(service, TIE_DECIMALS),
        -round(conduct, TIE_DECIMALS),
        post.code,
        post.key,
    )


def compute(posts: list[PostInput], method: MethodSettings, mu: float | None = None) -> list[PostResult]:
    """Rank the posts and give titles and warnings. Input order does not matter.

    ``mu`` is the cycle's weighted mean service value; by default it is taken over the given posts' ratings. The
    caller passes it when the cycle holds counted ratings of posts that are not ranked (SPEC §3: "over all counted
    ratings of all posts in the cycle").
    """
    problems = method.problems()
    if problems:
        raise ValueError("; ".join(problems))
    if mu is None:
        mu = cycle_mean(posts, method)
    rows = [_components(post, mu, method) for post in posts]
    rows.sort(key=itemgetter(0))  # stable: rows with equal keys keep their input order
    quota = quotas(method, len(rows))
    given = {Title.BENCHMARK: 0, Title.EXCELLENT: 0}
    results = []
    for rank, (_key, post, service, assessment, conduct, inspection, total) in enumerate(rows, start=1):
        title, rule = _title(rank, len(rows), post, quota, given)
        results.append(
            PostResult(
                code=post.code,
                key=post.key,
                service=service,
                assessment=assessment,
                conduct=conduct,
                inspection=inspection,
                composite=total,
                rank=rank,
                title=title,
                eligible=is_eligible(post.grade, post.discipline_veto),
                ratings=post.rating_count,
                rule=rule,
            )
        )
    return results


def _components(post: PostInput, mu: float, method: MethodSettings) -> tuple:
    """(rank order key, post, S, A, C, I, T): one tuple a post, as thousands of posts are ranked at once."""
    service = service_score(post, mu, method.prior_weight)
    assessment = assessment_score(post, method)
    conduct = conduct_score(post, method)
    inspection = float(post.inspection_mean)
    weights = method.weights
    # T as ``composite`` sums it: the same products added in the same order, so the same float to the last bit.
    total = sum(
        [
            weights["service"] * service,
            weights["assessment"] * assessment,
            weights["conduct"] * conduct,
            weights["inspection"] * inspection,
        ]
    )
    return _tie_key(post, service, conduct, total), post, service, assessment, conduct, inspection, total


def _title(rank: int, n: int, post: PostInput, quota: Quotas, given: dict) -> tuple[Title | None, Rule]:
    """Walking down the ranking: the last ``warning`` posts are warned; eligible posts above them fill the
    benchmark quota, then the excellent quota (``given`` counts what has been handed out so far)."""
    if rank > n - quota.warning:
        return Title.WARNING, Rule.WARNING
    if not is_eligible(post.grade, post.discipline_veto):
        return None, Rule.DISCIPLINE_VETO if post.discipline_veto else Rule.INELIGIBLE_GRADE
    for title, limit in ((Title.BENCHMARK, quota.benchmark), (Title.EXCELLENT, quota.excellent)):
        if given[title] < limit:
            given[title] += 1
            return title, Rule(title)
    return None, Rule.QUOTA_FULL


#: z for a 95 % band.
BAND_Z = 1.96


def service_band(service: float, spread: float, rating_weight: float, m: float) -> tuple[float, float]:
    """An approximate 95 % confidence band of S: S ± 1.96·σ/√(Σw + m), clipped to 0–100.

    σ is the spread (standard deviation) of v among the post's ratings. The prior weight m counts as that many
    ratings' worth of certainty, so a post with few ratings gets a wide band around a score pulled towards μ.
    """
    denominator = rating_weight + m
    if denominator <= 0:
        return (0.0, 100.0)
    half = BAND_Z * spread / denominator**0.5
    return (max(0.0, service - half), min(100.0, service + half))


def weighted_spread(weight: float, weighted_sum: float, weighted_squares: float) -> float:
    """Standard deviation of v with weights: √(Σw·v²/Σw − (Σw·v/Σw)²), 0 without ratings."""
    if weight <= 0:
        return 0.0
    mean = weighted_sum / weight
    return max(0.0, weighted_squares / weight - mean * mean) ** 0.5
