"""The verdict's scheduled jobs (SPEC §4): opening scheduled cycles, hourly provisional standings, closing ended
cycles and computing them, ending notice periods. Plain functions taking the app, registered in rating.jobs.JOBS;
each commits its own work, per cycle, and raises ``Blocked`` when a cycle could not be finished (the next run
retries).
"""

from flask_babel import gettext as _

from rating.services.scheduling import Blocked

#: Who the verdict jobs act as, in the audit log and on result sets.
SCHEDULER_ACTOR_NAME = "scheduler"


def open_scheduled_cycles(app) -> str:
    """Hourly and at start: a cycle scheduled in advance opens on its start date (rating intake starts)."""
    from rating.extensions import db
    from rating.services import audit
    from rating.services.cycles import open_scheduled

    with app.app_context():
        opened = open_scheduled(audit.Actor(SCHEDULER_ACTOR_NAME))
        years = [cycle.year for cycle in opened]
        db.session.commit()
    lines = [_("%(year)d 年度评议周期已开始,开始接收群众评价", year=year) for year in years]
    return "\n".join(lines) or _("没有到期需要开始的评议周期。")


def _verdict_cycles(*conditions) -> list:
    from sqlalchemy import select

    from rating.extensions import db
    from rating.models.cycles import Cycle

    return list(db.session.scalars(select(Cycle).where(*conditions).order_by(Cycle.year)))


def recompute_provisional(app) -> str:
    """Hourly: the provisional standings of every open cycle, for administrators (each cycle its own commit)."""
    from rating.extensions import db
    from rating.models.cycles import Cycle, CycleStatus
    from rating.services.verdict import lifecycle

    lines = []
    with app.app_context():
        for cycle in _verdict_cycles(Cycle.status == CycleStatus.OPEN):
            provisional = lifecycle.compute_provisional(cycle, by=SCHEDULER_ACTOR_NAME)
            line = _(
                "%(year)d 年度:%(ranked)d 个岗位已排名,%(missing)d 个岗位缺少评议数据",
                year=cycle.year,
                ranked=provisional.ranked,
                missing=len(provisional.missing),
            )
            db.session.commit()
            lines.append(line)
    return "\n".join(lines) or _("没有进行中的评议周期。")


def close_ended_cycles(app) -> str:
    """Hourly and at start: an open cycle whose end date has passed is closed (rating intake stops) and finally
    computed into a draft result; a closed cycle (left blocked by an earlier run, or closed by hand) is computed.

    Closing and computing one cycle is one transaction, so a run killed midway leaves the cycle open and no draft,
    and the next run does both. When a post lacks a component the close alone is committed: intake stops at the end
    date whatever is missing, and the next run retries the computation. A computed cycle waits for an administrator
    to put it up for notice.
    """
    from sqlalchemy import and_, or_

    from rating.clock import local_today
    from rating.extensions import db
    from rating.models.cycles import Cycle, CycleStatus
    from rating.services import audit
    from rating.services.verdict import lifecycle

    actor = audit.Actor(SCHEDULER_ACTOR_NAME)
    done, blocked = [], []
    with app.app_context():
        ended = and_(Cycle.status == CycleStatus.OPEN, Cycle.ends_on < local_today())
        for cycle in _verdict_cycles(or_(ended, Cycle.status == CycleStatus.CLOSED)):
            year = cycle.year
            # Lock and re-read the cycle: an administrator may have computed it since we listed it.
            db.session.refresh(cycle, with_for_update=True)
            if cycle.status == CycleStatus.OPEN:
                lifecycle.close(actor, cycle)
            elif cycle.status != CycleStatus.CLOSED:
                db.session.rollback()
                continue
            try:
                draft = lifecycle.compute_final(actor, cycle)
            except lifecycle.MissingComponents as missing:
                # compute_final refuses before writing anything, so only the close is pending.
                db.session.commit()
                blocked.append(_("%(year)d 年度已结束评议,但未能计算:%(reason)s", year=year, reason=missing))
                continue
            line = _(
                "%(year)d 年度已结束评议并计算出结果草案(第 %(version)d 版,%(ranked)d 个岗位),待公示",
                year=year,
                version=draft.version,
                ranked=draft.ranked,
            )
            db.session.commit()
            done.append(line)
    if blocked:
        raise Blocked("\n".join(done + blocked))
    return "\n".join(done) or _("没有到期需要结束的评议周期。")


def end_notice_periods(app) -> str:
    """Hourly: a cycle whose notice period (公示) has ended is published when nothing blocks it; otherwise the run
    is blocked with the reasons (e.g. unanswered objections) until an administrator clears them."""
    from rating.clock import local_today
    from rating.extensions import db
    from rating.models.cycles import Cycle, CycleStatus
    from rating.services import audit
    from rating.services.rankings import publication as ranking_publication
    from rating.services.verdict import lifecycle, publication

    actor = audit.Actor(SCHEDULER_ACTOR_NAME)
    done, blocked = [], []
    with app.app_context():
        for cycle in _verdict_cycles(Cycle.status == CycleStatus.NOTICE, Cycle.notice_ends_on < local_today()):
            db.session.refresh(cycle, with_for_update=True)  # an administrator may have published it meanwhile
            if cycle.status != CycleStatus.NOTICE:
                db.session.rollback()
                continue
            blockers = publication.publication_blockers(cycle) + ranking_publication.blockers(cycle)
            if blockers:
                blocked.append(
                    _("%(year)d 年度公示期已结束,但暂不能公布:%(reasons)s", year=cycle.year, reasons=" ".join(blockers))
                )
                db.session.rollback()  # nothing written; let go of the cycle's lock
                continue
            published = lifecycle.publish(actor, cycle)
            line = _("%(year)d 年度结果已正式公布(第 %(version)d 版)", year=cycle.year, version=published.version)
            db.session.commit()
            done.append(line)
    if blocked:
        raise Blocked("\n".join(done + blocked))
    return "\n".join(done) or _("没有公示期已结束的评议周期。")
