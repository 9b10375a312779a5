"""The clocks of a case and the steps around them, at the service level: the centre's one working day to refer, the
unit's day to sign, sending back a misrouted case, an extension once, the centre's direct conclusion, the handler's
return call with the one reopening rule, and a reopened case's finding kept in the verdict until concluded again."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models import AuditEntry, Complaint, Notification
from rating.models.cycles import Cycle
from rating.scoring import case_clocks
from rating.services import audit
from rating.services import complaints as svc
from rating.services.errors import Conflict, InvalidInput
from rating.services.verdict.gather import gather
from rating.workdays import add_working_days
from tests.factories import local_datetime

pytestmark = pytest.mark.bare
CENTRE = audit.Actor("handler")
UNIT = audit.Actor("staff")
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"
REPLY = "经核实情况属实,已责令整改并向您致歉。"


@pytest.fixture
def post(make_cycle, make_post):
    make_cycle()
    return make_post()


def file(post, at=None, unit_code=""):
    intake = svc.Intake(channel="phone", category="access", text=TEXT, post_code="" if unit_code else post.code)
    if unit_code:
        intake = svc.Intake(channel="phone", category="access", text=TEXT, unit_code=unit_code)
    return svc.file_complaint(CENTRE, intake, at=at)[0]


def actions(complaint) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "complaint", AuditEntry.entity_id == str(complaint.id))
            .order_by(AuditEntry.id)
        )
    )


def notices(complaint) -> list[tuple[int | None, str]]:
    rows = db.session.scalars(select(Notification).where(Notification.complaint_id == complaint.id))
    return [(n.unit_id, n.text) for n in rows]


def test_a_received_case_must_be_referred_within_one_working_day(app, post):
    received_on = local_today() - timedelta(days=10)
    with app.app_context():
        late = file(post, at=local_datetime(received_on))
        fresh = file(post)
        db.session.commit()
        assert late.refer_by == add_working_days(received_on, 1)
        assert fresh.refer_by == add_working_days(local_today(), 1)
        assert svc.running_clock(late).clock == "acceptance" and svc.running_clock(late).overdue
        assert svc.mark_overdue() == [late] and svc.mark_overdue() == []
        # not yet the unit's: only the centre is reminded
        assert [unit for unit, _text in notices(late)] == [None] and late.events[-1].kind == "overdue"
        svc.refer(CENTRE, late)  # a new clock: the overdue mark goes
        assert late.overdue is False and svc.running_clock(late).clock == "signing"


def test_the_unit_signs_within_a_working_day_and_signing_stops_that_clock(app, post):
    referred_on = local_today() - timedelta(days=7)
    with app.app_context():
        complaint = file(post, at=local_datetime(referred_on, 9))
        svc.refer(CENTRE, complaint, at=local_datetime(referred_on, 11))
        assert complaint.sign_by == case_clocks.signing_due(referred_on)
        assert complaint.deadline == add_working_days(referred_on, 15)
        assert svc.mark_overdue() == [complaint]  # not signed for in time
        assert "签收" in complaint.events[-1].note
        svc.sign(UNIT, complaint)
        assert complaint.status == "in_progress" and complaint.signed_at and not complaint.overdue
        assert complaint.events[-1].kind == "signed" and complaint.events[-1].note == "逾期签收"
        assert svc.running_clock(complaint).clock == "handling" and not svc.running_clock(complaint).overdue
        with pytest.raises(Conflict):
            svc.sign(UNIT, complaint)
        assert actions(complaint) == ["complaint.receive", "complaint.refer", "complaint.sign"]


def test_a_misrouted_case_is_sent_back_with_a_reason_and_referred_elsewhere(app, post, make_unit):
    right = make_unit(name="市虚构市场监管局")
    with app.app_context():
        complaint = file(post)
        svc.refer(CENTRE, complaint)
        with pytest.raises(InvalidInput, match="理由"):
            svc.send_back(UNIT, complaint, "不是")
        svc.send_back(UNIT, complaint, "所反映的收费事项属市场监管部门职责。")
        assert complaint.status == "received" and complaint.deadline is None and complaint.sign_by is None
        assert complaint.refer_by == add_working_days(local_today(), 1)
        assert complaint.sent_back_reason == "所反映的收费事项属市场监管部门职责。"
        assert notices(complaint)[-1] == (
            None,
            f"投诉 {complaint.case_number} 被承办单位退回:所反映的收费事项属市场监管部门职责。",
        )
        assert not complaint.events[-1].public  # the reason is internal
        svc.refer(CENTRE, complaint, "改派市场监管局", unit_code=right.code)
        assert complaint.unit_id == right.id and complaint.post_id is None and complaint.holder_id is None
        assert complaint.status == "referred" and complaint.sent_back_reason is None
        assert notices(complaint)[-1][0] == right.id
        assert actions(complaint)[-2:] == ["complaint.send_back", "complaint.refer"]
        with pytest.raises(Conflict):
            svc.send_back(UNIT, svc.case_by_number(file(post).case_number), "尚未转办的案件不能退回。")


def _signed(post):
    complaint = file(post)
    svc.refer(CENTRE, complaint)
    svc.sign(UNIT, complaint)
    return complaint


def test_an_extension_moves_the_deadline_once(app, post):
    with app.app_context():
        unsigned = file(post)
        svc.refer(CENTRE, unsigned)
        with pytest.raises(Conflict, match="签收后"):
            svc.request_extension(UNIT, unsigned, 5, "需要调取多个部门的记录。")
        complaint = _signed(post)
        deadline = complaint.deadline
        with pytest.raises(InvalidInput, match="1–15"):
            svc.request_extension(UNIT, complaint, 16, "需要调取多个部门的记录。")
        svc.request_extension(UNIT, complaint, 5, "需要调取多个部门的记录。")
        assert complaint.extension == "pending" and complaint.deadline == deadline
        with pytest.raises(Conflict, match="审批中"):
            svc.request_extension(UNIT, complaint, 3, "再申请一次试试。")
        svc.decide_extension(CENTRE, complaint, True)
        assert complaint.extension == "approved" and complaint.deadline == add_working_days(deadline, 5)
        assert f"办理期限延至 {complaint.deadline.isoformat()}" in complaint.events[-1].note
        with pytest.raises(Conflict, match="已延期一次"):
            svc.request_extension(UNIT, complaint, 2, "还需要两天时间。")
        with pytest.raises(Conflict):
            svc.decide_extension(CENTRE, complaint, True)
        assert actions(complaint)[-2:] == ["complaint.extension_request", "complaint.extension_decide"]


def test_a_refused_extension_leaves_the_deadline_and_may_be_asked_again(app, post):
    with app.app_context():
        complaint = _signed(post)
        deadline = complaint.deadline
        svc.request_extension(UNIT, complaint, 5, "需要调取多个部门的记录。")
        with pytest.raises(InvalidInput, match="不予延期"):
            svc.decide_extension(CENTRE, complaint, False)
        svc.decide_extension(CENTRE, complaint, False, "事实清楚,请按期办结。")
        assert complaint.extension == "refused" and complaint.deadline == deadline
        assert notices(complaint)[-1] == (
            complaint.unit_id,
            f"投诉 {complaint.case_number}:不同意延期:事实清楚,请按期办结。",
        )
        svc.request_extension(UNIT, complaint, 2, "当事人出差,需延后约谈。")
        svc.decide_extension(CENTRE, complaint, True)
        assert complaint.deadline == add_working_days(deadline, 2)


def test_the_centre_concludes_a_received_case_itself(app, post):
    with app.app_context():
        complaint = file(post)
        svc.conclude_directly(CENTRE, complaint, "unsubstantiated", "已当场向您解释办理流程和所需材料。")
        assert complaint.status == "concluded" and complaint.finding == "unsubstantiated"
        assert complaint.concluded_on_time and complaint.cycle_id and complaint.deadline is None
        assert [e.kind for e in complaint.events] == ["received", "concluded_directly"]
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "complaint.conclude"))
        assert entry.after["direct"] is True and entry.after["finding"] == "unsubstantiated"
        referred = file(post)
        svc.refer(CENTRE, referred)
        with pytest.raises(Conflict, match="尚未转办"):
            svc.conclude_directly(CENTRE, referred, "partly", "已当场答复。")


def _concluded(post, finding="substantiated"):
    complaint = _signed(post)
    svc.conclude(CENTRE, complaint, finding, REPLY)
    return complaint


def test_the_return_call_records_reached_or_not_and_three_grades(app, post):
    with app.app_context():
        complaint = _concluded(post)
        svc.record_return_call(CENTRE, complaint, False, note="无人接听")
        assert complaint.satisfied is None and complaint.events[-1].kind == "return_call"
        assert not complaint.events[-1].public and "未接通" in complaint.events[-1].note
        with pytest.raises(InvalidInput, match="满意程度"):
            svc.record_return_call(CENTRE, complaint, True, "")
        svc.record_return_call(CENTRE, complaint, True, "basically", "希望今后改进")
        assert complaint.status == "concluded" and complaint.satisfaction == "basically" and complaint.satisfied
        assert complaint.events[-1].note == "基本满意:希望今后改进"
        with pytest.raises(Conflict):  # answered once; the web page cannot answer again
            svc.return_visit(complaint, satisfied=False)
        assert actions(complaint).count("complaint.return_visit") == 2


@pytest.mark.parametrize("first", ["call", "web"])
def test_not_satisfied_reopens_once_whichever_path_answers(app, post, first):
    def answer(complaint, path):
        if path == "call":
            svc.record_return_call(CENTRE, complaint, True, "dissatisfied", "认为没有解决")
        else:
            svc.return_visit(complaint, satisfied=False)

    with app.app_context():
        complaint = _concluded(post)
        answer(complaint, first)
        assert complaint.status == "in_progress" and complaint.reopened and complaint.satisfied is None
        assert complaint.deadline == add_working_days(local_today(), 15)
        assert notices(complaint)[-1][1] == f"投诉 {complaint.case_number} 经回访不满意,已重新交办。"
        svc.conclude(CENTRE, complaint, "partly", "再次核查,部分属实,已处理。")
        answer(complaint, "web" if first == "call" else "call")
        assert complaint.status == "concluded" and complaint.satisfied is False
        assert [e.kind for e in complaint.events].count("reopened") == 1


def _line(post_id):
    cycle = db.session.scalar(select(Cycle))
    return next(line for line in gather(cycle).posts if line.post.post_id == post_id).complaints


def test_a_reopened_case_keeps_its_finding_in_the_verdict_until_concluded_again(app, post):
    with app.app_context():
        complaint = _concluded(post)
        cycle_id = complaint.cycle_id
        assert (_line(post.id).substantiated, _line(post.id).reopened) == (1, 0)
        svc.record_return_call(CENTRE, complaint, True, "dissatisfied", "认为整改没有落实")
        assert complaint.status == "in_progress" and complaint.finding == "substantiated"
        assert complaint.cycle_id == cycle_id
        assert (_line(post.id).substantiated, _line(post.id).reopened) == (1, 1)  # it stands, and says so
        svc.send_back(UNIT, complaint, "重新办理的事项已移交其他部门。")  # still stands while back at the centre
        assert _line(post.id).substantiated == 1
        svc.refer(CENTRE, complaint)
        svc.conclude(CENTRE, complaint, "unsubstantiated", "复查后认定反映问题不属实,已向您说明。")
        assert (_line(post.id).substantiated, _line(post.id).reopened) == (0, 0)  # replaced by the new conclusion
        assert db.session.get(Complaint, complaint.id).finding == "unsubstantiated"
