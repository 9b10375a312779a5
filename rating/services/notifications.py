"""In-app notifications (站内提醒): referrals and overdue reminders for a unit's staff and for the complaint centre,
reminders of transfer orders for a unit's HR office and the efficiency office, and of the accountability ledger for
the office and the discipline commission; and the email copy of each reminder (督办提醒) to the same people. The
views read and clear the in-app ones; the jobs in ``rating.jobs`` send the emails for what their services marked."""

from collections.abc import Sequence

from sqlalchemy import select, update

from rating.extensions import db
from rating.mail import Mail, render_mail
from rating.models.base import utcnow
from rating.models.complaints import Complaint, ComplaintStatus, Notification
from rating.models.users import Role, User

#: Who hears of transfer orders (with the HR office of the order's unit) and of the ledger.
TRANSFER_OFFICE = (Role.ADMIN,)
LEDGER_OFFICE = (Role.ADMIN, Role.AUDITOR)


def _audience(user):
    if user.role == Role.UNIT_STAFF:
        return (Notification.unit_id == user.unit_id) & Notification.for_role.is_(None)
    if user.role == Role.COMPLAINT_HANDLER:  # the notices about their own centre's cases
        from rating.services.complaints import access  # the complaints package imports the ledger, which imports us

        centre_cases = Notification.complaint_id.in_(access.visible_case_ids(user))
        return Notification.unit_id.is_(None) & Notification.for_role.is_(None) & centre_cases
    if user.role == Role.HR_OFFICER:
        return (Notification.unit_id == user.unit_id) & (Notification.for_role == Role.HR_OFFICER)
    return Notification.for_role == user.role


def notify_role(role: Role, text: str, unit_id: int | None = None) -> None:
    """An in-app notice for one role (for HR officers, those of ``unit_id``); flushed with the caller's change."""
    db.session.add(Notification(for_role=role, unit_id=unit_id, text=text[:500]))


def unread_for(user, limit: int = 20) -> list[Notification]:
    audience = _audience(user)
    if audience is None:
        return []
    return db.session.scalars(
        select(Notification)
        .where(audience, Notification.read_at.is_(None))
        .order_by(Notification.id.desc())
        .limit(limit)
    ).all()


def mark_all_read(user) -> int:
    audience = _audience(user)
    if audience is None:
        return 0
    result = db.session.execute(
        update(Notification)
        .where(audience, Notification.read_at.is_(None))
        .values(read_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _addresses(*audience) -> set[str]:
    """Email addresses of the enabled users in ``audience`` that have one."""
    with_email = (User.is_enabled.is_(True), User.email.is_not(None), User.email != "")
    return set(db.session.scalars(select(User.email).where(*audience, *with_email)))


def overdue_emails(cases: Sequence[Complaint]) -> list[Mail]:
    """One reminder per newly overdue case, to the unit's window staff and the handlers of the case's centre (who
    see the in-app reminder); a case nobody can be emailed about has none. No complainant name, phone or text goes
    by email: the message names the case, its unit and deadline, and where to read it after signing in."""
    if not cases:
        return []
    emails = []
    for complaint in cases:
        handlers = _addresses(User.role == Role.COMPLAINT_HANDLER, User.centre_id == complaint.centre_id)
        # a case not yet referred (its acceptance clock ran out) is the centre's alone
        referred = complaint.status != ComplaintStatus.RECEIVED
        staff = _addresses(User.role == Role.UNIT_STAFF, User.unit_id == complaint.unit_id) if referred else set()
        if recipients := sorted(staff | handlers):
            emails.append(render_mail("overdue_reminder", recipients, complaint=complaint))
    return emails


def transfer_emails(orders: Sequence, template: str) -> list[Mail]:
    """One reminder per transfer order (``transfer_due_soon`` or ``transfer_overdue``), to the HR officers of its
    unit and the office's administrators who have an address."""
    if not orders:
        return []
    office = _addresses(User.role.in_(TRANSFER_OFFICE))
    emails = []
    for order in orders:
        hr = _addresses(User.role == Role.HR_OFFICER, User.unit_id == order.unit_id)
        if recipients := sorted(hr | office):
            emails.append(render_mail(template, recipients, order=order))
    return emails


def ledger_emails(entries: Sequence) -> list[Mail]:
    """One reminder per ledger entry past its rectification deadline, to the office and the discipline commission."""
    recipients = sorted(_addresses(User.role.in_(LEDGER_OFFICE)))
    if not entries or not recipients:
        return []
    return [render_mail("ledger_overdue", recipients, entry=entry) for entry in entries]
