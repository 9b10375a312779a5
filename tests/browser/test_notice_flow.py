"""From computation to publication in a browser: the administrator computes the current cycle on the verdict desk and
puts it up for public notice; a citizen on a phone lodges an objection from the public ranking and gets a reference
number; the administrator answers it; once the notice period is over the administrator publishes, and the public
ranking shows the published result with the content hash stored in the database.

Publishing is final (published rows are immutable), so this test runs on a site and database of its own rather than
the shared demo site the other browser tests rate and complain on.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models.cycles import Cycle
from rating.models.results import ResultKind
from rating.services.verdict import publication
from tests.browser.conftest import PHONE, serving_demo_site
from tests.browser.conftest import sign_in as sign_in_as
from tests.conftest import DEMO_USERS

YEAR = local_today().year
OBJECTION = "第三名岗位的服务评价明显偏高,与窗口实际排队情况不符,请核查。"
ANSWER = "经核查,该岗位评价均来自当场发放的一次性评价码,结果无误。"
CONTACT = "13922223333"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The seeded demo site on its own database (publishing makes its rows immutable, and would close the cycle the
    shared site's rating tests use); yields (app, base URL)."""
    with serving_demo_site(tmp_path_factory.mktemp("notice")) as served:
        yield served


@pytest.fixture
def pages(browser, site):
    """New pages each in a context of its own; fails the test if any page logs an error (CSP, script, 5xx)."""
    contexts, errors = [], []

    def open_page(**options):
        context = browser.new_context(base_url=site[1], locale="zh-CN", **options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not [e for e in errors if "responded with a status of 4" not in e], errors


def sign_in(page, app, role):
    user = DEMO_USERS[role]
    sign_in_as(page, app, user["username"], user["password"])


def test_notice_to_publication(site, pages):
    app, _base = site
    flash = "p.flash"

    # 1. The administrator computes the current cycle on the desk (which closes rating intake first).
    admin = pages()
    sign_in(admin, site[0], "admin")
    admin.get_by_role("link", name="评议结果:计算、公示与公布").click()
    admin.get_by_role("link", name=f"{YEAR} 年度").click()
    expect(admin.locator("#cycle-status")).to_have_text("评议进行中")
    expect(admin.locator("#actions")).to_contain_text("计算前将先结束评议,停止接收群众评价")
    admin.get_by_label("确认计算最终结果").check()
    admin.get_by_role("button", name="计算结果").click()
    expect(admin.locator(flash)).to_have_text("已算出第 1 版计算结果(100 个岗位参评)。")
    expect(admin.locator("#cycle-status")).to_have_text("已计算")

    # 2. … and puts it up for public notice for the method's default seven days.
    expect(admin.get_by_label("公示天数")).to_have_value("7")
    admin.get_by_label("确认开始公示").check()
    admin.get_by_role("button", name="开始公示").click()
    expect(admin.locator("#cycle-status")).to_have_text("公示中")
    expect(admin.locator("#warned .reply-link")).to_have_count(5)

    # 3. A citizen on a phone reads the ranking in notice and lodges an objection about the third post.
    citizen = pages(**PHONE)
    citizen.goto(f"/results/{YEAR}")
    citizen.get_by_role("link", name="提出异议").first.click()
    expect(citizen).to_have_url(re.compile(rf"/results/{YEAR}/objections$"))
    third = citizen.get_by_label("涉及的岗位(选填)").locator("option").nth(3).get_attribute("value")
    citizen.get_by_label("涉及的岗位(选填)").select_option(third)
    citizen.get_by_label("异议内容(请写明事实和理由)").fill(OBJECTION)
    citizen.get_by_label("联系方式(选填,仅效能办可见,用于核实情况)").fill(CONTACT)
    citizen.get_by_role("button", name="提交异议").click()
    expect(citizen.locator("h2").first).to_have_text("异议已登记")
    reference = citizen.locator("#objection-reference").inner_text()
    assert reference == f"YY{YEAR}-0001"
    expect(citizen.locator("#answered")).to_contain_text("1 件待答复")

    # 4. The administrator sees it with the private contact, cannot publish yet, and answers it.
    admin.reload()
    objection = admin.locator(".objection", has_text=reference)
    expect(objection).to_contain_text(OBJECTION)
    expect(objection).to_contain_text(CONTACT)
    expect(admin.locator("#blockers")).to_contain_text("还有 1 件异议或申辩未答复。")
    admin.get_by_label(f"答复异议 {reference}").fill(ANSWER)
    admin.get_by_role("button", name="保存答复").click()
    expect(admin.locator(flash)).to_have_text(f"已答复 {reference}。")

    # The citizen now finds the answer on the public page, without anyone's contact.
    citizen.reload()
    expect(citizen.locator("#answered")).to_contain_text(ANSWER)
    expect(citizen.locator("body")).not_to_contain_text(CONTACT)

    # 5. The notice period runs out (moved into the past in the site's database) and the administrator publishes.
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        cycle.notice_starts_on = local_today() - timedelta(days=8)
        cycle.notice_ends_on = local_today() - timedelta(days=1)
        db.session.commit()
    admin.reload()
    expect(admin.locator("#blockers")).to_have_count(0)
    admin.get_by_label("确认正式公布").check()
    admin.get_by_role("button", name="正式公布").click()
    expect(admin.locator(flash)).to_have_text("结果已正式公布(第 1 版)。")
    expect(admin.locator("#cycle-status")).to_have_text("已公布")
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        content_hash = publication.latest(cycle, ResultKind.PUBLISHED).content_hash
    expect(admin.locator("#versions")).to_contain_text(content_hash)

    # 6. The public ranking shows the published result with that content hash; objections are closed.
    citizen.goto(f"/results/{YEAR}")
    expect(citizen.locator("code.hash").first).to_have_text(f"sha256 {content_hash}")
    citizen.goto(f"/results/{YEAR}/objections")
    expect(citizen.locator("#notice-closed")).to_contain_text("已正式公布")
    expect(citizen.locator("#answered")).to_contain_text(ANSWER)
