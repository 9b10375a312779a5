"""Issue 17, finding 4: every ``next`` goes through one safe-redirect helper; nothing leads off-site or answers 500."""

import pytest

from rating.security import safe_next
from tests.conftest import csrf_token
from tests.factories import PASSWORD

pytestmark = pytest.mark.bare

OFFSITE = [
    "//evil.example/",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    " //evil.example",
    "/ /evil.example",
]


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_targets_fall_back(target):
    assert safe_next(target, "/home") == "/home"


@pytest.mark.parametrize("target", ["/posts", "/admin/posts?page=2", "/posts/P-1#top"])
def test_paths_on_this_site_are_kept(target):
    assert safe_next(target, "/home") == target


def test_login_next_with_a_tab_stays_on_site(client, make_user):
    make_user("admin", username="admin")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=/%09/evil.example", data={"username": "admin", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302
    assert "evil.example" not in response.headers["Location"]


@pytest.mark.parametrize("query", ["/%09/evil.example", "/%0a/x", "/%5Cevil.example", "/%0d%0aSet-Cookie:x=1"])
def test_language_switch_never_leaves_the_site_nor_fails(client, query):
    response = client.get(f"/lang/en?next={query}")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "evil.example" not in location and "\n" not in location
    assert "x=1" not in response.headers.get("Set-Cookie", "")
