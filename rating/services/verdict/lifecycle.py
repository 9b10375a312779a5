"""The verdict's state machine (评议周期): open → closed → computed → in notice → published, and corrections.

One function per step; each checks that the cycle is in a state that allows it, changes it, writes the audit entry
and flushes (the caller commits once). Called by the verdict desk (rating.admin.verdict), the commands and the
scheduled jobs, so a step taken anywhere leaves the same trace.
"""

import gc
from contextlib import contextmanager
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle, CycleStatus
from rating.models.results import ResultKind, ResultSet
from rating.scoring.method import MethodSettings
from rating.services import audit, ledger, sources, transfers
from rating.services.errors import Conflict, InvalidInput
from rating.services.verdict import snapshot
from rating.services.verdict.gather import CycleInputs, gather
from rating.services.verdict.publication import latest, publication_blockers

#: The states whose standings are provisional (before the final computation).
PROVISIONAL_STATES = (CycleStatus.OPEN, CycleStatus.CLOSED)


class MissingComponents(Conflict):
    """Final computation refused: some posts lack an assessment or an inspection score."""

    def __init__(self, missing: list[tuple[str, list[str]]]):
        self.missing = missing
        names = {"assessment": _("年度考核"), "inspection": _("综合检查评议")}
        listed = "; ".join(f"{code}: {', '.join(names[c] for c in parts)}" for code, parts in missing)
        super().__init__(_("%(n)d 个岗位缺少评议数据,不能计算:%(list)s", n=len(missing), list=listed))


class SourcesAwaitingReview(Conflict):
    """Final computation refused: a source group larger than the office's review size waits for review (刷评)."""

    def __init__(self, waiting: list[tuple[str, str, int]]):
        self.waiting = waiting
        listed = "; ".join(
            _("%(code)s(%(network)s,%(n)d 条)", code=code, network=network, n=n) for code, network, n in waiting
        )
        super().__init__(_("%(n)d 个疑似刷评来源尚待审核,审核后才能计算:%(list)s", n=len(waiting), list=listed))


@contextmanager
def collector_paused():
    """Computing a set builds a dozen small objects per line that all live until the set is written, and CPython's
    cyclic collector walks every one of them again at each of its passes: at 10,000 lines that is about a third of
    the computation's CPU time (bench/compute.py). None of them is cyclic garbage, so the collector waits until the
    computation is done; it runs again as soon as it is re-enabled."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def lock_cycle(cycle: Cycle) -> Cycle:
    """Serialise verdict work on one cycle (a row lock on PostgreSQL; SQLite has one writer anyway)."""
    db.session.execute(select(Cycle.id).where(Cycle.id == cycle.id).with_for_update())
    return cycle


@collector_paused()
def compute_provisional(cycle: Cycle, by: str = "scheduler") -> ResultSet:
    """Hourly standings of an open cycle for administrators: missing components shown as missing, the previous
    provisional set replaced."""
    lock_cycle(cycle)
    if cycle.status not in PROVISIONAL_STATES:
        raise Conflict(_("只有进行中或已结束评议、尚未计算的周期有实时排名。"))
    method = cycle.settings
    inputs = gather(cycle)
    rows = sources.with_withheld(cycle, snapshot.rows(inputs, method, provisional=True))
    version = snapshot.replace_provisional(cycle)
    return snapshot.write(cycle, ResultKind.PROVISIONAL, method, inputs, rows, by, version)


def _final_rows(cycle: Cycle, method: MethodSettings, post_ids=None) -> tuple[CycleInputs, list[dict]]:
    inputs = gather(cycle, post_ids)
    missing = inputs.missing(method)
    if missing:
        raise MissingComponents(missing)
    if not any(line.ranked(method) for line in inputs.posts):
        raise Conflict(_("没有在岗的关键岗位,无法计算。"))
    waiting = sources.awaiting_review(cycle, method)
    if waiting:
        raise SourcesAwaitingReview(waiting)
    return inputs, sources.with_withheld(cycle, snapshot.rows(inputs, method))


def close(actor: audit.Actor, cycle: Cycle) -> None:
    """结束评议: rating intake stops. Officials' entries and imports are still taken until notice."""
    if cycle.status != CycleStatus.OPEN:
        raise Conflict(_("%(year)d 年度评议周期不在进行中。", year=cycle.year))
    cycle.status = CycleStatus.CLOSED
    db.session.flush()
    audit.record(actor, "cycle.close", "cycle", cycle.id, before={"status": "open"}, after={"status": "closed"})


def _titles(rows) -> list[tuple[str, str]]:
    return sorted((row.post_code, str(row.title)) for row in rows if row.title)


@collector_paused()
def compute_final(actor: audit.Actor, cycle: Cycle) -> ResultSet:
    """Final computation: a draft result of a closed cycle (an open one is closed first), or a recomputation while
    computed or in notice. The method settings are frozen into the result. Refused, naming every post, while any
    post lacks an assessment or an inspection score, and while a large source group waits for review."""
    lock_cycle(cycle)
    if cycle.status == CycleStatus.PUBLISHED:
        raise Conflict(_("%(year)d 年度结果已公布;如需更正,请发布更正版本。", year=cycle.year))
    method = cycle.settings
    inputs, rows = _final_rows(cycle, method)
    if cycle.status == CycleStatus.OPEN:
        close(actor, cycle)
    previous = latest(cycle, ResultKind.DRAFT) if cycle.status == CycleStatus.NOTICE else None
    result_set = snapshot.write(cycle, ResultKind.DRAFT, method, inputs, rows, actor.name)
    before = {"status": str(cycle.status), "result_stale": cycle.result_stale}
    if cycle.status == CycleStatus.CLOSED:
        cycle.status = CycleStatus.COMPUTED
    if previous is not None and _titles(previous.rows) != _titles(result_set.rows):
        # A recomputation during notice that changes who gets a title or a warning restarts the notice, so that
        # everyone named in the new draft has the full period to object or reply.
        before["notice"] = [str(cycle.notice_starts_on), str(cycle.notice_ends_on)]
        _set_notice(cycle, method.notice_days)
    cycle.result_stale = False
    db.session.flush()
    after = {
        "status": str(cycle.status),
        "notice": [str(cycle.notice_starts_on), str(cycle.notice_ends_on)],
        "draft": result_set.version,
        "ranked": result_set.ranked,
        "content_hash": result_set.content_hash,
    }
    audit.record(actor, "result.compute", "cycle", cycle.id, before=before, after=after)
    return result_set


def _set_notice(cycle: Cycle, days: int) -> None:
    today = local_today()
    cycle.notice_starts_on, cycle.notice_ends_on = today, today + timedelta(days=days - 1)


def start_notice(actor: audit.Actor, cycle: Cycle, days: int | None = None) -> None:
    """开始公示: the newest draft becomes public for ``days`` days (the method's notice_days by default)."""
    lock_cycle(cycle)
    if cycle.status != CycleStatus.COMPUTED:
        raise Conflict(_("只有已计算、尚未公示的评议周期可以开始公示。"))
    if cycle.result_stale:
        raise Conflict(_("计算后评议数据又有变动,请先重新计算。"))
    days = days or cycle.settings.notice_days
    if days < 1:
        raise InvalidInput(_("公示期至少 1 天。"))
    cycle.status = CycleStatus.NOTICE
    _set_notice(cycle, days)
    db.session.flush()
    audit.record(
        actor,
        "cycle.notice",
        "cycle",
        cycle.id,
        before={"status": "computed"},
        after={"status": "notice", "from": cycle.notice_starts_on.isoformat(), "to": cycle.notice_ends_on.isoformat()},
    )


def publish(actor: audit.Actor, cycle: Cycle, at: datetime | None = None) -> ResultSet:
    """正式公布: after the notice period, with every objection answered and nothing changed since computing. Each
    warned line gets a transfer order and a ledger entry; the newest department and station drafts are published
    with the verdict. ``at`` dates a publication recorded after the fact (the demo's last year); no form or command
    passes it."""
    # The rankings beside the verdict (SPEC §6) are published with it; imported here, as they build on this module.
    from rating.services.rankings import lifecycle as rankings
    from rating.services.rankings import publication as ranking_publication

    lock_cycle(cycle)
    blockers = publication_blockers(cycle) + ranking_publication.blockers(cycle)
    if blockers:
        raise Conflict(" ".join(blockers))
    published = snapshot.publish_copy(latest(cycle, ResultKind.DRAFT), cycle, at=at)
    cycle.status = CycleStatus.PUBLISHED
    db.session.flush()
    audit.record(
        actor,
        "result.publish",
        "cycle",
        cycle.id,
        before={"status": "notice"},
        after={"status": "published", "version": published.version, "content_hash": published.content_hash},
    )
    rankings.publish_with_verdict(actor, cycle)
    _follow_through(actor, published)
    return published


def _follow_through(actor: audit.Actor, published: ResultSet) -> None:
    """A published warning opens a transfer order (调离令) and, with it, an entry in the accountability ledger."""
    transfers.open_orders(actor, published)
    ledger.open_missing(actor)


@collector_paused()
def publish_correction(actor: audit.Actor, cycle: Cycle, reason: str) -> ResultSet:
    """更正: recompute a published cycle from the (amended) records and publish it as a new version with its
    reason; the earlier versions stay readable."""
    lock_cycle(cycle)
    if cycle.status != CycleStatus.PUBLISHED:
        raise Conflict(_("只有已公布的结果可以更正。"))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(_("请写明更正理由。"))
    method = cycle.settings
    ranked_posts = [row.post_id for row in latest(cycle, ResultKind.PUBLISHED).rows]
    inputs, rows = _final_rows(cycle, method, ranked_posts)
    published = snapshot.write(
        cycle, ResultKind.PUBLISHED, method, inputs, rows, actor.name, published_at=utcnow(), reason=reason[:2000]
    )
    cycle.result_stale = False
    db.session.flush()
    audit.record(
        actor,
        "result.correct",
        "cycle",
        cycle.id,
        after={"version": published.version, "reason": published.reason, "content_hash": published.content_hash},
    )
    _follow_through(actor, published)  # only warned lines new in the correction get an order
    return published
