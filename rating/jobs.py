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


def _overdue_case_ids() -> set[int]:
    """Ids of the open cases already marked overdue; the difference across a mark_overdue call is what it marked."""
    from sqlalchemy import select

    from rating.extensions import db
    from rating.models.complaints import Complaint, ComplaintStatus

    # Only open cases are marked, and marking leaves them open: the snapshot need not cover concluded ones.
    return set(
        db.session.scalars(
            select(Complaint.id).where(
                Complaint.overdue.is_(True),
                Complaint.status.in_([ComplaintStatus.REFERRED, ComplaintStatus.IN_PROGRESS]),
                Complaint.merged_into_id.is_(None),
            )
        )
    )


def _overdue_reminders(case_ids: set[int]) -> list[tuple[list[str], str, str]]:
    """(recipients, subject, body) for each newly overdue case: the unit's enabled window staff and the complaint
    centre's enabled handlers that have an email address. No complainant name, phone or text goes by email."""
    from sqlalchemy import select

    from rating.extensions import db
    from rating.models.complaints import Complaint
    from rating.models.users import Role, User

    if not case_ids:
        return []
    with_email = (User.is_enabled.is_(True), User.email.is_not(None), User.email != "")
    handlers = list(db.session.scalars(select(User.email).where(User.role == Role.COMPLAINT_HANDLER, *with_email)))
    reminders = []
    for complaint in db.session.scalars(select(Complaint).where(Complaint.id.in_(case_ids)).order_by(Complaint.id)):
        staff = db.session.scalars(
            select(User.email).where(User.role == Role.UNIT_STAFF, User.unit_id == complaint.unit_id, *with_email)
        )
        recipients = sorted(set(staff) | set(handlers))
        if not recipients:
            continue
        deadline = complaint.deadline.isoformat() if complaint.deadline else "—"
        subject = f"【督办】投诉 {complaint.case_number} 已超过办理期限"
        body = (
            f"投诉 {complaint.case_number} 已超过办理期限,已列入督办,请尽快办结。\n\n"
            f"案件编号:{complaint.case_number}\n"
            f"承办单位:{complaint.unit.name}\n"
            f"办理期限:{deadline}\n"
            f"案件详情(请登录后台查看):/complaints/cases/{complaint.case_number}\n\n"
            "本邮件由系统自动发送,请勿回复。\n"
        )
        reminders.append((recipients, subject, body))
    return reminders


def mark_overdue_complaints(app) -> int:
    """Hourly: overdue complaints are marked once and reminders sent (idempotent): in-app notifications in the same
    commit, then, after the commit, emails for the cases this run marked (none when MAIL_SERVER is not set)."""
    from rating.extensions import db
    from rating.mail import mail_enabled, send_mail
    from rating.services.complaints import mark_overdue

    with app.app_context():
        email = mail_enabled(app.config)
        before = _overdue_case_ids() if email else set()
        marked = mark_overdue()
        reminders = _overdue_reminders(_overdue_case_ids() - before) if email and marked else []
        db.session.commit()
    log.info("complaints marked overdue: %d", marked)
    sent = sum(send_mail(app.config, recipients, subject, body) for recipients, subject, body in reminders)
    if reminders:
        log.info("overdue reminder emails sent: %d of %d", sent, len(reminders))
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
