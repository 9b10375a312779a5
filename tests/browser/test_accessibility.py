"""axe-core (bundled by axe-playwright-python, nothing downloaded) on every public page and each role's back-office
landing page, on a phone and a desktop, in Chinese and English: any WCAG 2.0/2.1/2.2 A or AA violation fails."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from rating.models.cycles import CycleStatus
from rating.models.users import Role
from rating.services.verdict import publication
from tests.browser.conftest import PHONE, sign_in
from tests.conftest import DEMO_USERS

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
VIEWPORTS = {"phone": PHONE, "desktop": {"viewport": {"width": 1280, "height": 900}}}
LANGUAGES = ("zh", "en")


@pytest.fixture(scope="module")
def axe():
    return Axe()


@pytest.fixture(scope="module")
def public_pages(live_app):
    with live_app.app_context():
        year = next(row.year for row in publication.public_cycles() if row.status == CycleStatus.PUBLISHED)
    results = f"/results/{year}"
    return [
        "/",
        "/posts",
        "/posts?page=999",
        "/posts/DT-001",
        "/posts/DT-001/rate",
        "/notices",
        "/accountability",
        "/results/",
        results,
        f"{results}/titles",
        f"{results}/posts/DT-001",
        f"{results}/print",
        "/results/2001",
        "/complaints/new",
        "/complaints/track",
        "/complaints/stats",
        "/privacy",
        "/login",
    ]


def _violations(axe, page) -> list[str]:
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [
        f"{page.url} {v['id']}: {node['target']} {node['failureSummary'].splitlines()[-1].strip()}"
        for v in result.response["violations"]
        for node in v["nodes"][:3]
    ]


def _context(browser, live_server, viewport, language):
    context = browser.new_context(base_url=live_server, locale="zh-CN", **VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(f"/lang/{language}")
    return context, page


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_public_page_passes_axe(browser, live_server, axe, public_pages, viewport, language):
    context, page = _context(browser, live_server, viewport, language)
    found = []
    for path in public_pages:
        page.goto(path)
        found += _violations(axe, page)
    context.close()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("role", [str(role) for role in Role])
def test_each_roles_landing_page_passes_axe(browser, live_server, live_app, axe, role):
    """Signs in once (the login is rate-limited; the second factor where the role has one) and looks at the
    landing page in every viewport and language."""
    context = browser.new_context(base_url=live_server, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_app, DEMO_USERS[role]["username"], DEMO_USERS[role]["password"])
    signed_in = context.storage_state()
    context.close()
    found = []
    for viewport in VIEWPORTS:
        for language in LANGUAGES:
            context = browser.new_context(base_url=live_server, storage_state=signed_in, **VIEWPORTS[viewport])
            page = context.new_page()
            page.goto(f"/lang/{language}?next=/admin/")
            expect(page).to_have_url(re.compile(r"/admin/$"))
            found += [f"{viewport} {language}: {line}" for line in _violations(axe, page)]
            context.close()
    assert not found, "\n".join(found)
