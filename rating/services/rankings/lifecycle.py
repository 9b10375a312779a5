"""The rankings' steps, on the verdict's path: compute a draft (the cycle's method frozen into it), publish the
newest drafts together with the cycle's verdict (called by rating.services.verdict.lifecycle.publish), or publish a
ranking computed after the verdict was published, with a reason. A draft older than its inputs is never published
(``publication.stale``); a published department ranking's yellow cards and two-years-last flags open entries in the
accountability ledger (``ledger.open_missing``). Each step audits and flushes; the caller commits.
"""

from flask_babel import gettext as _

from rating.models.cycles import Cycle, CycleStatus
from rating.models.rankings import Ranking, RankingSet
from rating.models.results import ResultKind
from rating.services import audit, ledger
from rating.services.errors import Conflict, InvalidInput
from rating.services.rankings import gather, publication, snapshot
from rating.services.verdict.lifecycle import lock_cycle


def _computed(actor: audit.Actor, cycle: Cycle, ranking: Ranking, rows: list[dict]) -> RankingSet:
    if cycle.status == CycleStatus.SCHEDULED:
        raise Conflict(_("%(year)d 年度评议周期尚未开始。", year=cycle.year))
    if not rows:
        raise Conflict(_("%(year)d 年度没有可排名的单位。", year=cycle.year))
    draft = snapshot.write(cycle, ranking, ResultKind.DRAFT, cycle.settings.to_dict(), rows, actor.name)
    audit.record(
        actor,
        f"ranking.compute.{ranking}",
        "cycle",
        cycle.id,
        after={"draft": draft.version, "ranked": draft.ranked, "content_hash": draft.content_hash},
    )
    return draft


def compute_departments(actor: audit.Actor, cycle: Cycle) -> RankingSet:
    """部门综合考核排名: a draft from the cycle's unit scores, conduct derived where it was not entered."""
    lock_cycle(cycle)
    method = cycle.settings
    rows = snapshot.department_rows(gather.gather_departments(cycle, method), method)
    return _computed(actor, cycle, Ranking.DEPARTMENTS, rows)


def compute_stations(actor: audit.Actor, cycle: Cycle) -> RankingSet:
    """人民满意基层站所: a draft from the stations' counted ratings."""
    lock_cycle(cycle)
    method = cycle.settings
    rows = snapshot.station_rows(gather.gather_stations(cycle), method)
    return _computed(actor, cycle, Ranking.STATIONS, rows)


def publish_with_verdict(actor: audit.Actor, cycle: Cycle) -> list[RankingSet]:
    """The newest draft of each ranking, published with the cycle's verdict (the same notice, objections and
    publication; the verdict's ``publish`` has refused already when one is stale, ``publication.blockers``)."""
    published = []
    for ranking in Ranking:
        draft = publication.latest(cycle, ranking, ResultKind.DRAFT)
        if draft is not None:
            published.append(_publish(actor, cycle, draft))
    ledger.open_missing(actor)
    return published


def publish_late(actor: audit.Actor, cycle: Cycle, ranking: Ranking, reason: str) -> RankingSet:
    """A ranking computed after the cycle's verdict was published (or recomputed), published with its reason."""
    lock_cycle(cycle)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(_("请写明公布理由。"))
    draft = publication.late_draft(cycle, ranking)
    if draft is None:
        raise Conflict(_("没有待公布的排名:请在评议结果公布后先计算该排名。"))
    stale = publication.stale(cycle, ranking, draft)
    if stale:
        raise Conflict(" ".join(stale))
    published = _publish(actor, cycle, draft, reason[:2000])
    ledger.open_missing(actor)
    return published


def _publish(actor: audit.Actor, cycle: Cycle, draft: RankingSet, reason: str = "") -> RankingSet:
    published = snapshot.publish_copy(draft, cycle, reason)
    audit.record(
        actor,
        f"ranking.publish.{draft.ranking}",
        "cycle",
        cycle.id,
        after={"version": published.version, "reason": reason, "content_hash": published.content_hash},
    )
    return published
