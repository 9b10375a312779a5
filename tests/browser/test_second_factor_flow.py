"""The second factor in a browser: a complaint handler's first sign-in enrols an authenticator app from the QR page
and keeps the recovery codes; later sign-ins ask for the app's code, and a recovery code works once."""

import re

import pyotp
from playwright.sync_api import expect

from rating.extensions import db
from rating.services import audit
from rating.services.users import create_user
from tests.browser.conftest import sign_in

PASSWORD = "handler-two-2026"


def _password_step(page, username):
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _sign_out(page):
    page.goto("/admin/")
    page.get_by_role("button", name="退出登录").click()


def test_enrolment_then_sign_in_with_the_app_and_a_recovery_code_once(browser, live_app, live_server):
    with live_app.app_context():
        create_user(audit.CLI, username="handler-two", password=PASSWORD, role="complaint_handler")
        db.session.commit()
    page = browser.new_context(base_url=live_server, locale="zh-CN").new_page()

    # 1. The first sign-in: the password, then the enrolment page with its QR code and key.
    _password_step(page, "handler-two")
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    expect(page.locator("img.qr")).to_be_visible()
    secret = page.locator(".totp-secret").inner_text()
    page.get_by_label("验证码").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="启用并登录").click()
    expect(page.locator("h1")).to_have_text("双因素认证已启用")
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="我已保存,继续").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    _sign_out(page)

    # 2. The next sign-in asks for the app's code.
    sign_in(page, live_app, "handler-two", PASSWORD)
    _sign_out(page)

    # 3. A recovery code signs in once; the same code a second time is refused.
    for attempt in range(2):
        _password_step(page, "handler-two")
        expect(page).to_have_url(re.compile(r"/login/code$"))
        page.get_by_label("验证码").fill(codes[0])
        page.get_by_role("button", name="验证").click()
        if attempt == 0:
            expect(page).to_have_url(re.compile(r"/admin/$"))
            _sign_out(page)
    expect(page.locator(".flash-error")).to_have_text("验证码不正确或已使用过。")
    page.context.close()
