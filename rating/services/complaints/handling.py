"""The unit's side of a referred case and the centre's answer to it: signing for the case (签收), sending a
misrouted case back with a reason (退单, the centre then refers it again), and asking for more time (延期申请,
which the centre approves or refuses; the deadline moves once at most). The dates come from
rating.scoring.case_clocks; every step is an event, an audit entry and a notice to the other side.
"""

from datetime import datetime

from flask_babel import gettext as _

from rating.models.base import utcnow
from rating.models.complaints import Complaint, ComplaintStatus, Extension
from rating.scoring import case_clocks
from rating.services import audit
from rating.services.complaints.cases import _event, _local_day, _notify, _snapshot, audited
from rating.services.errors import Conflict, InvalidInput

IN_HAND = (ComplaintStatus.REFERRED, ComplaintStatus.IN_PROGRESS)


def _reason(text: str, message: str) -> str:
    if len(text.strip()) < 5:
        raise InvalidInput(message)
    return text.strip()[:2000]


def sign(actor: audit.Actor, complaint: Complaint, at: datetime | None = None) -> None:
    """签收: the unit takes the referred case on; its handling clock runs on."""
    if complaint.status != ComplaintStatus.REFERRED or complaint.signed_at is not None:
        raise Conflict(_("只有已转办、尚未签收的案件可以签收。"))
    before = _snapshot(complaint)
    complaint.status, complaint.signed_at = ComplaintStatus.IN_PROGRESS, at or utcnow()
    late = complaint.sign_by is not None and _local_day(at) > complaint.sign_by
    complaint.overdue = False  # the signing clock stops; the hourly job checks the handling clock afresh
    _event(complaint, actor.name, "signed", _("逾期签收") if late else "", at=at)
    audited(actor, "complaint.sign", complaint, before)


def send_back(actor: audit.Actor, complaint: Complaint, reason: str, at: datetime | None = None) -> None:
    """退单: the unit says the case is not its own, and why; the case goes back to the centre, whose acceptance
    clock starts again, and the unit no longer sees it."""
    if complaint.status not in IN_HAND or complaint.merged_into_id is not None:
        raise Conflict(_("该案件当前不能退回。"))
    reason = _reason(reason, _("请说明退回的理由(如不属本单位职责)。"))
    before = _snapshot(complaint)
    complaint.status, complaint.sent_back_reason = ComplaintStatus.RECEIVED, reason
    complaint.refer_by = case_clocks.acceptance_due(_local_day(at))
    complaint.sign_by = complaint.signed_at = complaint.deadline = None
    complaint.extension = complaint.extension_days = complaint.extension_reason = None
    complaint.overdue = False
    _event(complaint, actor.name, "sent_back", reason, public=False, at=at)
    _notify(
        None, complaint, _("投诉 %(case)s 被承办单位退回:%(reason)s", case=complaint.case_number, reason=reason), at
    )
    audited(actor, "complaint.send_back", complaint, before)


def request_extension(
    actor: audit.Actor, complaint: Complaint, days: int, reason: str, at: datetime | None = None
) -> None:
    """延期申请: a signed case's unit asks for ``days`` more working days; one request waits at a time, and none
    once an extension was granted."""
    if complaint.status != ComplaintStatus.IN_PROGRESS or complaint.signed_at is None:
        raise Conflict(_("签收后、办结前才能申请延期。"))
    if complaint.extension == Extension.PENDING:
        raise Conflict(_("延期申请正在审批中。"))
    if complaint.extension == Extension.APPROVED:
        raise Conflict(_("该案件已延期一次,不能再次延期。"))
    if not case_clocks.extension_days_valid(days):
        raise InvalidInput(_("延期天数应为 1–%(n)d 个工作日。", n=case_clocks.MAX_EXTENSION_DAYS))
    reason = _reason(reason, _("请说明延期的理由。"))
    before = _snapshot(complaint)
    complaint.extension, complaint.extension_days, complaint.extension_reason = Extension.PENDING, days, reason
    asked = _("申请延期 %(n)d 个工作日:%(r)s", n=days, r=reason)
    _event(complaint, actor.name, "extension_requested", asked, public=False, at=at)
    text = _("投诉 %(case)s 的承办单位申请延期 %(n)d 个工作日,请审批。", case=complaint.case_number, n=days)
    _notify(None, complaint, text, at)
    audited(actor, "complaint.extension_request", complaint, before)


def decide_extension(
    actor: audit.Actor, complaint: Complaint, approve: bool, note: str = "", at: datetime | None = None
) -> None:
    """The centre approves (the deadline moves by the days asked, once) or refuses (with a reason) the request."""
    if complaint.extension != Extension.PENDING or complaint.status == ComplaintStatus.CONCLUDED:
        raise Conflict(_("该案件没有待审批的延期申请。"))
    before = _snapshot(complaint)
    if approve:
        complaint.extension = Extension.APPROVED
        complaint.deadline = case_clocks.extended_due(complaint.deadline, complaint.extension_days)
        complaint.overdue = False
        said = _("同意延期,办理期限延至 %(d)s。", d=complaint.deadline.isoformat())
        _event(complaint, actor.name, "extension_approved", said, at=at)
    else:
        note = _reason(note, _("请说明不予延期的理由。"))
        complaint.extension = Extension.REFUSED
        said = _("不同意延期:%(note)s", note=note)
        _event(complaint, actor.name, "extension_refused", note, public=False, at=at)
    _notify(complaint.unit_id, complaint, _("投诉 %(case)s:%(said)s", case=complaint.case_number, said=said), at)
    audited(actor, "complaint.extension_decide", complaint, before)
