"""Which cases a back-office user may see and work (案件可见范围), the one rule every route under /complaints, the
notices, the duplicate suggestions and the overdue reminders go through:

- the office (效能办, admin) and the discipline commission (纪委, auditor) see every case of the centres;
- a complaint handler sees the cases of their own centre (rating.services.complaints.centres) only;
- a unit's staff see the cases referred to their unit, once referred;
- nobody else sees any;
- nobody sees a confidential report here (rating.services.complaints.reports: the commission's own desk).

The views refuse a case outside the rule with 403, the lists and notices never show it.
"""

from sqlalchemy import ColumnElement, and_, false, select, true

from rating.extensions import db
from rating.models.complaints import Complaint, ComplaintStatus
from rating.models.users import Role
from rating.services.complaints.reports import CENTRE_CASES


def case_scope(user) -> ColumnElement[bool]:
    """The SQL condition on ``Complaint`` of the cases ``user`` may see; never a confidential report to the
    discipline commission, which the commission reads at its own desk (rating.services.complaints.reports)."""
    return and_(CENTRE_CASES, _scope(user))


def _scope(user) -> ColumnElement[bool]:
    if user.role in (Role.ADMIN, Role.AUDITOR):
        return true()
    if user.role == Role.COMPLAINT_HANDLER and user.centre_id is not None:
        return Complaint.centre_id == user.centre_id
    if user.role == Role.UNIT_STAFF:
        return and_(Complaint.unit_id == user.unit_id, Complaint.status != ComplaintStatus.RECEIVED)
    return false()


def visible_case_ids(user):
    """A subquery of the ids of the cases ``user`` may see (for the notices about them)."""
    return select(Complaint.id).where(case_scope(user))


def may_see(user, complaint: Complaint) -> bool:
    return db.session.scalar(select(Complaint.id).where(Complaint.id == complaint.id, case_scope(user))) is not None
