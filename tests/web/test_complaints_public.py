"""The complainant's side of the complaint centre: filing online, the query code shown once, tracking with the case
number and code (no oracle, no contact shown), the return visit reopening a case, bad input and rate limits."""

import re

import pytest
from sqlalchemy import func, select

from rating.extensions import db
from rating.models import Complaint
from rating.services import audit
from rating.services import complaints as svc
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"
NAME, PHONE = "王小明", "13912345678"
NOT_FOUND = "案件编号或查询码不正确"
CODE = re.compile(r'receipt-number">([A-Z0-9-]+)<')


@pytest.fixture
def post(make_cycle, make_post):
    make_cycle()
    return make_post(title="户籍审批岗")


def _file(client, about, **change):
    data = {
        "csrf_token": csrf_token(client, "/complaints/new"),
        "post": about.code,
        "unit": "",
        "category": "access",
        "text": TEXT,
        "name": NAME,
        "phone": PHONE,
        **change,
    }
    return client.post("/complaints/new", data=data)


def _filed(client, post) -> tuple[str, str]:
    response = _file(client, post)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    case_number, code = CODE.findall(page)
    return case_number, code


def _track(client, case_number, code):
    token = csrf_token(client, "/complaints/track")
    return client.post("/complaints/track", data={"csrf_token": token, "case_number": case_number, "query_code": code})


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Complaint))


def _conclude(app, case_number):
    handler = audit.Actor("handler")
    with app.app_context():
        complaint = svc.case_by_number(case_number)
        svc.refer(handler, complaint)
        svc.conclude(handler, complaint, "partly", "经核查,窗口已改为一次告知所需材料。")
        db.session.commit()


def test_form_prefills_the_post_and_explains_the_categories(client, post):
    page = client.get(f"/complaints/new?post={post.code}").get_data(as_text=True)
    assert f'value="{post.code}"' in page and f"{post.code} 户籍审批岗 · {post.unit.name}" in page
    for words in ("四难", "门难进", "乱摊派", "给了好处乱办事", "推诿扯皮", "执法不规范"):
        assert words in page
    assert "只有投诉中心能看到" in page


def test_filing_shows_case_number_and_code_once(app, client, post):
    response = _file(client, post)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    case_number, code = CODE.findall(page)
    assert case_number.startswith("TS") and len(code) == 8
    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert code not in again and "不再显示" in again
    with app.app_context():
        complaint = svc.find_for_complainant(case_number, code)
        assert complaint.channel == "web" and complaint.complainant_phone == PHONE
        assert (complaint.post_id, complaint.unit_id) == (post.id, post.unit_id)


def test_tracking_with_the_right_pair_shows_status_but_never_the_contact(client, post):
    case_number, code = _filed(client, post)
    response = _track(client, case_number, code.lower())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "已受理" in page and case_number in page
    assert NAME not in page and PHONE not in page


def test_wrong_code_and_unknown_case_get_the_same_answer(client, post):
    case_number, code = _filed(client, post)
    wrong_code = _track(client, case_number, "ZZZZZZZZ" if code != "ZZZZZZZZ" else "YYYYYYYY")
    unknown = _track(client, "TS1999-99999", code)
    assert wrong_code.status_code == unknown.status_code == 200
    for response in (wrong_code, unknown):
        page = response.get_data(as_text=True)
        assert NOT_FOUND in page and "办理状态" not in page


def test_concluded_case_shows_the_reply_and_takes_a_return_visit(app, client, post):
    case_number, code = _filed(client, post)
    _conclude(app, case_number)
    page = _track(client, case_number, code).get_data(as_text=True)
    assert "已办结" in page and "部分属实" in page and "一次告知所需材料" in page
    assert 'action="/complaints/track/visit"' in page and NAME not in page and PHONE not in page
    token = csrf_token(client, "/complaints/track")
    data = {"csrf_token": token, "case_number": case_number, "query_code": code, "satisfied": "1"}
    page = client.post("/complaints/track/visit", data=data).get_data(as_text=True)
    assert "感谢您的评价" in page and 'action="/complaints/track/visit"' not in page
    with app.app_context():
        assert svc.case_by_number(case_number).satisfied is True


def test_unsatisfied_visit_reopens_the_case(app, client, post):
    case_number, code = _filed(client, post)
    _conclude(app, case_number)
    token = csrf_token(client, "/complaints/track")
    data = {"csrf_token": token, "case_number": case_number, "query_code": code, "satisfied": "0"}
    page = client.post("/complaints/track/visit", data=data).get_data(as_text=True)
    assert "重新交办" in page and "办理状态:办理中" in page
    assert "办理状态:办理中" in _track(client, case_number, code).get_data(as_text=True)


def test_visit_rechecks_the_code(app, client, post):
    case_number, code = _filed(client, post)
    _conclude(app, case_number)
    token = csrf_token(client, "/complaints/track")
    data = {"csrf_token": token, "case_number": case_number, "query_code": "WRONG234", "satisfied": "0"}
    assert NOT_FOUND in client.post("/complaints/track/visit", data=data).get_data(as_text=True)
    with app.app_context():
        assert svc.case_by_number(case_number).satisfied is None


def test_internal_notes_are_not_shown(app, client, post):
    case_number, code = _filed(client, post)
    with app.app_context():
        complaint = svc.case_by_number(case_number)
        svc.refer(audit.Actor("handler"), complaint)
        svc.record_progress(audit.Actor("officer"), complaint, "内部办理记录:已约谈当事人")
        db.session.commit()
    page = _track(client, case_number, code).get_data(as_text=True)
    assert "办理中" in page and "内部办理记录" not in page and "officer" not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": "太短了"}, "10–2000"),
        ({"post": "DT-999"}, "不存在"),
        ({"post": "", "unit": ""}, "请选择被投诉的岗位或单位"),
        ({"category": ""}, "请选择问题类别"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_writes_nothing(app, client, post, change, message):
    response = _file(client, post, **change)
    assert response.status_code in (400, 422) and message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_a_unit_can_be_named_instead_of_a_post(app, client, post):
    response = _file(client, post, post="", unit=post.unit.code)  # a unit with posts
    assert response.status_code == 302
    with app.app_context():
        [complaint] = db.session.scalars(select(Complaint)).all()
        assert complaint.unit.code == post.unit.code and complaint.post_id is None


def test_filing_is_rate_limited(app, client, post):
    app.config["COMPLAINT_RATE_LIMIT"] = "2 per hour"
    assert [_file(client, post).status_code for _i in range(2)] == [302, 302]
    response = _file(client, post)
    assert response.status_code == 429 and "操作过于频繁" in response.get_data(as_text=True)
    assert _count(app) == 2


def test_tracking_is_rate_limited(app, client):
    app.config["COMPLAINT_TRACK_RATE_LIMIT"] = "2 per minute"
    assert [_track(client, "TS1999-99999", "ABCDEFGH").status_code for _i in range(2)] == [200, 200]
    assert _track(client, "TS1999-99999", "ABCDEFGH").status_code == 429
