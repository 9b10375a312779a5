"""Back-office pickers on a phone (issue 15 item 6): the complaint centre keys in a phone complaint about "婚姻登记"
without knowing its code; with script the suggestions come while typing, without script the form offers what the
name finds as a choice. And the moderation page's reason inputs are large enough to hit (issue 15 item 9)."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import PHONE, sign_in
from tests.conftest import DEMO_USERS

TEXT = "来电反映婚姻登记窗口预约后仍需排队两个小时,工作人员态度冷淡。"


def _sign_in(page, app, role):
    sign_in(page, app, DEMO_USERS[role]["username"], DEMO_USERS[role]["password"])


def _fill_the_rest(page):
    page.get_by_label("投诉内容").fill(TEXT)


def test_a_post_is_found_by_name_while_typing(phone, live_app):
    _sign_in(phone, live_app, "complaint_handler")
    phone.goto("/complaints/cases/new")
    field = phone.get_by_label("被投诉岗位(编号或名称)")
    field.press_sequentially("婚姻登记")
    suggestion = phone.locator("#post_code-found option").first
    expect(suggestion).to_have_attribute("value", re.compile(r"^DT-092 婚姻登记员岗 · 市婚姻登记处$"))
    field.fill(suggestion.get_attribute("value"))  # what choosing the suggestion puts in the field
    _fill_the_rest(phone)
    phone.get_by_role("button", name="登记并生成案件编号").click()
    expect(phone.locator("main")).to_contain_text("DT-092")
    expect(phone.locator("main")).to_contain_text("婚姻登记员岗")


def test_without_script_the_name_is_searched_then_chosen(browser, live_server, live_app):
    context = browser.new_context(base_url=live_server, locale="zh-CN", java_script_enabled=False, **PHONE)
    page = context.new_page()
    try:
        _sign_in(page, live_app, "complaint_handler")
        page.goto("/complaints/cases/new")
        page.get_by_label("被投诉岗位(编号或名称)").fill("婚姻登记")
        _fill_the_rest(page)
        page.get_by_role("button", name="登记并生成案件编号").click()
        choice = page.get_by_role("radio", name=re.compile(r"^DT-092 婚姻登记员岗"))
        expect(choice).to_be_visible()
        expect(page.get_by_label("投诉内容")).to_have_value(TEXT)  # nothing typed is lost
        choice.check()
        page.get_by_role("button", name="登记并生成案件编号").click()
        expect(page.locator("main")).to_contain_text("婚姻登记员岗")
        expect(page.locator("main")).to_contain_text("DT-092")
    finally:
        context.close()


def test_moderation_reasons_are_large_enough_to_hit(phone, live_app):
    _sign_in(phone, live_app, "admin")
    phone.goto("/admin/ratings")
    reasons = phone.locator("input[name=reason]")
    assert reasons.count() > 0
    for index in range(min(reasons.count(), 5)):
        box = reasons.nth(index).bounding_box()
        assert box["height"] >= 24, box


def test_the_changed_back_office_pages_pass_axe(browser, live_server, live_app):
    """The intake form showing what a name finds, the audit log in words and the moderation page, on a phone and a
    desktop, in both languages: no WCAG 2.x A/AA violation."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.test_accessibility import VIEWPORTS, _violations

    axe, found = Axe(), []
    for role, paths in (
        ("complaint_handler", ["/complaints/cases/new"]),
        ("admin", ["/admin/audit", "/admin/ratings"]),
    ):
        context = browser.new_context(base_url=live_server, locale="zh-CN")
        page = context.new_page()
        _sign_in(page, live_app, role)
        signed_in = context.storage_state()
        context.close()
        for viewport in VIEWPORTS:
            for language in ("zh", "en"):
                context = browser.new_context(base_url=live_server, storage_state=signed_in, **VIEWPORTS[viewport])
                page = context.new_page()
                page.goto(f"/lang/{language}?next=/admin/")
                for path in paths:
                    page.goto(path)
                    if path == "/complaints/cases/new":  # the search step: candidates offered as a choice
                        page.locator("#post_code").fill("婚姻登记")
                        page.locator("#text").fill(TEXT)
                        page.locator("form[novalidate] button[type=submit]").click()
                        expect(page.locator(".picks")).to_be_visible()
                    found += [f"{viewport} {language}: {line}" for line in _violations(axe, page)]
                context.close()
    assert not found, "\n".join(found)
