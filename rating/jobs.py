"""Scheduled jobs (SPEC §4) as plain functions calling services, and the scheduler entry points.

``make run`` starts the scheduler inside the web process (SCHEDULER_IN_PROCESS=1); production runs exactly one
``flask --app rating scheduler`` process beside the gunicorn workers. Jobs are idempotent: their state lives in the
data, so a run that dies is completed by the next one.
"""

import logging

from apscheduler.schedulers.blocking import BlockingScheduler

from rating.extensions import scheduler as background_scheduler

log = logging.getLogger(__name__)


def verify_audit_chain(app) -> bool:
    """Nightly: walk the audit chain and log loudly if it is broken."""
    from rating.services.audit import verify_chain

    with app.app_context():
        report = verify_chain()
    if report.ok:
        log.info("audit chain intact: %d entries", report.entries)
    else:
        log.error("audit chain broken at entry %s: %s", report.broken_seq, report.reason)
    return report.ok


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
    """Hourly: overdue complaints are marked once and reminders sent (idempotent)."""
    from rating.extensions import db
    from rating.services.complaints import mark_overdue

    with app.app_context():
        marked = mark_overdue()
        db.session.commit()
    log.info("complaints marked overdue: %d", marked)
    return marked


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


def add_jobs(scheduler, app) -> None:
    scheduler.add_job(
        verify_audit_chain, "cron", hour=2, minute=30, args=[app], id="verify_audit_chain", replace_existing=True
    )
    scheduler.add_job(
        mark_overdue_complaints, "cron", minute=5, args=[app], id="mark_overdue_complaints", replace_existing=True
    )
    scheduler.add_job(
        erase_complaint_contacts,
        "cron",
        hour=3,
        minute=30,
        args=[app],
        id="erase_complaint_contacts",
        replace_existing=True,
    )
    scheduler.add_job(
        expire_rating_codes, "cron", hour=3, minute=0, args=[app], id="expire_rating_codes", replace_existing=True
    )


def start_in_process(app) -> None:
    if background_scheduler.running:
        return
    add_jobs(background_scheduler, app)
    background_scheduler.start()
    log.info("scheduler started in-process with jobs: %s", [job.id for job in background_scheduler.get_jobs()])


def run_blocking(app) -> None:
    scheduler = BlockingScheduler(timezone="Asia/Shanghai")
    add_jobs(scheduler, app)
    log.info("scheduler running with jobs: %s", [job.id for job in scheduler.get_jobs()])
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
