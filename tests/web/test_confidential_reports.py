"""The confidential channel to the discipline commission (保密举报,直送纪委): a report filed on it reaches the
commission alone. The complaint centre, the office and the unit never see it (lists, case pages, step routes,
notices, duplicates, the audit log's post); the public only counts it; the reporter follows it with the query code;
the commission looks into it, concludes it (then it counts in the verdict) or hands it to the centre."""

import itertools

import pytest
from sqlalchemy import select

from rating import sms
from rating.extensions import db
from rating.models import AuditEntry
from rating.models.complaints import Complaint, ComplaintStatus, Notification
from rating.services import audit
from rating.services import complaints as svc
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
ALLEGATION = "审批岗虚构甄守廉收受好处费五千元,才给我盖章,当时还有另外两人在场。"
SIMILAR = "审批岗虚构甄守廉收受好处费五千元,才给我盖章,当时还有另外两人在场!"
REPLY = "经纪委核查,反映问题属实,已立案处理。"
UNIT = "虚构举报测试局"
OPEN311 = "/open311/v2"


@pytest.fixture
def post(make_cycle, make_unit, make_post):
    make_cycle()
    return make_post("JB-001", unit=make_unit(name=UNIT), holder="虚构甄守廉", title="虚构举报审批岗")


@pytest.fixture
def clients(app, login_as, post):
    addresses = itertools.count(1)

    def sign(role):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.2.{next(addresses)}"
        return login_as(role, unit=post.unit if role == "unit_staff" else None, client=client)

    return sign


def _file(client, **fields):
    data = {"post": "JB-001", "text": ALLEGATION, "phone": "13800001111", "name": "虚构举报人", **fields}
    token = csrf_token(client, "/complaints/report")
    return client.post("/complaints/report", data={**data, "csrf_token": token})


@pytest.fixture
def filed(app, client, post):
    """A report filed on the public form: (case number, query code, the filed page)."""
    response = _file(client)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        complaint = db.session.scalar(select(Complaint).where(Complaint.confidential))
        case_number = complaint.case_number
    code = page.split('class="big receipt-number">')[2].split("<")[0]
    return case_number, code, page


def test_the_reporter_is_told_it_went_to_the_commission_and_how_to_follow_it(filed):
    case_number, code, page = filed
    assert case_number.startswith("JB") and len(code) == 8
    assert "举报已直送纪委" in page and "只有纪委能看到" in page
    assert f"/complaints/track?case={case_number}" in page


def test_the_sms_receipt_carries_the_code_and_never_the_report(app, client, post):
    with app.app_context():
        sms.gateway()  # the log sink of development and tests
    outbox = app.extensions["sms"].outbox
    assert _file(client).status_code == 302
    [(phone, text)] = outbox
    assert phone == "13800001111" and "JB" in text and "/complaints/track?case=JB" in text
    for word in ("好处费", "JB-001", UNIT, "虚构甄守廉", "虚构举报审批岗"):
        assert word not in text


def test_the_centre_the_office_and_the_unit_never_see_it(clients, filed):
    case_number, _code, _page = filed
    for role in ("complaint_handler", "admin", "unit_staff"):
        reader = clients(role)
        listed = reader.get("/complaints/cases").get_data(as_text=True)
        assert case_number not in listed and "好处费" not in listed, role
        assert reader.get(f"/complaints/cases/{case_number}").status_code == 404, role
        assert reader.get("/complaints/reports").status_code == 403, role
        assert reader.get(f"/complaints/reports/{case_number}").status_code == 403, role
        notices = reader.get("/admin/").get_data(as_text=True)
        assert case_number not in notices, role
    handler = clients("complaint_handler")
    token = csrf_token(handler, "/complaints/cases")
    for step in ("refer", "conclude", "conclude-directly", "sign", "send-back", "publish-text", "withhold-text"):
        answer = handler.post(f"/complaints/cases/{case_number}/{step}", data={"csrf_token": token})
        assert answer.status_code in (403, 404), step


def test_it_is_never_suggested_as_a_duplicate_of_a_centre_case(app, filed):
    case_number, _code, _page = filed
    with app.app_context():
        other, _ = svc.file_complaint(
            audit.Actor("handler"), svc.Intake(channel="phone", category="discipline", text=SIMILAR, post_code="JB-001")
        )
        assert case_number not in [c.case_number for c in svc.possible_duplicates(other)]
        report = svc.report_by_number(case_number)
        assert svc.possible_duplicates(report) == []
        db.session.rollback()


def test_the_audit_log_names_no_post_until_it_is_concluded(app, clients, filed):
    case_number, _code, _page = filed
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "complaint.receive").order_by(AuditEntry.id.desc())
        ).first()
        assert entry.post_id is None
        assert entry.after == {"case": case_number, "status": "received", "confidential": True}
    page = clients("admin").get("/admin/audit?action=complaint.receive").get_data(as_text=True)
    assert "JB-001" not in page and UNIT not in page


def test_the_public_only_counts_it(client, filed):
    case_number, _code, _page = filed
    stats = client.get("/complaints/stats").get_data(as_text=True)
    assert "共受理群众举报投诉 0 件" in stats and "保密举报 1 件" in stats
    assert case_number not in stats and UNIT not in stats
    for fmt in ("json", "xml"):
        assert client.get(f"{OPEN311}/requests/{case_number}.{fmt}").status_code == 404
        assert case_number not in client.get(f"{OPEN311}/requests.{fmt}").get_data(as_text=True)
    assert "好处费" not in client.get("/posts/JB-001").get_data(as_text=True)


def _desk_post(client, case_number, action, **data):
    url = f"/complaints/reports/{case_number}"
    return client.post(f"{url}/{action}", data={"csrf_token": csrf_token(client, url), **data})


def test_the_commission_is_told_and_concludes_it_and_the_reporter_reads_the_finding(app, client, clients, filed):
    case_number, code, _page = filed
    commission = clients("auditor")
    assert f"收到保密举报 {case_number}" in commission.get("/admin/").get_data(as_text=True)
    listed = commission.get("/complaints/reports").get_data(as_text=True)
    assert case_number in listed and "JB-001" in listed
    page = commission.get(f"/complaints/reports/{case_number}").get_data(as_text=True)
    assert ALLEGATION in page and "虚构举报人" in page and "13800001111" in page
    assert _desk_post(commission, case_number, "investigate", note="调取了盖章记录。").status_code == 302
    assert _desk_post(commission, case_number, "conclude", finding="substantiated", reply=REPLY).status_code == 302
    with app.app_context():
        report = svc.report_by_number(case_number)
        assert report.status == ComplaintStatus.CONCLUDED and report.cycle_id is not None  # counts in the verdict
        concluded = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action == "complaint.conclude").order_by(AuditEntry.id.desc())
        ).first()
        assert concluded.post_id == report.post_id and concluded.after["finding"] == "substantiated"
    token = csrf_token(client, "/complaints/track")
    data = {"case_number": case_number, "query_code": code, "csrf_token": token}
    text = client.post("/complaints/track", data=data).get_data(as_text=True)
    assert "已办结" in text and "属实" in text and "纪委核查办理" in text
    assert "提交回访评价" not in text and "好处费" not in text


def test_a_report_that_is_no_matter_of_discipline_goes_to_the_centre(app, clients, filed):
    case_number, _code, _page = filed
    commission = clients("auditor")
    answer = _desk_post(commission, case_number, "to-centre", category="conduct", note="属服务态度问题。")
    assert answer.status_code == 302
    handler = clients("complaint_handler")
    assert case_number in handler.get("/complaints/cases").get_data(as_text=True)
    assert handler.get(f"/complaints/cases/{case_number}").status_code == 200
    assert commission.get(f"/complaints/reports/{case_number}").status_code == 404
    with app.app_context():
        case = svc.case_by_number(case_number)
        assert not case.confidential and case.status == ComplaintStatus.RECEIVED and case.refer_by is not None
        assert db.session.scalar(select(Notification).where(Notification.complaint_id == case.id)) is not None


def test_the_desk_validates_and_a_concluded_report_is_closed(clients, filed):
    case_number, _code, _page = filed
    commission = clients("auditor")
    _desk_post(commission, case_number, "conclude", finding="", reply="")
    assert "请选择核查结论" in commission.get(f"/complaints/reports/{case_number}").get_data(as_text=True)
    _desk_post(commission, case_number, "conclude", finding="unsubstantiated", reply="经核查不属实。")
    _desk_post(commission, case_number, "investigate", note="再查。")
    page = commission.get(f"/complaints/reports/{case_number}").get_data(as_text=True)
    assert "该举报已办结" in page and "记录核查情况" not in page


def test_the_overdue_job_never_reminds_the_centre_of_a_report(app, filed):
    from datetime import timedelta

    from rating.clock import local_today

    with app.app_context():
        assert svc.mark_overdue(local_today() + timedelta(days=30)) == []

