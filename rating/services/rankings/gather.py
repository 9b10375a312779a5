"""Gathering the rankings' inputs: one grouped query per input (unit scores, the verdict's composites by unit, the
stations' counted ratings, the previous cycle's last units). Nothing here decides a rank.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import case, func, select, text

from rating.extensions import db
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.rankings import DepartmentResult, Ranking, RankingSet, UnitScore
from rating.models.ratings import Rating, RatingStatus
from rating.models.results import Result, ResultKind, ResultSet
from rating.models.units import Unit, UnitKind
from rating.scoring import departments, stations
from rating.scoring.method import MethodSettings


class UnitIdentity(NamedTuple):
    """What a ranking line is about, copied into it so a later rename never changes it (a tuple: one per unit)."""

    unit_id: int
    code: str
    name: str
    kind: str
    head: str


@dataclass(frozen=True)
class DepartmentInputs:
    units: list[tuple[UnitIdentity, departments.UnitInput, str]]  #: with where conduct came from
    last_before: frozenset[str]


@contextmanager
def _covering_index_priced_as_ssd():
    """PostgreSQL: for the statement inside, price a random page read as on an SSD (random_page_cost 1.1, the usual
    setting there, instead of the spinning disk's 4), so that the tally reads the covering index ix_ratings_tally
    alone (a parallel index-only scan, as the plain GROUP BY does) rather than every row of the table: 0.20 s instead
    of 0.40 s at 3M ratings. The setting in force before is put back after; a failure rolls the transaction back, and
    the setting with it."""
    if db.session.get_bind().dialect.name != "postgresql":
        yield
        return
    before = db.session.scalar(text("SELECT current_setting('random_page_cost')"))
    db.session.execute(text("SELECT set_config('random_page_cost', '1.1', true)"))
    yield
    db.session.execute(text("SELECT set_config('random_page_cost', :before, true)"), {"before": before})


def station_tallies(cycle: Cycle) -> dict[int, tuple[int, int]]:
    """Counted ratings of each station and those at levels 3–5, as (ratings, satisfied) by station id: one grouped
    query, a row per rated post (a hash aggregate over the cycle's counted ratings, like one plain GROUP BY; a join
    to pick the desks in SQL would cost more than the rows it saves), from which the stations' desks are picked."""
    desks = dict(db.session.execute(select(Post.id, Post.unit_id).where(Post.rates_unit.is_(True))).all())
    if not desks:
        return {}
    satisfied = Rating.level >= min(stations.SATISFIED_LEVELS)
    with _covering_index_priced_as_ssd():
        rows = db.session.execute(
            select(Rating.post_id, func.count(), func.sum(case((satisfied, 1), else_=0)))
            .where(Rating.cycle_id == cycle.id, Rating.status == RatingStatus.COUNTED)
            .group_by(Rating.post_id)
        ).all()
    tallies: dict[int, tuple[int, int]] = {}
    for post_id, count, happy in rows:
        if post_id in desks:
            ratings, before = tallies.get(desks[post_id], (0, 0))
            tallies[desks[post_id]] = (ratings + count, before + int(happy))
    return tallies


def station_units() -> list[UnitIdentity]:
    """Every station (with or without ratings), by code."""
    rows = db.session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.head)
        .where(Unit.kind == UnitKind.STATION)
        .order_by(Unit.code)
    )
    return [UnitIdentity(i, code, name, str(kind), head) for i, code, name, kind, head in rows]


def gather_stations(cycle: Cycle) -> list[tuple[UnitIdentity, stations.StationInput]]:
    tallies = station_tallies(cycle)
    return [(unit, stations.StationInput(unit.code, *tallies.get(unit.unit_id, (0, 0)))) for unit in station_units()]


def verdict_set(cycle: Cycle) -> int | None:
    """The cycle's computed verdict: its newest published set, else its newest draft."""
    for kind in (ResultKind.PUBLISHED, ResultKind.DRAFT):
        found = db.session.scalar(
            select(ResultSet.id)
            .where(ResultSet.cycle_id == cycle.id, ResultSet.kind == kind)
            .order_by(ResultSet.version.desc())
            .limit(1)
        )
        if found is not None:
            return found
    return None


def line_composites(cycle: Cycle) -> dict[str, tuple[float, int]]:
    """Σ composite and count of each unit's ranked key-post lines in the computed verdict: one grouped query."""
    set_id = verdict_set(cycle)
    if set_id is None:
        return {}
    rows = db.session.execute(
        select(Result.unit_code, func.sum(Result.composite), func.count())
        .where(Result.result_set_id == set_id, Result.rank.is_not(None))
        .group_by(Result.unit_code)
    )
    return {code: (float(total), int(count)) for code, total, count in rows}


def ranking_set_of(cycle: Cycle, ranking: Ranking) -> int | None:
    """A cycle's ranking as published (newest version), or as last computed when never published."""
    for kind in (ResultKind.PUBLISHED, ResultKind.DRAFT):
        found = db.session.scalar(
            select(RankingSet.id)
            .where(RankingSet.cycle_id == cycle.id, RankingSet.ranking == ranking, RankingSet.kind == kind)
            .order_by(RankingSet.version.desc())
            .limit(1)
        )
        if found is not None:
            return found
    return None


def previous_last(cycle: Cycle) -> frozenset[str]:
    """The units last in their group in the previous cycle's department ranking."""
    previous = db.session.scalar(select(Cycle).where(Cycle.year < cycle.year).order_by(Cycle.year.desc()).limit(1))
    set_id = ranking_set_of(previous, Ranking.DEPARTMENTS) if previous is not None else None
    if set_id is None:
        return frozenset()
    codes = db.session.scalars(
        select(DepartmentResult.unit_code).where(
            DepartmentResult.ranking_set_id == set_id, DepartmentResult.last.is_(True)
        )
    )
    return frozenset(codes)


def conduct_of(entered, composites, station, method: MethodSettings) -> tuple[float | None, str]:
    """A unit's conduct and where it came from: entered, else its lines' composites (Σ, count), else its station
    tally (ratings, satisfied) when it has the minimum sample, else missing."""
    if entered is not None:
        return entered, "entered"
    if composites:
        total, count = composites
        return departments.derived_conduct([total / count]), "posts"
    if station is not None and station[0] >= method.station_min_ratings:
        return departments.derived_conduct([], stations.satisfaction_rate(station[1], station[0])), "station"
    return None, "missing"


def gather_departments(cycle: Cycle, method: MethodSettings) -> DepartmentInputs:
    """Every unit with scores in the cycle, its conduct entered or derived (a station's only from a ranked sample).
    Read as Core rows, no ORM step per row (flushed first, as Core does not autoflush)."""
    db.session.flush()
    rows = (
        db.session.connection()
        .execute(
            select(
                Unit.id,
                Unit.code,
                Unit.name,
                Unit.kind,
                Unit.head,
                UnitScore.targets,
                UnitScore.responsibility,
                UnitScore.conduct,
                UnitScore.targets_met,
            )
            .join(UnitScore, UnitScore.unit_id == Unit.id)
            .where(UnitScore.cycle_id == cycle.id)
            .order_by(Unit.code)
        )
        .all()
    )
    composites = line_composites(cycle)
    tallies = station_tallies(cycle) if any(row.kind == UnitKind.STATION for row in rows) else {}
    units = []
    for unit_id, code, name, kind, head, targets, responsibility, conduct, met in rows:
        value, source = conduct_of(conduct, composites.get(code), tallies.get(unit_id), method)
        identity = UnitIdentity(unit_id, code, name, str(kind), head)
        units.append((identity, departments.UnitInput(code, str(kind), targets, responsibility, value, met), source))
    return DepartmentInputs(units, previous_last(cycle))
