"""The explanation of one post's published figures (评议结果说明): how its S, C and T came about, from what its result
line recorded and the method frozen with it.

Plain Python like the rest of the scoring package: the public breakdown page and the API render what ``explain``
returns; none of them recompute a point themselves.
"""

from dataclasses import dataclass
from typing import Protocol

from rating.scoring import verdict
from rating.scoring.method import MethodSettings


class RecordedLine(Protocol):
    """What a result line keeps of a post (rating.models.results.Result has these attributes)."""

    ratings: int
    verified_ratings: int
    rating_weight: float
    rating_spread: float
    service: float
    assessment: float | None
    conduct: float
    inspection: float | None
    inspection_deductions: float
    complaints_substantiated: int
    complaints_partly: int


@dataclass(frozen=True)
class Term:
    """One term of the composite: weight × value = part."""

    component: str
    weight: float
    value: float
    part: float


@dataclass(frozen=True)
class Breakdown:
    unverified: int  #: counted ratings that came without a rating code
    band: tuple[float, float]  #: approximate 95 % band of S
    complaint_points: tuple[float, float]  #: points for 属实 and for 部分属实 complaints
    deductions: float  #: Σ deductions of C
    terms: tuple[Term, ...]  #: the four terms of T (none while a component is missing)
    quotas: verdict.Quotas  #: how many posts each title went to in the set


def explain(line: RecordedLine, method: MethodSettings, ranked: int) -> Breakdown:
    """The figures behind a ranked line of a set of ``ranked`` posts computed with ``method``."""
    points = verdict.complaint_points(line.complaints_substantiated, line.complaints_partly, method)
    values = {key: getattr(line, key) for key in verdict.COMPONENTS}
    terms = () if None in values.values() else tuple(Term(*term) for term in verdict.weighted_terms(values, method))
    return Breakdown(
        unverified=line.ratings - line.verified_ratings,
        band=verdict.service_band(line.service, line.rating_spread, line.rating_weight, method.prior_weight),
        complaint_points=points,
        deductions=line.inspection_deductions + sum(points),
        terms=terms,
        quotas=verdict.quotas(method, ranked),
    )
