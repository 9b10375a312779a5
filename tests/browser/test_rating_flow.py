"""A citizen scans the QR card handed over after a service, rates on a phone, and gets a receipt."""

import re

from playwright.sync_api import expect

from rating.extensions import db
from rating.models import Post, Rating, RatingCode
from rating.services import audit
from rating.services.codes import issue_codes


def _fresh_code(app, post_code="DT-012"):
    with app.app_context():
        post = db.session.scalar(db.select(Post).where(Post.code == post_code))
        batch = issue_codes(audit.Actor("staff-police"), post, 1, 30)
        db.session.commit()
        return db.session.scalar(db.select(RatingCode.code).where(RatingCode.batch == batch))


def test_scan_rate_and_get_a_receipt_on_a_phone(phone, live_app):
    code = _fresh_code(live_app)
    phone.goto(f"/r/{code}")
    expect(phone).to_have_url(re.compile(r"/posts/DT-012/rate"))
    expect(phone.get_by_label("评价码(选填,卡片上的10位码)")).to_have_value(code)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_role("group", name="总体评价").get_by_text("非常满意", exact=True).click()
    phone.get_by_text("分项评价(选填)").click()
    phone.get_by_role("group", name="服务态度").get_by_text("满意", exact=True).click()
    phone.get_by_label("意见建议(选填,500字以内)").fill("一次就办好了")
    phone.get_by_role("button", name="提交评价").click()

    expect(phone.locator("h1")).to_have_text("感谢您的评价")
    receipt = phone.locator(".receipt-number").inner_text()
    assert receipt.startswith("R")
    with live_app.app_context():
        rating = db.session.scalar(db.select(Rating).where(Rating.receipt == receipt))
        assert (rating.level, rating.attitude, rating.verified, rating.channel) == (5, 4, True, "window")


def test_reused_code_is_refused_and_the_rating_can_still_be_given(phone, live_app):
    code = _fresh_code(live_app, "DT-013")
    phone.goto(f"/r/{code}")
    phone.get_by_role("group", name="总体评价").get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("h1")).to_have_text("感谢您的评价")
    # Scanned again: the form says the code is used before anything is filled in, and opens without it.
    phone.goto(f"/r/{code}")
    expect(phone.get_by_role("alert")).to_contain_text("已经使用过")
    expect(phone.get_by_label("评价码(选填,卡片上的10位码)")).to_have_value("")
    phone.get_by_role("group", name="总体评价").get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.locator("h1")).to_have_text("感谢您的评价")
