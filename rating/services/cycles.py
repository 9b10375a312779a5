"""Use cases on evaluation cycles (评议周期)."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models.cycles import Cycle, CycleStatus
from rating.scoring.method import InvalidMethod, MethodSettings
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput, NotFound
from rating.services.partitions import add_cycle_partition


def snapshot(cycle: Cycle) -> dict:
    return {
        "year": cycle.year,
        "starts_on": cycle.starts_on.isoformat(),
        "ends_on": cycle.ends_on.isoformat(),
        "status": str(cycle.status),
        "method": cycle.method,
    }


def create_cycle(
    actor: audit.Actor, year: int, starts_on: date | None = None, ends_on: date | None = None, method=None
) -> Cycle:
    """A new cycle, scheduled or open by its dates; on PostgreSQL with its own partition of the ratings, made in
    the same transaction (rating.services.partitions)."""
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("年度须在 2000–2100 之间"))
    starts_on = starts_on or date(year, 1, 1)
    ends_on = ends_on or date(year, 12, 31)
    if ends_on < starts_on:
        raise InvalidInput(_("结束日期不能早于开始日期"))
    try:
        settings = MethodSettings.from_dict(method) if method else MethodSettings()
    except InvalidMethod as exc:
        raise InvalidInput(_("评议办法参数有误:%(problems)s", problems=str(exc))) from exc
    if find_cycle(year) is not None:
        raise Conflict(_("%(year)d 年度的评议周期已存在", year=year))
    status = CycleStatus.SCHEDULED if starts_on > local_today() else CycleStatus.OPEN
    cycle = Cycle(year=year, starts_on=starts_on, ends_on=ends_on, status=status, method=settings.to_dict())
    db.session.add(cycle)
    db.session.flush()
    add_cycle_partition(cycle.id)
    audit.record(actor, "cycle.create", "cycle", cycle.id, after=snapshot(cycle))
    return cycle


def find_cycle(year: int) -> Cycle | None:
    """The cycle of ``year``, or None: the one query every caller uses to find a cycle by its year."""
    return db.session.scalar(select(Cycle).where(Cycle.year == year))


def cycle_by_year(year: int) -> Cycle:
    """The cycle of ``year``; raises NotFound (a 404 in views, a refusal on the command line)."""
    cycle = find_cycle(year)
    if cycle is None:
        raise NotFound(_("%(year)d 年度的评议周期不存在", year=year))
    return cycle


def covering(day: date):
    """The SQL condition: the cycle's dates cover ``day``."""
    return (Cycle.starts_on <= day) & (Cycle.ends_on >= day)


def open_cycle() -> Cycle | None:
    """The cycle taking ratings today: open, and its dates cover today."""
    return db.session.scalar(
        select(Cycle).where(Cycle.status == CycleStatus.OPEN, covering(local_today())).order_by(Cycle.year.desc())
    )


def current_cycle() -> Cycle | None:
    """The cycle the site is about today: the open one covering today, else the latest one that has started (its
    rating closed, its result on the way or out). A cycle scheduled for later is never current."""
    return open_cycle() or db.session.scalar(
        select(Cycle).where(Cycle.starts_on <= local_today()).order_by(Cycle.starts_on.desc()).limit(1)
    )


def open_scheduled(actor: audit.Actor) -> list[Cycle]:
    """The scheduler, at a scheduled cycle's start date: it opens (rating intake starts). Returns what it opened."""
    opened = list(
        db.session.scalars(select(Cycle).where(Cycle.status == CycleStatus.SCHEDULED, Cycle.starts_on <= local_today()))
    )
    for cycle in opened:
        cycle.status = CycleStatus.OPEN
        db.session.flush()
        audit.record(actor, "cycle.open", "cycle", cycle.id, before={"status": "scheduled"}, after={"status": "open"})
    return opened


def change_method(by: audit.Actor, cycle: Cycle, changes: dict) -> bool:
    """Set some of an unfrozen cycle's method settings (评议办法参数); returns whether anything changed.

    Frozen once the cycle is computed: a result is always explained by the settings stored with it.
    """
    if cycle.method_frozen:
        raise Conflict(_("%(year)d 年度结果已计算,评议办法参数已冻结。", year=cycle.year))
    try:
        settings = MethodSettings.from_dict({**cycle.method, **changes})
    except InvalidMethod as exc:
        raise InvalidInput(_("评议办法参数有误:%(problems)s", problems=str(exc))) from exc
    before, after = cycle.method, settings.to_dict()
    if after == before:
        return False
    cycle.method = after
    db.session.flush()
    audit.record(by, "cycle.method", "cycle", cycle.id, before={"method": before}, after={"method": after})
    return True


def move_notice(actor: audit.Actor, cycle: Cycle, starts_on: date, reason: str) -> None:
    """Move a running notice period (公示期) to start on ``starts_on``, keeping its length, with a reason.

    For the demo, whose last-year cycle goes to notice when the seed runs but must show a notice period that lay in
    the January after it (rating.demo.history); the lifecycle always starts a notice today."""
    if cycle.status != CycleStatus.NOTICE:
        raise Conflict(_("只有公示中的评议周期可以调整公示期。"))
    if not reason.strip():
        raise InvalidInput(_("请填写调整理由。"))
    before = {"from": cycle.notice_starts_on.isoformat(), "to": cycle.notice_ends_on.isoformat()}
    length = cycle.notice_ends_on - cycle.notice_starts_on
    cycle.notice_starts_on, cycle.notice_ends_on = starts_on, starts_on + length
    db.session.flush()
    after = {"from": cycle.notice_starts_on.isoformat(), "to": cycle.notice_ends_on.isoformat(), "reason": reason}
    audit.record(actor, "cycle.notice_dates", "cycle", cycle.id, before=before, after=after)
