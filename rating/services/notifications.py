"""In-app notifications (站内提醒): referrals and overdue reminders for a unit's staff and for the complaint centre,
and the email copy of an overdue reminder (督办提醒) to the same people. The views read and clear the in-app ones;
the hourly job in ``rating.jobs`` sends the emails for the cases ``services.complaints.mark_overdue`` marked."""

from collections.abc import Sequence

from sqlalchemy import select, update

from rating.extensions import db
from rating.mail import Mail, render_mail
from rating.models.base import utcnow
from rating.models.complaints import Complaint, Notification
from rating.models.users import Role, User


def _audience(user):
    if user.role == Role.UNIT_STAFF:
        return Notification.unit_id == user.unit_id
    if user.role == Role.COMPLAINT_HANDLER:
        return Notification.unit_id.is_(None)
    return None


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
    """One reminder per newly overdue case, to the unit's window staff and the complaint centre's handlers (who
    see the in-app reminder); a case nobody can be emailed about has none. No complainant name, phone or text goes
    by email: the message names the case, its unit and deadline, and where to read it after signing in."""
    if not cases:
        return []
    handlers = _addresses(User.role == Role.COMPLAINT_HANDLER)
    emails = []
    for complaint in cases:
        staff = _addresses(User.role == Role.UNIT_STAFF, User.unit_id == complaint.unit_id)
        if recipients := sorted(staff | handlers):
            emails.append(render_mail("overdue_reminder", recipients, complaint=complaint))
    return emails
