"""At 390 px (issue 15): the ranking read without sideways scrolling, with every title and every withheld title's
reason in view; a closed cycle offers no rate button; a bad rating without contact leads on to a complaint or a
follow-up; the rating form used by keyboard alone shows focus on the option card."""

from contextlib import contextmanager
from datetime import timedelta

from playwright.sync_api import expect

from rating.clock import local_today
from rating.extensions import db
from rating.models.cycles import CycleStatus
from rating.services.cycles import open_cycle
from rating.services.verdict import publication


def _published_year(app) -> int:
    with app.app_context():
        return next(row.year for row in publication.public_cycles() if row.status == CycleStatus.PUBLISHED)


def _inside_the_screen(locator) -> None:
    for index in range(locator.count()):
        item = locator.nth(index)
        expect(item).to_be_visible()
        box = item.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (item.inner_text(), box)


def test_the_whole_ranking_reads_on_a_phone_with_every_title_and_reason(phone, live_app):
    year = _published_year(live_app)
    phone.goto(f"/results/{year}")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.locator("table.ranking").evaluate("t => t.scrollWidth <= t.clientWidth + 1")
    badges = phone.locator("table.ranking .title-badge")
    assert badges.count() > 20
    _inside_the_screen(badges)
    reasons = phone.locator("table.ranking .withheld")
    assert reasons.count() >= 1
    _inside_the_screen(reasons)
    expect(reasons.first).to_contain_text("未评称号")
    # The explanation of S A C I T comes before the table, in words.
    expect(phone.locator(".components-legend")).to_contain_text("服务对象评议")

    phone.goto(f"/results/{year}/titles")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    _inside_the_screen(phone.locator(".title-list .title-badge"))


@contextmanager
def _rating_closed(app):
    """The open cycle's last day in the past (the scheduler has not closed it yet); restored afterwards."""
    with app.app_context():
        cycle = open_cycle()
        ends_on = cycle.ends_on
        cycle.ends_on = local_today() - timedelta(days=1)
        db.session.commit()
        cycle_id = cycle.id
    try:
        yield
    finally:
        with app.app_context():
            from rating.models.cycles import Cycle

            db.session.get(Cycle, cycle_id).ends_on = ends_on
            db.session.commit()


def test_a_closed_cycle_offers_no_rate_button(phone, live_app):
    with _rating_closed(live_app):
        phone.goto("/posts/DT-012")
        expect(phone.locator(".rating-closed")).to_contain_text("本年度评议已经结束")
        expect(phone.get_by_role("link", name="评价这个岗位")).to_have_count(0)
        phone.goto("/posts/DT-012/rate")
        expect(phone.get_by_role("button", name="提交评价")).to_have_count(0)
        phone.goto("/")
        expect(phone.locator(".cycle-status")).to_contain_text("已截止")


def test_a_bad_rating_without_contact_leads_to_a_complaint_or_a_follow_up(phone):
    phone.goto("/posts/DT-014/rate")
    hint = phone.locator(".contact-hint")
    expect(hint).to_be_hidden()
    phone.get_by_role("group", name="总体评价").get_by_text("不满意", exact=True).click()
    expect(hint).to_be_visible()  # choosing 不满意 points to the contact field
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("h1")).to_have_text("感谢您的评价")
    expect(phone.get_by_role("link", name="投诉这个岗位")).to_be_visible()
    phone.get_by_label("联系方式(手机号或电子邮箱,仅用于回访整改,不会公开)").fill("13900002222")
    phone.get_by_role("button", name="留下联系方式").click()
    expect(phone.get_by_role("link", name="查看整改进度(请收藏此链接,仅您本人可见)")).to_be_visible()


def test_the_rating_form_by_keyboard_alone_shows_focus_on_the_option_card(phone):
    phone.goto("/posts/DT-015/rate")
    for _ in range(40):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.name") == "level":
            break
    phone.keyboard.press("ArrowDown")  # moves and checks the next level, as radio groups do
    card = phone.locator("label.level:has(input:focus)")
    expect(card).to_have_count(1)
    assert card.evaluate("c => getComputedStyle(c).outlineStyle") == "solid"
    phone.keyboard.press("Space")
    checked = phone.locator("label.level:has(input:checked)")
    expect(checked).to_have_count(1)
    phone.locator("button.submit").focus()
    phone.keyboard.press("Enter")
    expect(phone.locator("h1")).to_have_text("感谢您的评价")
