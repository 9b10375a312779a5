"""The confidential channel to the discipline commission (保密举报,直送纪委).

A citizen who reports a civil servant for a breach of discipline may file it here instead of with the complaint
centre. The report goes to the discipline-commission role alone: the centre's handlers, the efficiency office and the
unit never see it (not in their lists, their case pages, their notices, the duplicates shown beside a case, or the
audit log's names of post and unit while it is unverified), and the public only counts it. The commission looks
into it (核查), concludes it with a finding and a reply the reporter reads with the query code, or, when it is not a
matter of discipline, hands it to the complaint centre, from which point it is an ordinary case. A concluded report
counts in the verdict as any concluded complaint does (SPEC §3), since by then it is verified.

``CENTRE_CASES`` is the one condition every other reader of complaints adds.
"""

from dataclasses import replace
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.complaints import Category, Complaint, ComplaintStatus
from rating.models.users import Role
from rating.scoring import case_clocks
from rating.services import audit
from rating.services.complaints.cases import (
    Intake,
    _event,
    _local_day,
    _notify,
    _settle,
    _snapshot,
    audited,
    file_complaint,
)
from rating.services.complaints.centres import centre_for
from rating.services.errors import Conflict, InvalidInput, NotFound
from rating.services.notifications import notify_role

#: The complaint centre's cases (and the unit's, and the public's): everything but the commission's reports.
CENTRE_CASES = Complaint.confidential.is_(False)
#: A report the commission has not concluded yet.
OPEN = (ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS)


def file_report(actor: audit.Actor, intake: Intake, at: datetime | None = None) -> tuple[Complaint, str]:
    """Take in a report (in the 违规违纪 area whatever the form said); the commission is told a report arrived, and
    nothing more (the notice names neither the post nor the unit)."""
    complaint, code = file_complaint(actor, replace(intake, category=Category.DISCIPLINE.value), at, confidential=True)
    notify_role(Role.AUDITOR, _("收到保密举报 %(case)s,请在“保密举报”中办理。", case=complaint.case_number))
    return complaint, code


def report_by_number(case_number: str) -> Complaint:
    """The commission's report of a case number; any other case is not found here."""
    complaint = db.session.scalar(
        select(Complaint).where(Complaint.case_number == case_number.strip().upper(), Complaint.confidential)
    )
    if complaint is None:
        raise NotFound(_("举报不存在。"))
    return complaint


def report_is_open(report: Complaint) -> bool:
    """Whether the commission may still look into, conclude or hand on the report."""
    return report.confidential and report.status in OPEN


def _check_open(complaint: Complaint) -> None:
    if not report_is_open(complaint):
        raise Conflict(_("该举报已办结,不能再办理。"))


def investigate(actor: audit.Actor, complaint: Complaint, note: str, at: datetime | None = None) -> None:
    """核查: the commission notes what it did (internal); the reporter sees the report is being looked into."""
    _check_open(complaint)
    if not note.strip():
        raise InvalidInput(_("请填写核查情况。"))
    before = _snapshot(complaint)
    if complaint.status == ComplaintStatus.RECEIVED:
        complaint.status = ComplaintStatus.IN_PROGRESS
        _event(complaint, actor.name, "progress", _("纪委正在核查。"), at=at)
    _event(complaint, actor.name, "progress", note.strip()[:2000], public=False, at=at)
    audited(actor, "complaint.investigate", complaint, before)


def conclude_report(actor: audit.Actor, complaint: Complaint, finding: str, reply: str, at=None) -> None:
    """办结: the finding and the reply to the reporter; it counts in the verdict of the cycle it is concluded in."""
    _check_open(complaint)
    _settle(actor, complaint, finding, reply, at, "concluded", None)


def to_centre(actor: audit.Actor, complaint: Complaint, category: str, note: str, at: datetime | None = None) -> None:
    """转投诉中心: not a matter of discipline (e.g. a service complaint); the centre takes it in as an ordinary case
    in the area the commission names, on the acceptance clock from today."""
    _check_open(complaint)
    try:
        complaint.category = Category(category)
    except ValueError:
        raise InvalidInput(_("请选择问题类别。")) from None
    if not note.strip():
        raise InvalidInput(_("请说明转投诉中心的理由。"))
    before = _snapshot(complaint)
    complaint.confidential, complaint.status = False, ComplaintStatus.RECEIVED
    complaint.centre_id = centre_for(complaint.unit).id
    complaint.refer_by = case_clocks.acceptance_due(_local_day(at))
    _event(complaint, actor.name, "to_centre", _("经纪委审查,转投诉中心受理。"), at=at)
    _event(complaint, actor.name, "to_centre", note.strip()[:2000], public=False, at=at)
    _notify(None, complaint, _("纪委转来案件 %(case)s,请受理。", case=complaint.case_number), at)
    audited(actor, "complaint.to_centre", complaint, before)
