"""The casework pages around the clocks: the queue shows each case's running clock and whether it has run out; the
unit signs, asks for more time or sends a case back; the centre approves, re-refers, concludes directly and records
its return call; each new route open to its role only (and to the case's own unit)."""

import itertools
import re
from datetime import timedelta

import pytest

from rating.clock import local_today
from rating.extensions import db
from rating.services import audit
from rating.services import complaints as svc
from rating.workdays import add_working_days
from tests.conftest import csrf_token
from tests.factories import local_datetime

pytestmark = pytest.mark.bare
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"


@pytest.fixture
def post(make_cycle, make_post):
    make_cycle()
    return make_post()


@pytest.fixture
def sign_in(app, login_as, post):
    addresses = itertools.count(1)

    def sign(who, unit=None):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.1.{next(addresses)}"
        return login_as(who, unit=unit or (post.unit if who == "unit_staff" else None), client=client)

    return sign


@pytest.fixture
def handler(sign_in):
    return sign_in("complaint_handler")


@pytest.fixture
def staff(sign_in):
    return sign_in("unit_staff")


def filed(app, post, at=None, referred=False) -> str:
    with app.app_context():
        intake = svc.Intake(channel="phone", category="access", text=TEXT, post_code=post.code)
        complaint, _code = svc.file_complaint(audit.Actor("handler"), intake, at=at)
        if referred:
            svc.refer(audit.Actor("handler"), complaint, at=at)
        db.session.commit()
        return complaint.case_number


def post_to(client, case: str, action: str, **data):
    url = f"/complaints/cases/{case}"
    return client.post(f"{url}/{action}", data={"csrf_token": csrf_token(client, "/admin/"), **data})


def act(client, case: str, action: str, **data) -> str:
    response = post_to(client, case, action, **data)
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_queue_shows_the_running_clock_and_overdue_cases(app, handler, post):
    late = filed(app, post, at=local_datetime(local_today() - timedelta(days=8)))
    fresh = filed(app, post)
    rows = dict(
        re.findall(
            r">(TS\d{4}-\d{5})</a>.*?<td class=\"clock\">(.*?)</td>",
            handler.get("/complaints/cases").get_data(as_text=True),
            re.S,
        )
    )
    assert "转办期限" in rows[late] and "已逾期" in rows[late]
    assert add_working_days(local_today(), 1).isoformat() in rows[fresh] and "已逾期" not in rows[fresh]
    with app.app_context():
        assert [c.case_number for c in svc.mark_overdue()] == [late]
        db.session.commit()
    supervised = handler.get("/complaints/cases?overdue=1").get_data(as_text=True)  # 督办
    assert late in supervised and fresh not in supervised


def test_the_unit_signs_and_extends_once_and_the_centre_approves(app, handler, staff, post):
    case = filed(app, post, referred=True)
    assert "签收期限" in staff.get("/complaints/cases").get_data(as_text=True)
    page = act(staff, case, "sign")
    assert "已签收,请按期办理。" in page and "已于" in page and "申请延期" in page
    with app.app_context():
        deadline = svc.case_by_number(case).deadline
    page = act(staff, case, "extension", days="20", reason="需要调取多个部门的记录。")
    assert "延期天数应为 1–15 个工作日。" in page
    page = act(staff, case, "extension", days="5", reason="需要调取多个部门的记录。")
    assert "延期申请待审批" in page and "提交延期申请" not in page
    page = handler.get(f"/complaints/cases/{case}").get_data(as_text=True)
    assert "承办单位申请延期 5 个工作日:需要调取多个部门的记录。" in page
    page = act(handler, case, "extension/decide", decision="approve")
    moved = add_working_days(deadline, 5).isoformat()
    assert "已批准延期" in page and moved in page and "延期审批" not in page
    assert "提交延期申请" not in staff.get(f"/complaints/cases/{case}").get_data(as_text=True)  # once only


def test_a_case_sent_back_leaves_the_unit_and_the_centre_refers_it_elsewhere(app, handler, staff, post, make_unit):
    right = make_unit(name="市虚构市场监管局")
    case = filed(app, post, referred=True)
    response = post_to(staff, case, "send-back", reason="不属")
    assert response.headers["Location"].endswith(f"/complaints/cases/{case}")  # refused: back to the case
    response = post_to(staff, case, "send-back", reason="所反映的收费事项属市场监管部门职责。")
    assert response.headers["Location"].endswith("/complaints/cases")
    listing = staff.get("/complaints/cases").get_data(as_text=True)
    assert f"已将 {case} 退回投诉中心" in listing and f"/complaints/cases/{case}" not in listing
    assert staff.get(f"/complaints/cases/{case}").status_code == 403
    listing = handler.get("/complaints/cases").get_data(as_text=True)
    assert "单位退回" in listing
    page = handler.get(f"/complaints/cases/{case}").get_data(as_text=True)
    assert "所反映的收费事项属市场监管部门职责。" in page and "改派单位编号" in page
    page = act(handler, case, "refer", unit_code=right.code)
    assert "已转办至 市虚构市场监管局" in page and "已转办" in page


def test_the_centre_concludes_directly_and_records_the_return_call(app, handler, post):
    case = filed(app, post)
    page = handler.get(f"/complaints/cases/{case}").get_data(as_text=True)
    assert "直接办结并答复" in page
    page = act(
        handler,
        case,
        "conclude-directly",
        **{"direct-finding": "unsubstantiated", "direct-reply": "已当场解释办理流程。"},
    )
    assert "已直接办结" in page and "已办结" in page and "电话回访" in page
    page = act(handler, case, "return-call", reached="0", note="无人接听")
    assert "回访电话未接通" in page and "记录回访" in page  # may be tried again
    page = act(handler, case, "return-call", reached="1", satisfaction="dissatisfied", note="认为答复没有解决问题")
    assert "重新办理" in page and "办理中" in page
    assert "上述核查结论在重新办结前继续有效" in page


NEW_ROUTES = {
    "sign": ("unit_staff",),
    "send-back": ("unit_staff",),
    "extension": ("unit_staff",),
    "extension/decide": ("complaint_handler",),
    "conclude-directly": ("complaint_handler",),
    "return-call": ("complaint_handler",),
}


@pytest.mark.parametrize("action", NEW_ROUTES)
@pytest.mark.parametrize("role", ["unit_staff", "complaint_handler", "auditor", "admin", "hr_officer", "inspector"])
def test_each_new_step_is_open_to_its_role_only(app, sign_in, post, action, role):
    case = filed(app, post, referred=True)
    client = sign_in(role, unit=post.unit if role == "hr_officer" else None)
    response = post_to(client, case, action)
    assert (response.status_code != 403) == (role in NEW_ROUTES[action]), response.status_code


def test_another_units_staff_cannot_touch_the_case(app, sign_in, post, make_unit):
    case = filed(app, post, referred=True)
    stranger = sign_in("unit_staff", unit=make_unit())
    for action in ("sign", "send-back", "extension"):
        assert post_to(stranger, case, action).status_code == 403
