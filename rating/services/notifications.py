"""In-app notifications (站内提醒): referrals and overdue reminders for a unit's staff and for the complaint centre."""

from sqlalchemy import select, update

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.complaints import Notification
from rating.models.users import Role


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
