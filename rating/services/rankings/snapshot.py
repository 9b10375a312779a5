"""Ranking sets as written: the rows of a computation, and how a set is stored or published as an immutable copy.
Called by rating.services.rankings.lifecycle inside the caller's transaction.
"""

from sqlalchemy import func, select

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.rankings import DepartmentResult, Ranking, RankingSet, StationResult
from rating.models.results import ResultKind
from rating.scoring import departments, stations
from rating.scoring.departments import Outcome
from rating.scoring.method import MethodSettings
from rating.services.rankings import export
from rating.services.rankings.gather import DepartmentInputs, UnitIdentity
from rating.services.verdict.snapshot import insert_rows

TABLES = {Ranking.DEPARTMENTS: DepartmentResult, Ranking.STATIONS: StationResult}


def department_rows(inputs: DepartmentInputs, method: MethodSettings) -> list[dict]:
    identities = {unit.code: (identity, source) for identity, unit, source in inputs.units}
    lines = departments.rank_departments([unit for _i, unit, _s in inputs.units], method, inputs.last_before)
    rows = []
    for position, line in enumerate(lines, start=1):
        identity, source = identities[line.code]
        outcomes = line.outcomes
        rows.append(
            dict(
                position=position,
                group=line.group,
                rank=line.rank,
                unit_id=identity.unit_id,
                unit_code=identity.code,
                unit_name=identity.name,
                head=identity.head,
                targets=line.targets,
                responsibility=line.responsibility,
                conduct=line.conduct,
                conduct_source=source,
                composite=line.composite,
                targets_met=line.targets_met,
                commended=Outcome.COMMENDED in outcomes,
                yellow_card=Outcome.YELLOW_CARD in outcomes,
                last=Outcome.LAST in outcomes,
                head_to_resign=Outcome.HEAD_TO_RESIGN in outcomes,
            )
        )
    return rows


def station_rows(inputs: list[tuple[UnitIdentity, stations.StationInput]], method: MethodSettings) -> list[dict]:
    identities = {station.code: identity for identity, station in inputs}
    lines = stations.rank_stations([station for _identity, station in inputs], method)
    return [
        dict(
            position=position,
            rank=line.rank,
            **_unit(identities[line.code]),
            ratings=line.ratings,
            satisfied=line.satisfied,
            rate=line.rate,
            low=line.low,
            high=line.high,
            ranked=line.ranked,
            named_lowest=line.named_lowest,
        )
        for position, line in enumerate(lines, start=1)
    ]


def _unit(identity: UnitIdentity) -> dict:
    return dict(unit_id=identity.unit_id, unit_code=identity.code, unit_name=identity.name)


def next_version(cycle: Cycle, ranking: Ranking, kind: ResultKind) -> int:
    latest = db.session.scalar(
        select(func.max(RankingSet.version)).where(
            RankingSet.cycle_id == cycle.id, RankingSet.ranking == ranking, RankingSet.kind == kind
        )
    )
    return (latest or 0) + 1


def write(
    cycle: Cycle, ranking: Ranking, kind: ResultKind, method: dict, rows: list[dict], by: str, **extra
) -> RankingSet:
    """Store a set whole, with its frozen method and content hash."""
    version = next_version(cycle, ranking, kind)
    ranking_set = RankingSet(
        cycle_id=cycle.id,
        ranking=ranking,
        kind=kind,
        version=version,
        computed_by=by,
        method=method,
        ranked=sum(1 for row in rows if row["rank"] is not None),
        content_hash=export.content_hash(cycle.year, ranking, str(kind), version, method, rows),
        **extra,
    )
    db.session.add(ranking_set)
    db.session.flush()
    insert_rows(TABLES[ranking].__table__, rows, ranking_set_id=ranking_set.id)
    return ranking_set


def publish_copy(source: RankingSet, cycle: Cycle, reason: str = "") -> RankingSet:
    """A draft published as it stands: a new published version with its rows and frozen method."""
    table = TABLES[source.ranking].__table__
    columns = [c.key for c in table.columns if c.key not in ("id", "ranking_set_id")]
    rows = [{c: getattr(row, c) for c in columns} for row in source.rows]
    return write(
        cycle,
        source.ranking,
        ResultKind.PUBLISHED,
        source.method,
        rows,
        source.computed_by,
        computed_at=source.computed_at,
        published_at=utcnow(),
        reason=reason,
        source_id=source.id,
    )
