"""Scheduled jobs (SPEC §4) as plain functions calling services, and the scheduler entry points.

``make run`` starts the scheduler inside the web process (SCHEDULER_IN_PROCESS=1); production runs
``flask --app rating scheduler`` beside the gunicorn workers. However many schedulers start, only the holder of the
database lease runs jobs (``rating.services.scheduling``), and every run it makes is recorded for the run log.

Each job takes the app, works in its own app context, commits its own work and returns a figure for the run log; it
raises ``Blocked`` when it ran but could not finish (the next run retries). Jobs are idempotent: their state lives
in the data, so a run that dies is completed by the next one.
"""

import atexit
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.schedulers.blocking import BlockingScheduler
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from rating.clock import LOCAL_TZ
from rating.extensions import scheduler as background_scheduler
from rating.services.scheduling import JobRunner
from rating.verdict_jobs import (
    SCHEDULER_ACTOR_NAME,
    close_ended_cycles,
    end_notice_periods,
    open_scheduled_cycles,
    recompute_provisional,
)

log = logging.getLogger(__name__)


class AuditChainBroken(RuntimeError):
    """The nightly check found the audit chain broken: recorded as an error run, and logged."""


def verify_audit_chain(app) -> bool:
    """Nightly: walk the audit chain and every seal's batch; a break is logged and raised, so the run log shows it
    as an error."""
    from rating.services.audit import verify_chain

    with app.app_context():
        report = verify_chain()
        if not report.ok:
            log.error("audit chain broken at %s: %s", report.broken, report.reason)
            raise AuditChainBroken(_broken_in_words(report))
    log.info("audit chain intact: %d entries, %d sealed entries", report.entries, report.sealed)
    return report.ok


def _broken_in_words(report) -> str:
    """The run log's words for a break: the chained entry at which it is (a seal, for a batch of citizens' entries,
    then the entry or batch named), or the citizen's entry outside any seal."""
    reason = report.reason if report.broken == f"entry {report.broken_seq}" else f"{report.broken}: {report.reason}"
    if report.broken_seq is None:
        return _("审计日志中市民评价的记录有误:%(reason)s", reason=reason)
    return _("审计链在第 %(seq)s 条记录处断裂:%(reason)s", seq=report.broken_seq, reason=reason)


def seal_audit_log(app) -> int:
    """Every minute: citizens' audit entries written since the last run are sealed in a batch (Merkle root in one
    chained entry; rating.services.audit_seals). Returns how many were sealed."""
    from rating.services import audit, audit_seals

    with app.app_context():
        sealed = audit_seals.seal_pending(audit.Actor(SCHEDULER_ACTOR_NAME))
    log.debug("audit entries sealed: %d", sealed)
    return sealed


def expire_rating_codes(app) -> int:
    """Daily: unused rating codes long past their expiry are removed (nothing refers to an unused code)."""
    from rating.extensions import db
    from rating.services.codes import expire_unused

    with app.app_context():
        removed = expire_unused()
        db.session.commit()
    log.info("expired rating codes removed: %d", removed)
    return removed


def mark_overdue_complaints(app) -> int:
    """Hourly: overdue complaints are marked once and reminders sent (idempotent): in-app notifications in the same
    commit, then, after the commit, emails for the cases this run marked (none when MAIL_SERVER is not set)."""
    from rating.extensions import db
    from rating.mail import mail_enabled, send_all
    from rating.services.complaints import mark_overdue
    from rating.services.notifications import overdue_emails

    with app.app_context():
        marked = mark_overdue()
        emails = overdue_emails(marked) if mail_enabled(app.config) else []
        db.session.commit()
    log.info("complaints marked overdue: %d", len(marked))
    if emails:
        log.info("overdue reminder emails sent: %d of %d", send_all(app.config, emails), len(emails))
    return len(marked)


def remind_transfer_orders(app) -> int:
    """Hourly: transfer orders (调离令) whose holder already left the post end; orders due within a few working days
    are reminded once, and those past their due date marked overdue (督办) and reminded once, to the unit's HR and
    the office: in-app in the same commit, then by email. Returns how many orders were newly marked overdue."""
    from rating.extensions import db
    from rating.mail import mail_enabled, send_all
    from rating.services import audit, transfers
    from rating.services.notifications import transfer_emails

    with app.app_context():
        transfers.settle_transferred(audit.Actor(SCHEDULER_ACTOR_NAME))
        reminders = transfers.remind()
        emails = []
        if mail_enabled(app.config):
            emails = transfer_emails(reminders.due_soon, "transfer_due_soon")
            emails += transfer_emails(reminders.overdue, "transfer_overdue")
        db.session.commit()
    log.info("transfer orders: %d due soon, %d overdue", len(reminders.due_soon), len(reminders.overdue))
    if emails:
        log.info("transfer reminder emails sent: %d of %d", send_all(app.config, emails), len(emails))
    return len(reminders.overdue)


def remind_ledger_entries(app) -> int:
    """Hourly: every matter that calls for accountability has its ledger entry (the services open them as they
    go; this catches any source written another way), and open entries past their rectification deadline are
    marked and reminded once to the office and the discipline commission, like overdue complaints."""
    from rating.extensions import db
    from rating.mail import mail_enabled, send_all
    from rating.services import audit, ledger
    from rating.services.notifications import ledger_emails

    with app.app_context():
        ledger.open_missing(audit.Actor(SCHEDULER_ACTOR_NAME))
        overdue = ledger.mark_overdue()
        emails = ledger_emails(overdue) if mail_enabled(app.config) else []
        db.session.commit()
    log.info("ledger entries marked overdue: %d", len(overdue))
    if emails:
        log.info("ledger reminder emails sent: %d of %d", send_all(app.config, emails), len(emails))
    return len(overdue)


def erase_complaint_contacts(app) -> int:
    """Daily: contacts of cases concluded longer ago than COMPLAINT_RETENTION_DAYS are erased."""
    from datetime import timedelta

    from rating.extensions import db
    from rating.services.complaints import erase_contacts

    with app.app_context():
        erased = erase_contacts(timedelta(days=app.config["COMPLAINT_RETENTION_DAYS"]))
        db.session.commit()
    log.info("complaint contacts erased: %d", erased)
    return erased


@dataclass(frozen=True)
class Job:
    """A scheduled job: what it does, its name in the run log, when it runs, and its figure in words."""

    run: Callable
    label: str
    trigger: dict
    summary: Callable[[object], str] = str
    #: Also run as soon as this scheduler becomes the runner (takes the lease at start or from a dead scheduler).
    at_start: bool = False


HOURLY_GRACE = 600  #: a job missed by a busy or late-starting scheduler still runs within ten minutes

JOBS: dict[str, Job] = {
    "open_scheduled_cycles": Job(
        open_scheduled_cycles, _l("开始已到期的评议周期"), {"trigger": "cron", "minute": 5}, at_start=True
    ),
    "close_ended_cycles": Job(
        close_ended_cycles, _l("结束到期评议周期并计算"), {"trigger": "cron", "minute": 20}, at_start=True
    ),
    "recompute_provisional": Job(recompute_provisional, _l("重算临时排名"), {"trigger": "cron", "minute": 10}),
    "end_notice_periods": Job(end_notice_periods, _l("结束公示并公布结果"), {"trigger": "cron", "minute": 25}),
    "mark_overdue_complaints": Job(
        mark_overdue_complaints,
        _l("标记超期投诉并提醒"),
        {"trigger": "cron", "minute": 5},
        lambda n: _("%(n)d 件投诉新标记为超期", n=n),
    ),
    "remind_transfer_orders": Job(
        remind_transfer_orders,
        _l("督办调离令并提醒"),
        {"trigger": "cron", "minute": 35},
        lambda n: _("%(n)d 份调离令新列为逾期督办", n=n),
    ),
    "remind_ledger_entries": Job(
        remind_ledger_entries,
        _l("责任追究台账立项与整改到期提醒"),
        {"trigger": "cron", "minute": 40},
        lambda n: _("%(n)d 项责任追究事项新列为逾期", n=n),
    ),
    "expire_rating_codes": Job(
        expire_rating_codes,
        _l("清除过期未用的评价码"),
        {"trigger": "cron", "hour": 3, "minute": 0},
        lambda n: _("已清除 %(n)d 个过期未用的评价码", n=n),
    ),
    "erase_complaint_contacts": Job(
        erase_complaint_contacts,
        _l("删除到期的投诉人联系方式"),
        {"trigger": "cron", "hour": 3, "minute": 30},
        lambda n: _("已删除 %(n)d 件办结投诉的联系方式", n=n),
    ),
    "seal_audit_log": Job(
        seal_audit_log,
        _l("封存市民评价的审计记录"),
        {"trigger": "cron", "minute": "*"},
        lambda n: _("封存 %(n)d 条审计记录", n=n),
        at_start=True,
    ),
    "verify_audit_chain": Job(
        verify_audit_chain,
        _l("核验审计链"),
        {"trigger": "cron", "hour": 2, "minute": 30},
        lambda ok: _("审计链完整"),
    ),
}
HEARTBEAT = "scheduler_heartbeat"


def add_jobs(scheduler, app, runner: JobRunner | None = None) -> JobRunner:
    """Register every job on ``scheduler`` through one runner (this scheduler's lease), and the heartbeat that
    keeps or takes the lease every third of its length, starting now. The lease is released when the scheduler
    shuts down."""
    runner = runner or JobRunner(app)
    beat = max(runner.seconds // 3, 1)
    scheduler.add_job(
        runner.hold,
        "interval",
        seconds=beat,
        next_run_time=datetime.now(LOCAL_TZ),
        id=HEARTBEAT,
        coalesce=True,
        misfire_grace_time=beat,
        replace_existing=True,
    )
    for name, job in JOBS.items():
        scheduler.add_job(
            runner.run,
            args=[name, partial(job.run, app), job.summary],
            id=name,
            name=name,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=HOURLY_GRACE,
            replace_existing=True,
            **job.trigger,
        )
    runner.on_acquire = partial(_run_start_jobs, scheduler)
    scheduler.add_listener(lambda event: runner.release(), EVENT_SCHEDULER_SHUTDOWN)
    return runner


def _run_start_jobs(scheduler) -> None:
    """Becoming the runner is this scheduler's start, whether at launch or taking over from a dead one: a cycle
    that ended while no scheduler ran is closed now rather than at the next hour."""
    now = datetime.now(LOCAL_TZ)
    for name, job in JOBS.items():
        if job.at_start:
            scheduler.modify_job(name, next_run_time=now)


def start_in_process(app) -> None:
    if background_scheduler.running:
        return
    add_jobs(background_scheduler, app)
    background_scheduler.start()
    # Leave through shutdown, which releases the lease, so that the next start need not wait for it to expire.
    atexit.register(_shutdown, background_scheduler)
    log.info("scheduler started in-process with jobs: %s", [job.id for job in background_scheduler.get_jobs()])


def _shutdown(scheduler, wait: bool = False) -> None:
    if scheduler.running:
        scheduler.shutdown(wait=wait)


def _exit_on_sigterm(signum, frame):
    raise SystemExit(0)


def run_blocking(app) -> None:
    """``flask --app rating scheduler``: run until interrupted or terminated, then let running jobs finish and
    release the lease, so that a standby scheduler takes over at once."""
    if not logging.getLogger().handlers:  # say what it does on stderr, for the service manager's journal
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not every heartbeat
    scheduler = BlockingScheduler(timezone=LOCAL_TZ)
    runner = add_jobs(scheduler, app)
    atexit.register(runner.release)  # in case the process leaves some other way
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # systemd and docker stop with SIGTERM
    log.info("scheduler %s running with jobs: %s", runner.holder, [job.id for job in scheduler.get_jobs()])
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        _shutdown(scheduler, wait=True)
