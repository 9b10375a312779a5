"""On a phone: a citizen finds a grassroots station in the directory and rates it with the posts' form; once the
cycle's verdict is published (the rankings are published with it), the public department and station pages show
the groups, the two-years-last flag with the head named, the lowest two stations and the unranked one.

Publishing is final, so this runs on a site and database of its own (like the notice flow).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models import Cycle, Rating, Unit
from rating.services import audit
from rating.services.rankings import lifecycle as rankings
from rating.services.verdict import lifecycle
from tests.browser.conftest import PHONE, serving_demo_site

YEAR = local_today().year


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with serving_demo_site(tmp_path_factory.mktemp("rankings")) as served:
        yield served


@pytest.fixture
def phone(browser, site):
    context = browser.new_context(base_url=site[1], locale="zh-CN", **PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    assert not [e for e in errors if "responded with a status of 4" not in e], errors


def _publish(app) -> None:
    """The office computes the verdict and both rankings, gives notice, and publishes after it."""
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        lifecycle.compute_final(audit.CLI, cycle)
        rankings.compute_departments(audit.CLI, cycle)
        rankings.compute_stations(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        cycle.notice_starts_on, cycle.notice_ends_on = local_today() - timedelta(8), local_today() - timedelta(1)
        lifecycle.publish(audit.CLI, cycle)
        db.session.commit()


def test_a_citizen_rates_a_station_then_reads_the_published_rankings(phone, site):
    app, _url = site
    phone.goto("/posts")
    phone.get_by_role("link", name=re.compile("东街派出所")).click()
    expect(phone).to_have_url(re.compile(r"/units/S02/rate"))
    expect(phone.locator("h1")).to_contain_text("东街派出所")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("group", name="总体评价").get_by_text("不满意", exact=True).click()
    phone.get_by_label("意见建议(选填,500字以内)").fill("排队太久")
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("h1")).to_have_text("感谢您的评价")
    receipt = phone.locator(".receipt-number").inner_text()
    with app.app_context():
        rating = db.session.scalar(select(Rating).where(Rating.receipt == receipt))
        assert rating.level == 2 and db.session.get(Unit, rating.post.unit_id).code == "S02"

    _publish(app)
    phone.goto(f"/results/{YEAR}/departments")
    expect(phone.locator("h1")).to_contain_text("部门综合考核排名")
    resign = phone.get_by_role("note").filter(has_text="连续两年末位")
    expect(resign).to_contain_text("市统计局")
    expect(resign).to_contain_text("引咎辞职")
    expect(phone.get_by_role("heading", name="市直部门")).to_be_visible()
    expect(phone.get_by_role("heading", name="通报表彰")).to_be_visible()

    phone.goto(f"/results/{YEAR}/stations")
    lowest = phone.get_by_role("note").filter(has_text="满意率最低的基层站所")
    expect(lowest).to_contain_text("东街派出所")
    expect(lowest).to_contain_text("南郊区国土资源所")
    expect(phone.get_by_role("row", name=re.compile("北县农业技术推广站"))).to_contain_text("样本不足")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
