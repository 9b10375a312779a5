"""Back-office pickers (issue 15 item 6): phone intake and inspection findings take a post or unit by name, not
only by its internal code. Without script: a search step (the form comes back with what the name finds), then a
choice; with script, the same suggestions come from /admin/lookup while typing."""

from datetime import timedelta

import pytest

from rating.clock import local_today
from rating.extensions import db
from rating.models import Complaint, InspectionFinding
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"


@pytest.fixture
def bureau(make_cycle, make_unit):
    make_cycle()
    return make_unit(name="市虚构民政局")


@pytest.fixture
def marriage(bureau, make_post):
    return make_post(unit=bureau, title="婚姻登记窗口岗")


@pytest.fixture
def aid(bureau, make_post):
    return make_post(unit=bureau, title="低保审核岗")


def _intake(client, **fields):
    data = {"channel": "phone", "category": "access", "text": TEXT, **fields}
    data["csrf_token"] = csrf_token(client, "/complaints/cases/new")
    return client.post("/complaints/cases/new", data=data)


def _complaint_posts(app) -> list[int]:
    with app.app_context():
        return db.session.scalars(db.select(Complaint.post_id)).all()


def test_a_name_typed_at_intake_is_searched_then_chosen(app, client, login_as, marriage, aid):
    login_as("complaint_handler")
    searched = _intake(client, post_code="婚姻登记")
    page = searched.get_data(as_text=True)
    assert searched.status_code == 422 and "不存在" not in page
    assert "“婚姻登记”不是编号。找到以下 1 项" in page
    assert f'name="post_code-pick" value="{marriage.code}"' in page and aid.code not in page.split("<main")[1]
    assert TEXT in page  # what was typed is kept for the second step
    assert _complaint_posts(app) == []  # nothing is filed before the choice
    chosen = _intake(client, post_code="婚姻登记", **{"post_code-pick": marriage.code})
    assert chosen.status_code == 302
    assert _complaint_posts(app) == [marriage.id]


def test_a_suggestion_taken_while_typing_goes_in_as_its_code(app, client, login_as, marriage):
    login_as("complaint_handler")
    assert _intake(client, post_code=f"{marriage.code} 婚姻登记窗口岗 · 市虚构民政局").status_code == 302
    assert _complaint_posts(app) == [marriage.id]


def test_codes_still_work_and_a_name_that_finds_nothing_says_so(app, client, login_as, marriage):
    login_as("complaint_handler")
    assert _intake(client, post_code=marriage.code.lower()).status_code == 302
    missing = _intake(client, post_code="不存在的岗位")
    assert missing.status_code == 422
    assert "没有找到编号或名称含“不存在的岗位”的岗位或单位" in missing.get_data(as_text=True)


def test_a_unit_is_picked_by_name_at_intake(app, client, login_as, bureau, marriage):
    login_as("complaint_handler")
    page = _intake(client, unit_code="虚构民政").get_data(as_text=True)
    assert f'name="unit_code-pick" value="{bureau.code}"' in page
    assert f'value="{marriage.code}"' not in page  # the unit field offers units only
    assert _intake(client, unit_code="虚构民政", **{"unit_code-pick": bureau.code}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(Complaint.unit_id)) == bureau.id


def test_findings_take_a_post_or_unit_by_name(app, client, login_as, bureau, marriage, aid):
    login_as("inspector")
    url = f"/inspect/findings/new?cycle={local_today().year}"
    data = {
        "csrf_token": csrf_token(client, url),
        "target": "虚构民政",
        "found_on": (local_today() - timedelta(days=1)).isoformat(),
        "kind": "undercover",
        "description": "窗口人员玩手机,群众排队无人受理",
        "deduction_code": "rude",
    }
    page = client.post(url, data=data).get_data(as_text=True)
    for code in (marriage.code, aid.code, bureau.code):
        assert f'name="target-pick" value="{code}"' in page
    assert client.post(url, data={**data, "target-pick": bureau.code}).status_code == 302
    with app.app_context():
        finding = db.session.scalar(db.select(InspectionFinding))
        assert finding.unit_id == bureau.id and finding.post_id is None


def test_suggestions_while_typing(client, login_as, bureau, marriage, aid):
    login_as("complaint_handler")
    items = client.get("/admin/lookup?q=婚姻登记").get_json()["items"]
    assert items == [{"code": marriage.code, "label": f"{marriage.code} 婚姻登记窗口岗 · 市虚构民政局"}]
    both = client.get("/admin/lookup?q=虚构民政&units=1").get_json()["items"]
    assert [item["code"] for item in both] == [marriage.code, aid.code, bureau.code]  # posts, then units
    units = client.get("/admin/lookup?q=虚构民政&posts=0&units=1").get_json()["items"]
    assert units == [{"code": bureau.code, "label": f"{bureau.code} 市虚构民政局"}]
    assert client.get("/admin/lookup?q=").get_json()["items"] == []


def test_the_page_loads_the_picker_script_from_our_own_origin(client, login_as, marriage):
    login_as("complaint_handler")
    response = client.get("/complaints/cases/new")
    page = response.get_data(as_text=True)
    assert 'src="/static/js/picker.js"' in page and 'data-suggest="/admin/lookup?posts=1"' in page
    assert 'list="post_code-found"' in page and '<datalist id="post_code-found">' in page
    assert "<script>" not in page and "script-src 'self'" in response.headers["Content-Security-Policy"]
