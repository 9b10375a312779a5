"""The complaint centre's casework pages: intake by the handler, referral, the unit's progress, conclusion, the
event trail, unit staff kept to their own referred cases, duplicates merged, the overdue list, and the
complainant's contact never shown to anyone but handlers and auditors."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import event

from rating.clock import local_today
from rating.extensions import db
from rating.models import Complaint
from rating.models.users import Role
from rating.services import complaints as svc
from tests.conftest import DEMO_USERS, csrf_token

TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"
OTHER_TEXT = "办事大厅中午无人值守,等了两个小时也没有人来处理业务,非常不方便。"
PHONE = "13987654321"
NAME = "欧阳保密"
CASE = re.compile(r"案件编号 ((?:TS)\d{4}-\d{5})")
QUERY_CODE = re.compile(r"查询码 ([2-9A-Z]{8})")


def sign_in(app, role: str, address: int = 1):
    """A new client signed in as the demo user of ``role`` (each from its own address, so login limits never bite)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"10.0.{address}.{list(DEMO_USERS).index(role) + 1}"
    user = DEMO_USERS[role]
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"username": user["username"], "password": user["password"], "csrf_token": token}
    )
    assert response.status_code == 302
    return client


def key_in(client, post_code="DT-001", text=TEXT, channel="phone", **extra):
    """Key in a case as the handler; returns (case number, query code, case page)."""
    data = {"channel": channel, "category": "access", "text": text, "post_code": post_code, **extra}
    data["csrf_token"] = csrf_token(client, "/complaints/cases/new")
    response = client.post("/complaints/cases/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return CASE.search(page).group(1), QUERY_CODE.search(page).group(1), page


def act(client, case: str, action: str, **data):
    url = f"/complaints/cases/{case}"
    response = client.post(f"{url}/{action}", data={"csrf_token": csrf_token(client, url), **data})
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.fixture
def handler(app):
    return sign_in(app, "complaint_handler")


@pytest.fixture
def staff(app):
    return sign_in(app, "unit_staff")


def test_handler_keys_in_a_phone_case_and_gets_the_number_and_query_code(app, handler):
    case, code, page = key_in(handler, name=NAME, phone=PHONE)
    assert case.startswith(f"TS{local_today().year}-") and PHONE in page and "电话" in page
    with app.app_context():
        assert svc.find_for_complainant(case, code).complainant_phone == PHONE
    assert code not in handler.get(f"/complaints/cases/{case}").get_data(as_text=True)  # shown once


def test_intake_refuses_bad_input_with_the_services_message(handler):
    data = {"channel": "phone", "category": "access", "text": "太短", "post_code": "DT-001"}
    data["csrf_token"] = csrf_token(handler, "/complaints/cases/new")
    response = handler.post("/complaints/cases/new", data=data)
    assert response.status_code == 400 and "10–2000" in response.get_data(as_text=True)


def test_closed_loop_refer_progress_conclude_with_every_step_listed(handler, staff):
    case, _code, _page = key_in(handler)
    page = act(handler, case, "refer", note="请于期限内核实答复")
    assert "已转办" in page and "请于期限内核实答复" in page

    listing = staff.get("/complaints/cases").get_data(as_text=True)
    assert case in listing
    page = act(staff, case, "progress", note="已约谈当事窗口人员,材料清单已公示")
    assert "办理中" in page and "已约谈当事窗口人员" in page
    assert "办结并答复" not in page  # the unit does not conclude

    page = act(handler, case, "conclude", finding="partly", reply="经核实部分属实,已责令整改并向您致歉。")
    assert "已办结" in page and "部分属实" in page and "已责令整改" in page
    for step in ("受理", "转办", "办理情况", "办结"):
        assert f"<td>{step}" in page
    assert DEMO_USERS["complaint_handler"]["username"] in page and DEMO_USERS["unit_staff"]["username"] in page


def test_unit_staff_never_see_other_units_or_unreferred_cases(handler, staff):
    other, _code, _page = key_in(handler, post_code="DT-100")
    act(handler, other, "refer")
    received, _code, _page = key_in(handler, text=OTHER_TEXT)
    assert staff.get(f"/complaints/cases/{other}").status_code == 403
    assert staff.get(f"/complaints/cases/{received}").status_code == 403
    token = csrf_token(staff, "/complaints/cases")
    response = staff.post(f"/complaints/cases/{other}/progress", data={"csrf_token": token, "note": "x"})
    assert response.status_code == 403
    listing = staff.get("/complaints/cases").get_data(as_text=True)
    assert other not in listing and received not in listing
    assert handler.get("/complaints/cases").get_data(as_text=True).count("/complaints/cases/TS") >= 2


def test_duplicate_is_suggested_and_merged(handler):
    first, _code, _page = key_in(handler)
    second, _code, page = key_in(handler, text=TEXT + "请尽快处理。")
    assert "可能重复的投诉" in page and first in page
    page = act(handler, second, f"merge/{first}")
    assert f"已将 {second} 并入 {first}" in page
    merged = handler.get(f"/complaints/cases/{second}").get_data(as_text=True)
    assert "本案已并入" in merged and "转办</button>" not in merged
    assert f">{second}<" not in handler.get("/complaints/cases").get_data(as_text=True)


def test_overdue_filter_lists_cases_marked_overdue(app, handler):
    late, _code, _page = key_in(handler)
    on_time, _code, _page = key_in(handler, text=OTHER_TEXT, channel="letter")
    act(handler, late, "refer")
    act(handler, on_time, "refer")
    with app.app_context():
        complaint = svc.get_or_404(late)
        complaint.deadline = local_today() - timedelta(days=3)
        assert svc.mark_overdue() == [complaint]
        db.session.commit()
    listing = handler.get("/complaints/cases?overdue=1").get_data(as_text=True)
    assert late in listing and on_time not in listing and "已逾期" in listing
    assert on_time in handler.get("/complaints/cases?status=referred").get_data(as_text=True)


def _text_of(response) -> str:
    """The response as text; spreadsheets are unzipped so that their cells are searched too."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _get_routes(app, values):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.arguments <= set(values):
            continue
        yield rule.build(values, append_unknown=False)[1]


def test_complainant_contact_is_shown_to_handlers_and_auditors_only(app, handler):
    referred, _code, _page = key_in(handler, name=NAME, phone=PHONE)
    act(handler, referred, "refer")
    concluded, _code, _page = key_in(handler, text=OTHER_TEXT, name=NAME, phone=PHONE, channel="visit")
    act(handler, concluded, "refer")
    act(handler, concluded, "conclude", finding="substantiated", reply="经核实属实,已严肃处理。")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(Complaint.complainant_phone == PHONE)) == 2
    values = {"case_number": referred, "into_case_number": concluded, "code": "DT-001", "year": local_today().year}
    with app.test_request_context():
        urls = sorted(
            {url for fmt in ("csv", "xlsx") for url in _get_routes(app, {**values, "fmt": fmt})}
            | {f"/complaints/cases/{concluded}"}
        )
    assert "/complaints/cases" in urls and f"/complaints/cases/{referred}" in urls
    others = [role.value for role in Role if role not in (Role.COMPLAINT_HANDLER, Role.AUDITOR)]
    for who in [None, *others]:
        client = sign_in(app, who, address=2) if who else app.test_client()
        for url in urls:
            text = _text_of(client.get(url))
            assert PHONE not in text and NAME not in text, (who, url)
    assert "(仅投诉中心可见)" in sign_in(app, "admin", 3).get(f"/complaints/cases/{referred}").get_data(as_text=True)
    for who in ("complaint_handler", "auditor"):
        page = sign_in(app, who, address=4).get(f"/complaints/cases/{referred}").get_data(as_text=True)
        assert PHONE in page and NAME in page, who


def test_case_list_loads_its_cases_in_one_query(app, handler):
    for text in (TEXT, OTHER_TEXT, TEXT + "第三次反映。"):
        key_in(handler, text=text)
    statements = []
    with app.app_context():
        engine = db.engine

    def listen(_conn, _cursor, statement, *_rest):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", listen)
    try:
        page = handler.get("/complaints/cases").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    with app.app_context():
        listed = db.session.scalar(db.select(db.func.count(Complaint.id)).where(Complaint.merged_into_id.is_(None)))
    assert page.count('href="/complaints/cases/TS') + page.count('href="/complaints/cases/IM') == min(50, listed)
    touching = [s for s in statements if "complaints" in s or "posts" in s]
    assert len(touching) == 2, touching  # the page's cases with their posts and units, and the count
