"""Signing in and out: hashed passwords, CSRF, rate limits, safe redirects."""

import pytest

from rating.extensions import db
from rating.models import User
from tests.conftest import csrf_token, totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.bare


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="admin")


def _login(client, username, password, token=None, next_url=None):
    """The answer to the login form; a right password is followed through the second factor when there is one."""
    token = token or csrf_token(client, "/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    response = client.post(url, data={"username": username, "password": password, "csrf_token": token})
    if response.status_code == 302 and response.headers["Location"] == "/login/code":
        code_token = csrf_token(client, "/login/code")
        data = {"code": totp_code(client.application, username), "csrf_token": code_token}
        response = client.post("/login/code", data=data)
    return response


def test_login_then_admin_landing_shows_role_duties(client, admin):
    response = _login(client, "admin", PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    page = client.get("/admin/").get_data(as_text=True)
    assert "效能办管理员" in page and "导入岗位" in page and "用户" in page


def test_hr_landing_shows_only_hr_actions(client, login_as, make_unit):
    unit = make_unit(name="市虚构公安局")
    login_as("hr_officer", unit=unit)
    page = client.get("/admin/").get_data(as_text=True)
    assert "年度考核" in page and "市虚构公安局" in page
    assert "导入岗位" not in page and "/admin/users" not in page


def test_wrong_password_is_refused_with_a_chinese_message(client, admin):
    response = _login(client, "admin", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    assert "用户名或密码不正确" in _login(client, "nobody", "whatever-123").get_data(as_text=True)


def test_post_without_csrf_token_is_refused_with_400(client, admin):
    response = client.post("/login", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not signed in


def test_logged_in_post_without_csrf_is_refused(client, login_as):
    login_as("admin")
    response = client.post("/admin/cycles", data={"year": 2031})
    assert response.status_code == 400


def test_repeated_wrong_passwords_lock_the_account_with_a_chinese_message(client, admin):
    token = csrf_token(client, "/login")
    codes = [_login(client, "admin", f"wrong-{i}", token).status_code for i in range(5)]
    assert codes == [200] * 4 + [429]
    last = _login(client, "admin", PASSWORD, token)  # the account waits, even for the right password
    assert last.status_code == 429 and "账号已暂时锁定" in last.get_data(as_text=True)


def test_unknown_names_are_rate_limited_per_address_with_429_in_chinese(client):
    token = csrf_token(client, "/login")
    codes = [_login(client, "nobody", f"wrong-{i}", token).status_code for i in range(12)]
    assert codes[:10] == [200] * 10 and codes[-1] == 429
    assert "操作过于频繁" in _login(client, "nobody", "wrong", token).get_data(as_text=True)


def test_passwords_are_stored_as_argon2id_hashes(app, runner):
    password = "a-good-password"
    result = runner.invoke(args=["create-user", "someone", "--role", "auditor"], input=f"{password}\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        hashes = db.session.scalars(db.select(User.password_hash)).all()
    assert len(hashes) == 1 and hashes[0].startswith("$argon2id$") and password not in hashes[0]


def test_next_parameter_only_allows_local_paths(client, admin):
    ok = _login(client, "admin", PASSWORD, next_url="/admin/posts")
    assert ok.headers["Location"] == "/admin/posts"


def test_next_parameter_refuses_offsite_redirect(client, admin):
    response = _login(client, "admin", PASSWORD, next_url="//evil.example/")
    assert response.headers["Location"] == "/admin/"


def test_logout_ends_the_session(client, login_as):
    login_as("auditor")
    token = csrf_token(client, "/admin/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_strict_and_httponly(client, admin):
    response = _login(client, "admin", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_back_office_pages_are_not_cached(client, login_as):
    login_as("admin")
    assert client.get("/admin/posts").headers["Cache-Control"] == "private, no-store"


def test_disabled_account_cannot_sign_in(app, client, make_user):
    auditor = make_user("auditor")
    assert _login(client, auditor.username, PASSWORD).status_code == 302  # enabled, it signs in
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    with app.app_context():
        db.session.get(User, auditor.id).is_enabled = False
        db.session.commit()
    response = _login(client, auditor.username, PASSWORD)
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_a_signed_in_session_moved_to_another_browser_is_signed_out(client, login_as):
    login_as("auditor")
    assert client.get("/admin/").status_code == 200
    client.environ_base["HTTP_USER_AGENT"] = "another browser"  # strong session protection: a new identifier
    assert client.get("/admin/").status_code == 302


def test_a_visitors_session_is_not_sent_again_on_every_page(client):
    client.get("/lang/en?next=/posts")  # the session now holds the language
    response = client.get("/posts")
    assert response.status_code == 200 and "Post directory" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers  # neither the unchanged session nor a remember cookie's deletion
