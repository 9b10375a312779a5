"""The return visit (回访) after a conclusion, by either path: the complainant on the web tracking page, or a
handler's return call to a complainant who came by phone, visit or letter. ``answer`` is the one rule both use: a
dissatisfied answer reopens the case once, and the finding stands (in the verdict too) until a new conclusion
replaces it.
"""

from datetime import datetime

from flask_babel import gettext as _

from rating.extensions import db
from rating.labels.complaints import SATISFACTION_LABELS
from rating.models.complaints import Complaint, ComplaintStatus, Satisfaction
from rating.models.cycles import Cycle
from rating.scoring import case_clocks
from rating.services import audit
from rating.services.complaints.cases import _event, _local_day, _notify, _snapshot, _working_days, audited
from rating.services.errors import Conflict, InvalidInput

COMPLAINANT = audit.Actor("complainant")


def _check_open(complaint: Complaint) -> None:
    if complaint.confidential:  # the commission's conclusion of a report is final; there is no centre to reopen it
        raise Conflict(_("保密举报不设回访。"))
    if complaint.status != ComplaintStatus.CONCLUDED or complaint.satisfied is not None:
        raise Conflict(_("该案件现在不能评价。"))


def return_visit(complaint: Complaint, satisfied: bool, at: datetime | None = None) -> None:
    """回访 on the tracking page: the complainant says (now, or ``at``) whether they are satisfied."""
    _check_open(complaint)
    before = _snapshot(complaint)
    answer(complaint, Satisfaction.SATISFIED if satisfied else Satisfaction.DISSATISFIED, COMPLAINANT.name, "", at)
    audited(COMPLAINANT, "complaint.return_visit", complaint, before)


def record_return_call(
    actor: audit.Actor,
    complaint: Complaint,
    reached: bool,
    satisfaction: str = "",
    note: str = "",
    at: datetime | None = None,
) -> None:
    """回访 by telephone: a call that did not reach the complainant is noted and may be tried again; a call that did
    records their satisfaction in three grades, with the handler's note."""
    _check_open(complaint)
    note = note.strip()[:2000]
    before = _snapshot(complaint)
    if not reached:
        said = _("回访电话未接通。") + (" " + note if note else "")
        _event(complaint, actor.name, "return_call", said, public=False, at=at)
    else:
        try:
            grade = Satisfaction(satisfaction)
        except ValueError:
            raise InvalidInput(_("请选择投诉人的满意程度。")) from None
        answer(complaint, grade, actor.name, note, at)
    audited(actor, "complaint.return_visit", complaint, before)


def answer(complaint: Complaint, grade: Satisfaction, by: str, note: str = "", at: datetime | None = None) -> None:
    """The complainant's answer; 满意 and 基本满意 count as satisfied. A dissatisfied answer reopens the case once:
    back to the unit with a new deadline, its finding and cycle kept until a new conclusion replaces them."""
    complaint.satisfaction, complaint.satisfied = grade, grade != Satisfaction.DISSATISFIED
    said = str(SATISFACTION_LABELS[grade]) + (":" + note if note else "")
    _event(complaint, by, "satisfaction", said, at=at)
    if grade != Satisfaction.DISSATISFIED or complaint.reopened:
        return
    if complaint.cycle_id is not None:  # the line now says the finding is being looked at again
        db.session.get(Cycle, complaint.cycle_id).inputs_changed()
    complaint.reopened, complaint.satisfied, complaint.satisfaction = True, None, None
    complaint.status, complaint.overdue = ComplaintStatus.IN_PROGRESS, False
    complaint.deadline = case_clocks.handling_due(_local_day(at), _working_days())
    _event(complaint, by, "reopened", _("投诉人对答复不满意,案件重新办理;原核查结论在重新办结前继续有效。"), at=at)
    _notify(complaint.unit_id, complaint, _("投诉 %(case)s 经回访不满意,已重新交办。", case=complaint.case_number), at)
