"""The grassroots-station ranking of SPEC §6 (人民满意基层站所): satisfaction rate, its 95 % Wilson interval, the
minimum sample, the order and the lowest stations named publicly.

Plain Python, no Flask and no database: the caller counts each station's counted ratings and those at 基本满意 or
better (levels 3–5, as 好差评 counts 好评) in one grouped query.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from rating.scoring.method import MethodSettings

TIE_DECIMALS = 6
#: The levels that count as satisfied: 5 非常满意, 4 满意, 3 基本满意.
SATISFIED_LEVELS = (3, 4, 5)
#: z for a two-sided 95 % interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class StationInput:
    code: str
    ratings: int  #: counted ratings in the cycle
    satisfied: int  #: of which at levels 3–5


@dataclass(frozen=True)
class StationLine:
    code: str
    rank: int | None  #: None: fewer ratings than station_min_ratings
    ratings: int
    satisfied: int
    rate: float  #: satisfied ÷ ratings, a fraction 0–1 (0 without ratings)
    low: float  #: 95 % Wilson interval
    high: float
    ranked: bool
    named_lowest: bool  #: 满意率最低的基层站所


def satisfaction_rate(satisfied: int, ratings: int) -> float:
    """Unweighted: satisfied ratings over all counted ratings; 0 for a station nobody rated."""
    return satisfied / ratings if ratings else 0.0


def wilson_interval(satisfied: int, ratings: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion; (0, 1) without ratings."""
    if ratings == 0:
        return 0.0, 1.0
    p = satisfied / ratings
    denominator = 1 + z * z / ratings
    centre = (p + z * z / (2 * ratings)) / denominator
    half = z * math.sqrt(p * (1 - p) / ratings + z * z / (4 * ratings * ratings)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def _order(station: StationInput) -> tuple:
    """Rate descending (6 decimals), then number of ratings descending, then code ascending."""
    return (-round(satisfaction_rate(station.satisfied, station.ratings), TIE_DECIMALS), -station.ratings, station.code)


def named_count(ranked: int, method: MethodSettings) -> int:
    """How many of the lowest ranked stations are named: ``station_named_lowest``, but never every ranked one."""
    return max(0, min(method.station_named_lowest, ranked - 1))


def rank_stations(stations: Iterable[StationInput], method: MethodSettings) -> list[StationLine]:
    """Every station's line: the ranked ones by rank, then those under the minimum sample."""
    stations = list(stations)
    ranked = sorted((s for s in stations if s.ratings >= method.station_min_ratings), key=_order)
    unranked = sorted((s for s in stations if s.ratings < method.station_min_ratings), key=_order)
    first_named = len(ranked) - named_count(len(ranked), method) + 1
    lines = []
    for position, station in enumerate([*ranked, *unranked], start=1):
        is_ranked = position <= len(ranked)
        low, high = wilson_interval(station.satisfied, station.ratings)
        lines.append(
            StationLine(
                code=station.code,
                rank=position if is_ranked else None,
                ratings=station.ratings,
                satisfied=station.satisfied,
                rate=satisfaction_rate(station.satisfied, station.ratings),
                low=low,
                high=high,
                ranked=is_ranked,
                named_lowest=is_ranked and position >= first_named,
            )
        )
    return lines
