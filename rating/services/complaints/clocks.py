"""Which clock a case is on (acceptance, signing or handling; the rules in rating.scoring.case_clocks) and the hourly
overdue marking (督办) with its reminders to the centre and the unit."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models.complaints import Complaint, ComplaintStatus
from rating.scoring import case_clocks
from rating.services.complaints.cases import _event, _notify

CLOCK_OVERDUE = {
    "acceptance": _l("未在一个工作日内转办,列入督办。"),
    "signing": _l("单位未按期签收,列入督办。"),
    "handling": _l("已超过办理期限,列入督办。"),
}


def mark_overdue(today=None) -> list[Complaint]:
    """Hourly: open cases whose running clock (rating.scoring.case_clocks) has run out are marked once (督办), with
    in-app reminders to the centre and, once referred, to the unit; returns the cases it marked, in case order, for
    the caller to email about after its commit. Idempotent: a case already marked is not marked or reminded again
    until a new clock starts."""
    today = today or local_today()
    candidates = db.session.scalars(
        select(Complaint)
        .where(
            Complaint.status != ComplaintStatus.CONCLUDED,
            Complaint.overdue.is_(False),
            Complaint.merged_into_id.is_(None),
            Complaint.confidential.is_(False),  # the commission's reports run on no centre clock
        )
        .order_by(Complaint.id)
    ).all()
    marked = []
    for complaint in candidates:
        clock = running_clock(complaint, today)
        if clock is None or not clock.overdue:
            continue
        marked.append(complaint)
        complaint.overdue = True
        _event(complaint, "system", "overdue", str(CLOCK_OVERDUE[clock.clock]), public=False)
        if clock.clock == "acceptance":
            text = _(
                "投诉 %(case)s 受理后未按期转办(%(d)s),请尽快处理。",
                case=complaint.case_number,
                d=clock.due.isoformat(),
            )
        else:
            text = _(
                "投诉 %(case)s 已超过办理期限(%(d)s),请尽快办结。",
                case=complaint.case_number,
                d=clock.due.isoformat(),
            )
            _notify(complaint.unit_id, complaint, text)
        _notify(None, complaint, text)
    db.session.flush()
    return marked


def running_clock(complaint: Complaint, today=None) -> case_clocks.Running | None:
    """The clock the case is on today (acceptance, signing or handling) and whether it has run out."""
    return case_clocks.running(
        str(complaint.status),
        complaint.refer_by,
        complaint.sign_by,
        complaint.signed_at is not None,
        complaint.deadline,
        today or local_today(),
    )
