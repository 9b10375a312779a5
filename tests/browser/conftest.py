"""Browser tests: Debian's Chromium driven by Playwright against the app served on a loopback port.

Required in CI (REQUIRE_BROWSER=1, set by .ci/run); skipped with a message locally when /usr/bin/chromium is absent.
Playwright never downloads a browser here.
"""

import os
import re
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from rating.extensions import db
from tests.conftest import build_database, make_app, totp_code

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


def sign_in(page, app, username: str, password: str) -> None:
    """Sign in through the login form, typing the second factor's current code when the page asks for it (as the
    user's authenticator app would show it); ends on the back office's landing page."""
    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/(admin/|login/code)$"))
    if page.url.endswith("/login/code"):
        page.get_by_label("验证码").fill(totp_code(app, username))
        page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 but {CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"browser tests skipped: {CHROMIUM} not found (apt-get install chromium; CI requires them)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def live_server(live_site):
    return live_site[1]


@pytest.fixture(scope="session")
def live_app(live_site):
    """The app behind the live server, to prepare data (committed) from a test."""
    return live_site[0]


@contextmanager
def serving_demo_site(directory):
    """The seeded demo site on its own SQLite database in ``directory`` and a free loopback port; yields
    (app, base URL)."""
    url = f"sqlite:///{directory / 'site.db'}"
    build_database(url)
    app = make_app(url, TESTING=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_site(tmp_path_factory):
    """The seeded demo site shared by the browser tests; yields (app, base URL)."""
    with serving_demo_site(tmp_path_factory.mktemp("browser")) as site:
        yield site


@pytest.fixture
def phone(browser, live_server):
    """A fresh phone-sized page; fails the test if the page logs any error (a CSP violation, a broken asset)."""
    context = browser.new_context(base_url=live_server, locale="zh-CN", **PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    yield page
    context.close()
    # A refused request (4xx) is an expected page; anything else logged as an error (a CSP violation, a script
    # error, a 5xx) fails the test.
    assert not [e for e in errors if "responded with a status of 4" not in e], errors
