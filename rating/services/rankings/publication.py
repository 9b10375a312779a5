"""Which ranking set is shown, to whom (the verdict's rule, rating.services.verdict.publication): the public sees a
cycle's newest published set, or during notice its newest draft; the desk sees the newest draft until the cycle is
published, then the newest published set (and a newer draft waiting to be published late).
"""

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from rating.extensions import db
from rating.models.cycles import Cycle, CycleStatus
from rating.models.rankings import DepartmentResult, Ranking, RankingSet, UnitScore
from rating.models.results import ResultKind
from rating.scoring.method import MethodSettings
from rating.services.errors import NotFound
from rating.services.rankings import gather
from rating.services.verdict.publication import PUBLIC_KIND
from rating.services.verdict.publication import latest as verdict_latest


def latest(cycle: Cycle, ranking: Ranking, kind: ResultKind) -> RankingSet | None:
    return db.session.scalar(
        select(RankingSet)
        .where(RankingSet.cycle_id == cycle.id, RankingSet.ranking == ranking, RankingSet.kind == kind)
        .order_by(RankingSet.version.desc())
        .limit(1)
        .options(selectinload(RankingSet.departments), selectinload(RankingSet.stations))
    )


def public_set(cycle: Cycle, ranking: Ranking) -> RankingSet | None:
    kind = PUBLIC_KIND.get(cycle.status)
    return latest(cycle, ranking, kind) if kind is not None else None


def desk_set(cycle: Cycle, ranking: Ranking) -> RankingSet | None:
    if cycle.status == CycleStatus.PUBLISHED:
        return latest(cycle, ranking, ResultKind.PUBLISHED) or latest(cycle, ranking, ResultKind.DRAFT)
    return latest(cycle, ranking, ResultKind.DRAFT)


def late_draft(cycle: Cycle, ranking: Ranking) -> RankingSet | None:
    """A draft of a published cycle computed after its newest published ranking: it waits to be published late."""
    if cycle.status != CycleStatus.PUBLISHED:
        return None
    draft = latest(cycle, ranking, ResultKind.DRAFT)
    published = latest(cycle, ranking, ResultKind.PUBLISHED)
    if draft is None or (published is not None and published.source_id == draft.id):
        return None
    if published is not None and published.computed_at >= draft.computed_at:
        return None
    return draft


def for_export(cycle: Cycle, ranking: Ranking) -> RankingSet:
    """What ``export-departments``/``export-stations`` write: the newest published set, else the newest draft."""
    found = latest(cycle, ranking, ResultKind.PUBLISHED) or latest(cycle, ranking, ResultKind.DRAFT)
    if found is None:
        raise NotFound(_("%(year)d 年度尚未计算该排名。", year=cycle.year))
    return found


def blockers(cycle: Cycle) -> list[str]:
    """What stops a cycle's publication on the rankings' side: a newest draft older than its inputs."""
    return [reason for ranking in Ranking for reason in stale(cycle, ranking)]


def stale(cycle: Cycle, ranking: Ranking, draft: RankingSet | None = None) -> list[str]:
    """Why ``draft`` (by default the newest draft of ``ranking``) no longer matches its inputs, so that it may not
    be published (with the verdict or late) until computed again; empty when it matches."""
    draft = draft or latest(cycle, ranking, ResultKind.DRAFT)
    if draft is None:
        return []
    if ranking == Ranking.STATIONS:
        return _stations_stale(cycle, draft)
    return _departments_stale(cycle, draft)


def _tallies(cycle: Cycle) -> dict[int, tuple[int, int]]:
    return {unit.unit_id: (station.ratings, station.satisfied) for unit, station in gather.gather_stations(cycle)}


def _stations_stale(cycle: Cycle, draft: RankingSet) -> list[str]:
    """The stations' counted ratings now differ from those the draft ranked (ratings given, imported, held,
    excluded or counted after it was computed, or a station added): one grouped query, the computation's own."""
    if _tallies(cycle) != {row.unit_id: (row.ratings, row.satisfied) for row in draft.rows}:
        return [_("站所排名计算后群众评价有变动(新增、导入或审核),须重新计算站所排名。")]
    return []


def _departments_stale(cycle: Cycle, draft: RankingSet) -> list[str]:
    """Unit scores changed after the draft, the verdict its conduct came from recomputed, or the stations' ratings
    its derived station conduct came from changed."""
    found = []
    changed = db.session.scalar(select(func.max(UnitScore.updated_at)).where(UnitScore.cycle_id == cycle.id))
    if changed is not None and changed > draft.computed_at:
        found.append(_("部门排名计算后单位考核分数有变动,须重新计算部门排名。"))
    verdict = verdict_latest(cycle, ResultKind.DRAFT)
    derived = any(row.conduct_source == "posts" for row in draft.rows)
    if derived and verdict is not None and verdict.computed_at > draft.computed_at:
        found.append(_("评议结果重新计算后,部门排名的政风行风评议随之变化,须重新计算部门排名。"))
    from_stations = [row for row in draft.rows if row.conduct_source in ("station", "missing")]
    if from_stations:
        method, tallies = MethodSettings.from_dict(draft.method), _tallies(cycle)
        now = [gather.conduct_of(None, None, tallies.get(row.unit_id), method) for row in from_stations]
        if now != [(row.conduct, row.conduct_source) for row in from_stations]:
            found.append(_("站所群众评价有变动,部门排名中站所的政风行风评议随之变化,须重新计算部门排名。"))
    return found


def unit_history(unit_code: str) -> list:
    """A unit's department lines in every cycle the public may see, newest year first: one query."""
    public = [and_(Cycle.status == status, RankingSet.kind == kind) for status, kind in PUBLIC_KIND.items()]
    newest = (
        select(RankingSet.cycle_id, RankingSet.kind, func.max(RankingSet.version).label("version"))
        .where(RankingSet.ranking == Ranking.DEPARTMENTS)
        .group_by(RankingSet.cycle_id, RankingSet.kind)
        .subquery()
    )
    return db.session.execute(
        select(Cycle.year, Cycle.status, DepartmentResult)
        .join(RankingSet, RankingSet.id == DepartmentResult.ranking_set_id)
        .join(
            newest,
            and_(
                newest.c.cycle_id == RankingSet.cycle_id,
                newest.c.kind == RankingSet.kind,
                newest.c.version == RankingSet.version,
            ),
        )
        .join(Cycle, Cycle.id == RankingSet.cycle_id)
        .where(DepartmentResult.unit_code == unit_code, RankingSet.ranking == Ranking.DEPARTMENTS, or_(*public))
        .order_by(Cycle.year.desc())
    ).all()
