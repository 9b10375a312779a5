"""Which result is shown, to whom, and when (评议结果的公开): the one answer that the public pages, the verdict
desk, the API, the exports and the scheduler all ask.

- The public sees a cycle's newest published version, or during public notice (公示) its newest draft; nothing of
  a cycle before that.
- The verdict desk (administrators, auditors) sees the provisional standings while the cycle is open or closed,
  then the newest draft, and once published the newest published version.
- Notice is open from its first day to its last, inclusive (Asia/Shanghai dates).
"""

from datetime import date, datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from rating.clock import local_today
from rating.extensions import db
from rating.models.cycles import Cycle, CycleStatus
from rating.models.results import Objection, Result, ResultKind, ResultSet
from rating.services.errors import NotFound

#: Which kind of set the public sees in which cycle state.
PUBLIC_KIND = {CycleStatus.PUBLISHED: ResultKind.PUBLISHED, CycleStatus.NOTICE: ResultKind.DRAFT}
#: Which kind of set the verdict desk shows in which cycle state.
DESK_KIND = {
    CycleStatus.SCHEDULED: ResultKind.PROVISIONAL,
    CycleStatus.OPEN: ResultKind.PROVISIONAL,
    CycleStatus.CLOSED: ResultKind.PROVISIONAL,
    CycleStatus.COMPUTED: ResultKind.DRAFT,
    CycleStatus.NOTICE: ResultKind.DRAFT,
    CycleStatus.PUBLISHED: ResultKind.PUBLISHED,
}
_public_kind = or_(*(and_(Cycle.status == status, ResultSet.kind == kind) for status, kind in PUBLIC_KIND.items()))


def notice_open(status: CycleStatus, notice_ends_on: date | None) -> bool:
    """Objections and holders' replies are taken while the notice period runs."""
    return status == CycleStatus.NOTICE and notice_ends_on is not None and local_today() <= notice_ends_on


def cycle_notice_open(cycle: Cycle) -> bool:
    return notice_open(cycle.status, cycle.notice_ends_on)


def latest(cycle: Cycle, kind: ResultKind) -> ResultSet | None:
    return db.session.scalar(
        select(ResultSet)
        .where(ResultSet.cycle_id == cycle.id, ResultSet.kind == kind)
        .order_by(ResultSet.version.desc())
        .limit(1)
    )


def public_result(cycle: Cycle) -> ResultSet | None:
    """What the public may see of a cycle: the newest published version, or during notice the newest draft."""
    kind = PUBLIC_KIND.get(cycle.status)
    return latest(cycle, kind) if kind is not None else None


def desk_result(cycle: Cycle) -> ResultSet | None:
    """The standings the verdict desk shows for the cycle's state."""
    return latest(cycle, DESK_KIND[cycle.status])


def newest_versions() -> dict[tuple[int, str], int]:
    """The newest draft and published version of every cycle, by (cycle id, kind): one query."""
    rows = db.session.execute(
        select(ResultSet.cycle_id, ResultSet.kind, func.max(ResultSet.version))
        .where(ResultSet.kind != ResultKind.PROVISIONAL)
        .group_by(ResultSet.cycle_id, ResultSet.kind)
    )
    return {(cycle_id, str(kind)): version for cycle_id, kind, version in rows}


def published_versions(cycle: Cycle) -> list[ResultSet]:
    return list(
        db.session.scalars(
            select(ResultSet)
            .where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PUBLISHED)
            .order_by(ResultSet.version.desc())
        )
    )


def published_version(cycle: Cycle, version: int | None = None) -> ResultSet | None:
    """A published version of the cycle (the newest without ``version``), or None."""
    return next((v for v in published_versions(cycle) if version is None or v.version == version), None)


def for_export(cycle: Cycle, version: int | None = None) -> ResultSet:
    """The set ``export-results`` writes: a given published version, else the newest published one, else the
    newest draft."""
    if version is not None:
        found = published_version(cycle, version)
        if found is None:
            raise NotFound(_("%(year)d 年度没有第 %(v)d 版公布结果。", year=cycle.year, v=version))
        return found
    found = latest(cycle, ResultKind.PUBLISHED) or latest(cycle, ResultKind.DRAFT)
    if found is None:
        raise NotFound(_("%(year)d 年度尚未计算结果。", year=cycle.year))
    return found


def unanswered(cycle: Cycle) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.cycle_id == cycle.id, Objection.answered_at.is_(None))
    )


def publication_blockers(cycle: Cycle) -> list[str]:
    """Why the cycle cannot be published now (empty when it can)."""
    if cycle.status != CycleStatus.NOTICE:
        return [_("结果须先经公示才能公布。")]
    blockers = []
    if cycle_notice_open(cycle):
        blockers.append(_("公示期至 %(day)s 结束。", day=cycle.notice_ends_on.isoformat()))
    open_count = unanswered(cycle)
    if open_count:
        blockers.append(_("还有 %(n)d 件异议或申辩未答复。", n=open_count))
    if cycle.result_stale:
        blockers.append(_("公示后评议数据有变动,须重新计算。"))
    return blockers


class Shown(NamedTuple):
    """The set a cycle's public pages show, and everything else those pages depend on (a cache key)."""

    cycle_id: int
    year: int
    status: CycleStatus
    notice_starts_on: date | None
    notice_ends_on: date | None
    set_id: int
    version: int
    content_hash: str
    #: The newest published set of any cycle: a post's history on other cycles' pages changes with it.
    newest_published: int

    @property
    def notice_open(self) -> bool:
        return notice_open(self.status, self.notice_ends_on)

    @property
    def final(self) -> bool:
        """A published set never changes again; a draft in notice may."""
        return self.status == CycleStatus.PUBLISHED


def shown(year: int) -> Shown | None:
    """The set the public pages of ``year`` show, with its cycle's state: one query."""
    newest_published = select(func.max(ResultSet.id)).where(ResultSet.kind == ResultKind.PUBLISHED)
    row = db.session.execute(
        select(
            Cycle.id,
            Cycle.year,
            Cycle.status,
            Cycle.notice_starts_on,
            Cycle.notice_ends_on,
            ResultSet.id,
            ResultSet.version,
            ResultSet.content_hash,
            newest_published.scalar_subquery(),
        )
        .join(ResultSet, ResultSet.cycle_id == Cycle.id)
        .where(Cycle.year == year, _public_kind)
        .order_by(ResultSet.version.desc())
        .limit(1)
    ).first()
    return Shown(*row) if row is not None else None


class PublicCycle(NamedTuple):
    """A cycle in the public list of results, with the set it shows."""

    year: int
    status: CycleStatus
    notice_starts_on: date | None
    notice_ends_on: date | None
    set_id: int
    version: int
    content_hash: str
    published_at: datetime | None
    ranked: int

    @property
    def notice_open(self) -> bool:
        return notice_open(self.status, self.notice_ends_on)


def public_cycles() -> tuple[PublicCycle, ...]:
    """Every cycle the public may see a result of, newest year first, with the set it shows: one query."""
    listed = db.session.execute(
        select(
            Cycle.year,
            Cycle.status,
            Cycle.notice_starts_on,
            Cycle.notice_ends_on,
            ResultSet.id,
            ResultSet.version,
            ResultSet.content_hash,
            ResultSet.published_at,
            ResultSet.ranked,
        )
        .join(ResultSet, ResultSet.cycle_id == Cycle.id)
        .where(_public_kind)
        .order_by(Cycle.year.desc(), ResultSet.version.desc())
    ).all()
    newest = {}
    for row in listed:  # the newest public set of each cycle (sets arrive newest first)
        newest.setdefault(row.year, PublicCycle(*row))
    return tuple(newest.values())


def result_set(set_id: int) -> ResultSet | None:
    """A set with its rows and cycle loaded (two more queries, not one per row)."""
    return db.session.scalar(
        select(ResultSet)
        .where(ResultSet.id == set_id)
        .options(selectinload(ResultSet.rows), selectinload(ResultSet.cycle))
    )


def published_set_id(cycle_id: int, version: int) -> int | None:
    return db.session.scalar(
        select(ResultSet.id).where(
            ResultSet.cycle_id == cycle_id, ResultSet.kind == ResultKind.PUBLISHED, ResultSet.version == version
        )
    )


def lines(set_id: int, post_code: str) -> list[Result]:
    """One post's lines of a set (one per holder, ranked first), with their set and cycle."""
    return db.session.scalars(
        select(Result)
        .where(Result.result_set_id == set_id, Result.post_code == post_code)
        .options(selectinload(Result.result_set).selectinload(ResultSet.cycle))
        .order_by(Result.position)
    ).all()


def published_history(post_code: str) -> list:
    """A post's lines in every published cycle (the newest version of each), newest year first: one query."""
    newest = (
        select(ResultSet.cycle_id, func.max(ResultSet.version).label("version"))
        .where(ResultSet.kind == ResultKind.PUBLISHED)
        .group_by(ResultSet.cycle_id)
        .subquery()
    )
    return db.session.execute(
        select(Cycle.year, ResultSet.version, ResultSet.ranked, Result)
        .join(ResultSet, ResultSet.id == Result.result_set_id)
        .join(newest, and_(newest.c.cycle_id == ResultSet.cycle_id, newest.c.version == ResultSet.version))
        .join(Cycle, Cycle.id == ResultSet.cycle_id)
        .where(
            Result.post_code == post_code,
            ResultSet.kind == ResultKind.PUBLISHED,
            Cycle.status == CycleStatus.PUBLISHED,
        )
        .order_by(Cycle.year.desc())
    ).all()
