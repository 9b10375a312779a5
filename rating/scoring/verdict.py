"""The verdict of SPEC §3: components, composite, ranking, titles and warnings, from aggregated inputs.

Plain Python, no Flask and no database: the caller aggregates each component in SQL (one grouped query per
component) and passes one ``PostInput`` per ranked post. Every rule below is a sentence of SPEC §3.
"""

from dataclasses import dataclass
from enum import StrEnum

from rating.scoring.method import INELIGIBLE_GRADES, MethodSettings

#: Ties are compared on values rounded to this many decimals, so that SQLite and PostgreSQL agree.
TIE_DECIMALS = 6


class Title(StrEnum):
    BENCHMARK = "benchmark"  #: 标兵岗位
    EXCELLENT = "excellent"  #: 优秀岗位
    WARNING = "warning"  #: 行政告诫


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


@dataclass(frozen=True)
class PostResult:
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
    #: Why the post got (or did not get) a title, as a rule key: benchmark, excellent, warning,
    #: ineligible_grade, discipline_veto, quota_full.
    rule: str


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


def conduct_score(post: PostInput, method: MethodSettings) -> float:
    """C = max(0, 100 − Σ deductions): findings plus 10 per 属实 and 5 per 部分属实 complaint."""
    deductions = (
        post.inspection_deductions
        + post.complaints_substantiated * method.complaint_deductions["substantiated"]
        + post.complaints_partly * method.complaint_deductions["partly"]
    )
    return max(0.0, 100.0 - deductions)


def _tie_key(result: dict) -> tuple:
    return (
        -round(result["composite"], TIE_DECIMALS),
        -round(result["service"], TIE_DECIMALS),
        -round(result["conduct"], TIE_DECIMALS),
        result["code"],
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
    weights = method.weights
    rows = []
    for post in posts:
        s = service_score(post, mu, method.prior_weight)
        a = assessment_score(post, method)
        c = conduct_score(post, method)
        i = float(post.inspection_mean)
        t = weights["service"] * s + weights["assessment"] * a + weights["conduct"] * c + weights["inspection"] * i
        rows.append(
            {
                "code": post.code,
                "service": s,
                "assessment": a,
                "conduct": c,
                "inspection": i,
                "composite": t,
                "post": post,
            }
        )
    rows.sort(key=_tie_key)

    n = len(rows)
    warnings = min(method.warning_quota.posts(n), n)
    benchmark_quota = method.benchmark_quota.posts(n)
    excellent_quota = method.excellent_quota.posts(n)
    benchmarks = excellents = 0
    results = []
    for index, row in enumerate(rows):
        post: PostInput = row["post"]
        rank = index + 1
        ineligible_grade = post.grade in INELIGIBLE_GRADES
        eligible = not ineligible_grade and not post.discipline_veto
        title, rule = None, "quota_full"
        if rank > n - warnings:
            title, rule = Title.WARNING, "warning"
        elif not eligible:
            rule = "discipline_veto" if post.discipline_veto else "ineligible_grade"
        elif benchmarks < benchmark_quota:
            benchmarks += 1
            title, rule = Title.BENCHMARK, "benchmark"
        elif excellents < excellent_quota:
            excellents += 1
            title, rule = Title.EXCELLENT, "excellent"
        results.append(
            PostResult(
                code=post.code,
                service=row["service"],
                assessment=row["assessment"],
                conduct=row["conduct"],
                inspection=row["inspection"],
                composite=row["composite"],
                rank=rank,
                title=title,
                eligible=eligible,
                ratings=post.rating_count,
                rule=rule,
            )
        )
    return results


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
