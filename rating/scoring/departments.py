"""The department ranking of SPEC §6 (部门综合考核排名): composite D, groups by unit kind, commendation, yellow cards,
last place and the head who resigns after two years last.

Plain Python, no Flask and no database: the caller gathers one ``UnitInput`` per unit with scores in the cycle
(conduct already derived where it was not entered) and the codes of the units that were last in the previous cycle.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from rating.scoring.method import MethodSettings

#: D, and with it the order, is compared rounded to this many decimals so that every engine agrees.
TIE_DECIMALS = 6
#: The order of the groups on the page and in the open data: the unit kinds, stations last.
GROUPS = ("municipal", "provincial", "window", "county", "station")


class Outcome(StrEnum):
    COMMENDED = "commended"  #: 通报表彰
    YELLOW_CARD = "yellow_card"  #: 黄牌警告, 通报批评
    LAST = "last"  #: 末位
    HEAD_TO_RESIGN = "head_to_resign"  #: 连续两年末位, 主要负责人引咎辞职
    MISSING_CONDUCT = "missing_conduct"  #: 缺少政风行风评议: listed, not ranked


@dataclass(frozen=True)
class UnitInput:
    code: str
    group: str  #: the unit's kind (municipal, provincial, window, county, station)
    targets: float  #: 年度工作目标考核, 0–100
    responsibility: float  #: 效能建设责任制考核, 0–100
    conduct: float | None  #: 政风行风评议, entered or derived; None when neither
    targets_met: bool | None = None  #: 完成年度目标任务; None: decided by the targets score


@dataclass(frozen=True)
class UnitLine:
    code: str
    group: str
    rank: int | None  #: within the group; None when the unit is not ranked
    targets: float
    responsibility: float
    conduct: float | None
    composite: float | None
    targets_met: bool
    outcomes: frozenset[Outcome]

    def has(self, outcome: Outcome) -> bool:
        return outcome in self.outcomes


def derived_conduct(line_composites: Iterable[float], station_rate: float | None = None) -> float | None:
    """Conduct not entered comes from the platform: the mean composite of the unit's ranked key-post lines in the
    cycle's computed verdict, or for a station its satisfaction rate × 100; None when there is neither."""
    composites = list(line_composites)
    if composites:
        return sum(composites) / len(composites)
    return station_rate * 100 if station_rate is not None else None


def targets_met(unit: UnitInput, method: MethodSettings) -> bool:
    """Entered as 是/否, or when left empty: the targets score reached ``targets_met_score`` (60)."""
    return unit.targets_met if unit.targets_met is not None else unit.targets >= method.targets_met_score


def composite(unit: UnitInput, method: MethodSettings) -> float | None:
    """D = 0.5·targets + 0.3·responsibility + 0.2·conduct (the cycle's weights); None without conduct."""
    if unit.conduct is None:
        return None
    w = method.department_weights
    return w["targets"] * unit.targets + w["responsibility"] * unit.responsibility + w["conduct"] * unit.conduct


def _order(scored: tuple[UnitInput, float, bool]) -> tuple:
    """D descending (6 decimals), then targets descending, then code ascending."""
    unit, d, _met = scored
    return (-round(d, TIE_DECIMALS), -round(unit.targets, TIE_DECIMALS), unit.code)


def _group_lines(units: list[UnitInput], method: MethodSettings, last_before: frozenset[str]) -> list[UnitLine]:
    # D and targets_met once per unit: a group may hold thousands of units.
    scored = [(unit, composite(unit, method), targets_met(unit, method)) for unit in units]
    ranked = sorted((s for s in scored if s[1] is not None), key=_order)
    unranked = sorted((s for s in scored if s[1] is None), key=lambda s: s[0].code)
    last = ranked[-1][0].code if len(ranked) >= 2 else None
    commended: set[str] = set()
    for unit, _d, met in ranked:
        if len(commended) >= method.commend_count:
            break
        if met and unit.code != last:
            commended.add(unit.code)
    lines = []
    for rank, (unit, d, met) in enumerate([*ranked, *unranked], start=1):
        outcomes = set()
        if unit.code in commended:
            outcomes.add(Outcome.COMMENDED)
        if not met:
            outcomes.add(Outcome.YELLOW_CARD)
        if unit.code == last:
            outcomes.add(Outcome.LAST)
            if unit.code in last_before:
                outcomes.add(Outcome.HEAD_TO_RESIGN)
        if d is None:
            outcomes.add(Outcome.MISSING_CONDUCT)
        lines.append(
            UnitLine(
                code=unit.code,
                group=unit.group,
                rank=rank if d is not None else None,
                targets=unit.targets,
                responsibility=unit.responsibility,
                conduct=unit.conduct,
                composite=d,
                targets_met=met,
                outcomes=frozenset(outcomes),
            )
        )
    return lines


def rank_departments(
    units: Iterable[UnitInput], method: MethodSettings, last_before: Iterable[str] = ()
) -> list[UnitLine]:
    """Every unit's line, group by group in ``GROUPS`` order, ranked units first, then the units missing conduct.

    ``last_before``: the codes of the units that were last in their group in the previous cycle.
    """
    by_group: dict[str, list[UnitInput]] = {}
    for unit in units:
        by_group.setdefault(unit.group, []).append(unit)
    order = [*GROUPS, *sorted(set(by_group) - set(GROUPS))]
    before = frozenset(last_before)
    return [line for group in order if group in by_group for line in _group_lines(by_group[group], method, before)]
