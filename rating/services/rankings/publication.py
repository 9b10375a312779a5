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
from rating.services.errors import NotFound
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
    """What stops a cycle's publication on the rankings' side: unit scores changed after the department draft, or
    the verdict recomputed after a department draft whose conduct came from it."""
    draft = latest(cycle, Ranking.DEPARTMENTS, ResultKind.DRAFT)
    if draft is None:
        return []
    found = []
    changed = db.session.scalar(select(func.max(UnitScore.updated_at)).where(UnitScore.cycle_id == cycle.id))
    if changed is not None and changed > draft.computed_at:
        found.append(_("部门排名计算后单位考核分数有变动,须重新计算部门排名。"))
    verdict = verdict_latest(cycle, ResultKind.DRAFT)
    derived = any(row.conduct_source == "posts" for row in draft.rows)
    if derived and verdict is not None and verdict.computed_at > draft.computed_at:
        found.append(_("评议结果重新计算后,部门排名的政风行风评议随之变化,须重新计算部门排名。"))
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
