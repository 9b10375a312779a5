"""The verdict carried through in a browser: the HR office of a warned holder's unit records the transfer, and the
public result shows "已调离" on the warned line; the office records the measure in the accountability ledger, closes
the entry and publishes it, and the public accountability notices show it.

A transfer changes who holds the post, so this test runs on a site and database of its own.
"""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models import TransferOrder
from rating.models.accountability import TransferStatus
from rating.services import audit
from rating.services.users import create_user
from tests.browser.conftest import serving_demo_site, sign_in
from tests.conftest import DEMO_USERS

LAST_YEAR = local_today().year - 1
HR_PASSWORD = "hr-of-the-warned-unit"
SUCCESSOR = "接任者丙"
NOTICE = "年度评议综合得分列末位,给予行政告诫并调离工作岗位。"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serving_demo_site(tmp_path_factory.mktemp("follow-through")) as served:
        yield served


@pytest.fixture(scope="module")
def warned(site):
    """The last warned line whose order the demo left open, and an HR officer of its unit (the demo has none
    there). The demo has transferred three warned holders and closed the first warning's ledger entry."""
    app = site[0]
    with app.app_context():
        order = db.session.scalar(
            select(TransferOrder).where(TransferOrder.status == TransferStatus.OPEN).order_by(TransferOrder.id.desc())
        )
        unit = order.unit
        create_user(audit.CLI, username="hr-warned", password=HR_PASSWORD, role="hr_officer", unit_code=unit.code)
        db.session.commit()
        return {"code": order.post.code, "holder": order.holder.name, "unit": unit.name}


@pytest.fixture
def pages(browser, site):
    contexts, errors = [], []

    def open_page():
        context = browser.new_context(base_url=site[1], locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not [e for e in errors if "responded with a status of 4" not in e], errors




def test_hr_transfers_the_warned_holder_and_the_public_result_shows_it(site, pages, warned):
    hr = pages()
    sign_in(hr, site[0], "hr-warned", HR_PASSWORD)
    expect(hr.locator(".notifications")).to_contain_text(warned["holder"])
    hr.get_by_role("link", name="调离令").click()
    hr.get_by_role("link", name=re.compile(warned["code"])).click()
    expect(hr.locator("h1")).to_contain_text("调离令")
    today = local_today().isoformat()
    hr.get_by_label("接任的岗位责任人").fill(SUCCESSOR)
    hr.get_by_label("调离日期").fill(today)
    hr.get_by_role("button", name="确认调离").click()
    expect(hr.locator(".flash-success")).to_contain_text("已登记调离")
    expect(hr.locator(".status")).to_contain_text(f"已调离({today})")

    citizen = pages()
    citizen.goto(f"/results/{LAST_YEAR}")
    line = citizen.locator("tr.line", has_text=warned["code"])
    expect(line).to_contain_text(warned["holder"])
    expect(line).to_contain_text(f"已调离({today})")


def test_office_closes_a_ledger_entry_and_the_public_notices_show_it(site, pages, warned):
    office = pages()
    admin = DEMO_USERS["admin"]
    sign_in(office, site[0], admin["username"], admin["password"])
    office.get_by_role("link", name="责任追究台账").click()
    office.get_by_label("来源").select_option(label="评议行政告诫")
    office.get_by_role("button", name="筛选").click()
    office.locator("tr", has_text=warned["holder"]).get_by_role("link").click()
    expect(office.locator(".measure")).to_contain_text("未登记")

    office.get_by_label("处理措施", exact=True).select_option(label="调离")
    office.get_by_label("处理情况(不予追究的写明理由)").fill("按评议办法调离工作岗位。")
    office.get_by_label("作出决定的机关或人员").fill("市效能办")
    office.get_by_label("决定日期").fill(local_today().isoformat())
    office.get_by_role("button", name="保存处理措施").click()
    expect(office.locator(".flash-success")).to_contain_text("处理措施已登记")
    office.get_by_role("button", name="办结此事项").click()
    expect(office.locator(".flash-success")).to_contain_text("事项已办结")

    office.get_by_label("在责任追究通报中公开").check()
    office.get_by_label("公开姓名(仅限处理决定本身已公开的)").check()
    office.get_by_label("通报内容(不得含投诉人等个人信息)").fill(NOTICE)
    office.get_by_role("button", name="保存").click()
    expect(office.locator(".flash-success")).to_contain_text("已在责任追究通报中公开")

    citizen = pages()
    citizen.goto("/")
    citizen.get_by_role("link", name="责任追究通报").click()
    notice = citizen.locator(".accountability-notice", has_text=NOTICE)
    expect(notice).to_contain_text(warned["unit"])
    expect(notice).to_contain_text(warned["holder"])
    expect(notice).to_contain_text("调离")
