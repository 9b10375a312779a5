"""The complaint centre's closed loop at the service level: intake, duplicates, referral with working-day deadlines,
conclusion, return visit and reopening once, idempotent overdue marking, contact erasure, import."""

from datetime import timedelta

import pytest

from rating.clock import local_today
from rating.extensions import db
from rating.models import Complaint, ComplaintEvent, Notification
from rating.models.base import utcnow
from rating.services import audit
from rating.services import complaints as svc
from rating.services.errors import Conflict, InvalidInput
from rating.workdays import add_working_days

pytestmark = pytest.mark.bare
HANDLER = audit.Actor("handler")
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"


@pytest.fixture
def post(make_cycle, make_post):
    """A post complained about, in this year's cycle (conclusions count in it)."""
    make_cycle()
    return make_post()


def file(post_code, text=TEXT, **extra):
    intake = svc.Intake(
        channel=extra.pop("channel", "web"),
        category=extra.pop("category", "access"),
        text=text,
        post_code=post_code,
        name=extra.pop("name", "李某"),
        phone=extra.pop("phone", "13800001234"),
    )
    return svc.file_complaint(HANDLER, intake)


def test_intake_gives_case_number_and_private_query_code(app, post):
    with app.app_context():
        complaint, code = file(post.code)
        db.session.commit()
        assert complaint.case_number == f"TS{local_today().year}-{complaint.id:05d}"
        assert len(code) == 8 and code not in complaint.query_code_hash
        assert svc.find_for_complainant(complaint.case_number, code.lower()) is complaint
        assert svc.find_for_complainant(complaint.case_number, "WRONG123") is None
        assert complaint.holder_id == post.current_tenure.holder_id and complaint.unit.code == post.unit.code


@pytest.mark.parametrize(
    ("change", "message"),
    [({"text": "太短"}, "10–2000"), ({"post_code": "DT-999"}, "不存在"), ({"category": "other"}, "类别")],
)
def test_intake_refuses_bad_input(app, post, change, message):
    with app.app_context(), pytest.raises(InvalidInput, match=message):
        file(**{"post_code": post.code, **change})


def test_similar_complaints_about_the_same_post_are_suggested_and_merged(app, post, make_post):
    other_post = make_post()
    with app.app_context():
        first, _ = file(post.code)
        second, _ = file(post.code, text=TEXT + "请尽快处理。")
        other, _ = file(other_post.code)
        assert svc.possible_duplicates(second) == [first]
        svc.merge(HANDLER, second, first)
        db.session.commit()
        assert second.merged_into_id == first.id and other.merged_into_id is None


def test_referral_deadline_is_fifteen_working_days_and_the_unit_is_notified(app, post):
    with app.app_context():
        complaint, _ = file(post.code)
        svc.refer(HANDLER, complaint)
        db.session.commit()
        assert complaint.deadline == add_working_days(local_today(), 15)
        assert (
            db.session.scalar(db.select(Notification).where(Notification.complaint_id == complaint.id)).unit_id
            == complaint.unit_id
            == post.unit_id
        )
        with pytest.raises(Conflict):
            svc.refer(HANDLER, complaint)


def test_conclusion_and_return_visit_reopens_once(app, post):
    with app.app_context():
        complaint, _ = file(post.code)
        svc.refer(HANDLER, complaint)
        svc.record_progress(audit.Actor("staff-police"), complaint, "已约谈窗口人员")
        svc.conclude(HANDLER, complaint, "substantiated", "经核实情况属实,已责令整改并向您致歉。")
        assert complaint.status == "concluded" and complaint.concluded_on_time and complaint.cycle_id
        svc.return_visit(complaint, satisfied=False)
        # the finding stands (and keeps counting in its cycle) until the new conclusion replaces it
        assert complaint.status == "in_progress" and complaint.reopened and complaint.finding == "substantiated"
        svc.conclude(HANDLER, complaint, "partly", "再次核查,部分属实,已处理。")
        svc.return_visit(complaint, satisfied=False)  # reopened once already: the answer stands
        db.session.commit()
        assert complaint.status == "concluded" and complaint.satisfied is False
        kinds = [e.kind for e in complaint.events]
        assert kinds.count("reopened") == 1 and kinds[0] == "received"


def test_overdue_marking_is_idempotent(app, post):
    with app.app_context():
        on_time, _ = file(post.code, text=TEXT + "另一件事。")
        svc.refer(HANDLER, on_time)
        complaint, _ = file(post.code)
        svc.refer(HANDLER, complaint)
        complaint.deadline = local_today() - timedelta(days=1)
        db.session.commit()
        assert svc.mark_overdue() == [complaint]
        assert svc.mark_overdue() == []
        db.session.commit()
        reminders = db.session.scalars(db.select(Notification).where(Notification.complaint_id == complaint.id)).all()
        assert len(reminders) == 3  # the referral, then one overdue reminder each to the unit and the centre
        assert complaint.overdue is True and on_time.overdue is False


def test_contacts_are_erased_after_retention_and_the_record_stays(app, post):
    with app.app_context():
        recent, _ = file(post.code, text=TEXT + "另一件事。")
        svc.refer(HANDLER, recent)
        svc.conclude(HANDLER, recent, "partly", "经核实部分属实,已向您说明。")
        complaint, _ = file(post.code)
        svc.refer(HANDLER, complaint)
        svc.conclude(HANDLER, complaint, "unsubstantiated", "经核实不属实,已向您说明。")
        complaint.concluded_at = utcnow() - timedelta(days=800)
        db.session.commit()
        assert svc.erase_contacts(timedelta(days=730)) == 1
        db.session.commit()
        db.session.refresh(complaint)
        assert complaint.complainant_phone is None and complaint.complainant_name is None
        assert complaint.text == TEXT and complaint.finding == "unsubstantiated"
        db.session.refresh(recent)
        assert recent.complainant_phone == "13800001234"  # concluded too recently


def test_phone_numbers_in_the_text_are_masked(app, post):
    with app.app_context():
        complaint, _ = file(post.code, text="工作人员让我打他私人手机13912345678联系,态度很差。")
        assert "13912345678" not in complaint.text


def test_import_complaints_cli(app, runner, tmp_path, post, make_post):
    day = (local_today() - timedelta(days=2)).isoformat()
    other = make_post()
    path = tmp_path / "c.csv"
    path.write_text(
        f"post_code,channel,category,finding,concluded_at\n{post.code},电话,违规违纪,属实,{day} 10:00\n"
        f"{other.code},letter,conduct,partly,{day}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-complaints", "--cycle", str(local_today().year), str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        imported = db.session.scalars(db.select(Complaint).where(Complaint.imported.is_(True))).all()
        assert sorted((c.post_id, str(c.finding)) for c in imported) == [
            (post.id, "substantiated"),
            (other.id, "partly"),
        ]
        assert all(c.complainant_phone is None and c.status == "concluded" for c in imported)
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"post_code,channel,category,finding,concluded_at\n{post.code},电话,抱怨,属实,{day}\n", encoding="utf-8"
    )
    result = runner.invoke(args=["import-complaints", "--cycle", str(local_today().year), str(bad)])
    assert result.exit_code == 1 and "问题类别“抱怨”无效" in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Complaint.id))) == 2


def test_events_record_every_step(app, post):
    with app.app_context():
        complaint, _ = file(post.code)
        svc.refer(HANDLER, complaint)
        svc.conclude(HANDLER, complaint, "partly", "部分属实,已处理。")
        db.session.commit()
        events = db.session.scalars(db.select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint.id)).all()
        assert [e.kind for e in events] == ["received", "referred", "concluded"] and all(e.at for e in events)


def test_unit_staff_and_handlers_see_their_reminders_on_the_landing_page(app, client, login_as, post):
    with app.app_context():
        complaint, _ = file(post.code)
        svc.refer(HANDLER, complaint)
        complaint.deadline = local_today() - timedelta(days=1)
        svc.mark_overdue()
        db.session.commit()
        case = complaint.case_number
    login_as("unit_staff", unit=post.unit)
    page = client.get("/admin/").get_data(as_text=True)
    assert f"投诉 {case} 已超过办理期限" in page and f"投诉 {case} 已转交本单位办理" in page
    from tests.conftest import csrf_token

    client.post("/admin/notifications/read", data={"csrf_token": csrf_token(client, "/admin/")})
    assert case not in client.get("/admin/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    login_as("complaint_handler")
    assert f"投诉 {case} 已超过办理期限" in client.get("/admin/").get_data(as_text=True)
