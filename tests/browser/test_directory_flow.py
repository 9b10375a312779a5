"""A citizen on a phone finds a post; an HR officer signs in and stays in their own unit."""

import re

from playwright.sync_api import expect

from tests.conftest import DEMO_USERS


def test_citizen_searches_directory_opens_post_and_switches_language(phone):
    phone.goto("/posts")
    expect(phone.locator(".result-count")).to_contain_text("共 100 个岗位")
    assert phone.locator(".post-card").count() == 20
    # The page fits a phone: nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.get_by_placeholder("搜索姓名、岗位、单位或职责").fill("户籍审批")
    phone.get_by_role("button", name="搜索").click()
    expect(phone).to_have_url(re.compile(r"/posts\?q="))
    expect(phone.locator(".post-card")).to_have_count(1)
    phone.locator(".post-card").first.click()

    expect(phone).to_have_url(re.compile(r"/posts/DT-001$"))
    expect(phone.locator("h1")).to_have_text("户籍科户籍审批岗")
    expect(phone.locator(".holder")).to_have_text("赵文涛")
    expect(phone.get_by_role("heading", name="岗位职责")).to_be_visible()

    phone.get_by_role("link", name="English").click()
    expect(phone).to_have_url(re.compile(r"/posts/DT-001$"))
    expect(phone.locator("html")).to_have_attribute("lang", "en")
    expect(phone.get_by_role("heading", name="Responsibilities")).to_be_visible()
    phone.get_by_role("link", name="中文").click()
    expect(phone.get_by_role("heading", name="岗位职责")).to_be_visible()


def test_directory_filters_by_unit_and_pages(phone):
    phone.goto("/posts")
    phone.locator("#unit").select_option("M05")
    phone.get_by_role("button", name="搜索").click()
    expect(phone.locator(".post-card .unit").first).to_have_text("市公安局")
    phone.goto("/posts")
    phone.get_by_role("link", name="下一页").click()
    expect(phone.locator(".post-card .code").first).to_have_text("DT-021")


def test_hr_officer_signs_in_and_sees_only_own_unit(phone):
    hr = DEMO_USERS["hr_officer"]
    phone.goto("/admin/")
    expect(phone).to_have_url(re.compile(r"/login\?next="))
    phone.get_by_label("用户名").fill(hr["username"])
    phone.get_by_label("密码").fill(hr["password"])
    phone.get_by_role("button", name="登录").click()

    expect(phone).to_have_url(re.compile(r"/admin/$"))
    expect(phone.locator(".admin-nav")).to_contain_text("人事科")
    phone.get_by_role("link", name="岗位与责任人").click()
    units = phone.locator("tbody tr td:nth-child(4)").all_inner_texts()
    assert units and set(units) == {"市公安局"}

    response = phone.goto("/admin/posts/DT-100")
    assert response.status == 403
    expect(phone.locator("h1")).to_have_text("无权访问")

    phone.goto("/admin/")
    phone.get_by_role("button", name="退出登录").click()
    phone.goto("/admin/")
    expect(phone).to_have_url(re.compile(r"/login"))


def test_wrong_password_shows_message_in_browser(phone):
    phone.goto("/login")
    phone.get_by_label("用户名").fill("admin")
    phone.get_by_label("密码").fill("not-the-password")
    phone.get_by_role("button", name="登录").click()
    expect(phone.locator(".flash-error")).to_have_text("用户名或密码不正确。")
