"""The complaint centre's casework pages: intake by the handler, referral, the unit's progress, conclusion, the
event trail, unit staff kept to their own referred cases, duplicates merged, the overdue list, and the
complainant's contact never shown to anyone but handlers and auditors."""

import io
import itertools
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
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"
OTHER_TEXT = "办事大厅中午无人值守,等了两个小时也没有人来处理业务,非常不方便。"
PHONE = "13987654321"
NAME = "欧阳保密"
CASE = re.compile(r"案件编号 ((?:TS)\d{4}-\d{5})")
QUERY_CODE = re.compile(r'<dd class="receipt-number" id="intake-query-code">([2-9A-Z]{8})</dd>')


@pytest.fixture
def post(make_cycle, make_post):
    """The post complained about."""
    make_cycle()
    return make_post()


@pytest.fixture
def sign_in(app, login_as, post):
    """A new client signed in as ``who`` (a user, or a new user of a role: unit-bound roles in the post's unit),
    each from its own address, so login limits never bite."""
    addresses = itertools.count(1)

    def sign(who):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{next(addresses)}"
        unit = post.unit if who in ("unit_staff", "hr_officer") else None
        return login_as(who, unit=unit, client=client)

    return sign


def key_in(client, post_code, text=TEXT, channel="phone", **extra):
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
def handler_user(make_user):
    return make_user("complaint_handler")


@pytest.fixture
def staff_user(make_user, post):
    return make_user("unit_staff", unit=post.unit)


@pytest.fixture
def handler(sign_in, handler_user):
    return sign_in(handler_user)


@pytest.fixture
def staff(sign_in, staff_user):
    return sign_in(staff_user)


def test_handler_keys_in_a_phone_case_and_gets_the_number_and_query_code(app, handler, post):
    case, code, page = key_in(handler, post.code, name=NAME, phone=PHONE)
    assert case.startswith(f"TS{local_today().year}-") and PHONE in page and "电话" in page
    with app.app_context():
        assert svc.find_for_complainant(case, code).complainant_phone == PHONE
    # The code stays on the case page while the caller is on the line (a flash would vanish on the next click) ...
    assert code in handler.get(f"/complaints/cases/{case}").get_data(as_text=True)
    # ... until the handler keys in the next case: it is never stored in clear, so it cannot come back.
    key_in(handler, post.code)
    assert code not in handler.get(f"/complaints/cases/{case}").get_data(as_text=True)


def test_intake_refuses_bad_input_with_the_services_message(handler, post):
    data = {"channel": "phone", "category": "access", "text": "太短", "post_code": post.code}
    data["csrf_token"] = csrf_token(handler, "/complaints/cases/new")
    response = handler.post("/complaints/cases/new", data=data)
    assert response.status_code == 400 and "10–2000" in response.get_data(as_text=True)


def test_closed_loop_refer_progress_conclude_with_every_step_listed(handler, staff, post, handler_user, staff_user):
    case, _code, _page = key_in(handler, post.code)
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
    assert handler_user.username in page and staff_user.username in page


def test_unit_staff_never_see_other_units_or_unreferred_cases(handler, staff, post, make_post):
    other, _code, _page = key_in(handler, make_post().code)
    act(handler, other, "refer")
    received, _code, _page = key_in(handler, post.code, text=OTHER_TEXT)
    assert staff.get(f"/complaints/cases/{other}").status_code == 403
    assert staff.get(f"/complaints/cases/{received}").status_code == 403
    token = csrf_token(staff, "/complaints/cases")
    response = staff.post(f"/complaints/cases/{other}/progress", data={"csrf_token": token, "note": "x"})
    assert response.status_code == 403
    listing = staff.get("/complaints/cases").get_data(as_text=True)
    assert other not in listing and received not in listing
    assert handler.get("/complaints/cases").get_data(as_text=True).count("/complaints/cases/TS") == 2


def test_duplicate_is_suggested_and_merged(handler, post):
    first, _code, _page = key_in(handler, post.code)
    second, _code, page = key_in(handler, post.code, text=TEXT + "请尽快处理。")
    assert "可能重复的投诉" in page and first in page
    page = act(handler, second, f"merge/{first}")
    assert f"已将 {second} 并入 {first}" in page
    merged = handler.get(f"/complaints/cases/{second}").get_data(as_text=True)
    assert "本案已并入" in merged and "转办</button>" not in merged
    assert f">{second}<" not in handler.get("/complaints/cases").get_data(as_text=True)


def test_overdue_filter_lists_cases_marked_overdue(app, handler, post):
    late, _code, _page = key_in(handler, post.code)
    on_time, _code, _page = key_in(handler, post.code, text=OTHER_TEXT, channel="letter")
    act(handler, late, "refer")
    act(handler, on_time, "refer")
    with app.app_context():
        complaint = svc.case_by_number(late)
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
        try:
            yield rule.build(values, append_unknown=False)[1]
        except ValueError:  # a converter that takes other values (Open311's fmt is json or xml)
            continue


def test_complainant_contact_is_shown_to_handlers_and_auditors_only(app, handler, sign_in, post):
    referred, _code, _page = key_in(handler, post.code, name=NAME, phone=PHONE)
    act(handler, referred, "refer")
    concluded, _code, _page = key_in(handler, post.code, text=OTHER_TEXT, name=NAME, phone=PHONE, channel="visit")
    act(handler, concluded, "refer")
    act(handler, concluded, "conclude", finding="substantiated", reply="经核实属实,已严肃处理。")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).where(Complaint.complainant_phone == PHONE)) == 2
    values = {"case_number": referred, "into_case_number": concluded, "code": post.code, "year": local_today().year}
    with app.test_request_context():
        urls = sorted(
            {url for fmt in ("csv", "xlsx", "json", "xml") for url in _get_routes(app, {**values, "fmt": fmt})}
            | {f"/complaints/cases/{concluded}"}
        )
    assert "/complaints/cases" in urls and f"/complaints/cases/{referred}" in urls
    others = [role.value for role in Role if role not in (Role.COMPLAINT_HANDLER, Role.AUDITOR)]
    for who in [None, *others]:
        client = sign_in(who) if who else app.test_client()  # unit staff and HR of the post's own unit too
        for url in urls:
            text = _text_of(client.get(url))
            assert PHONE not in text and NAME not in text, (who, url)
    assert "(仅投诉中心可见)" in sign_in("admin").get(f"/complaints/cases/{referred}").get_data(as_text=True)
    for who in ("complaint_handler", "auditor"):
        page = sign_in(who).get(f"/complaints/cases/{referred}").get_data(as_text=True)
        assert PHONE in page and NAME in page, who


def test_case_list_loads_its_cases_in_one_query(app, handler, post, make_post):
    for text, about in ((TEXT, post), (OTHER_TEXT, make_post()), (TEXT + "第三次反映。", make_post())):
        key_in(handler, about.code, text=text)
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
    assert page.count('href="/complaints/cases/TS') == 3
    touching = [s for s in statements if "complaints" in s or "posts" in s]
    assert len(touching) == 2, touching  # the page's cases with their posts and units, and the count
