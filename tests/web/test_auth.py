"""Signing in and out: hashed passwords, CSRF, rate limits, safe redirects."""

from rating.extensions import db
from rating.models import User
from tests.conftest import DEMO_USERS, csrf_token


def _login(client, username, password, token=None, next_url=None):
    token = token or csrf_token(client, "/login")
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"username": username, "password": password, "csrf_token": token})


def test_login_then_admin_landing_shows_role_duties(client):
    admin = DEMO_USERS["admin"]
    response = _login(client, admin["username"], admin["password"])
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"
    page = client.get("/admin/").get_data(as_text=True)
    assert "效能办管理员" in page and "导入岗位" in page and "用户" in page


def test_hr_landing_shows_only_hr_actions(client, login_as):
    login_as("hr_officer")
    page = client.get("/admin/").get_data(as_text=True)
    assert "年度考核" in page and "市公安局" in page
    assert "导入岗位" not in page and "/admin/users" not in page


def test_wrong_password_is_refused_with_a_chinese_message(client):
    response = _login(client, "admin", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302


def test_unknown_user_gets_the_same_message(client):
    assert "用户名或密码不正确" in _login(client, "nobody", "whatever-123").get_data(as_text=True)


def test_post_without_csrf_token_is_refused_with_400(client):
    admin = DEMO_USERS["admin"]
    response = client.post("/login", data={"username": admin["username"], "password": admin["password"]})
    assert response.status_code == 400
    assert "页面已过期" in response.get_data(as_text=True)
    assert client.get("/admin/").status_code == 302  # not signed in


def test_logged_in_post_without_csrf_is_refused(client, login_as):
    login_as("admin")
    response = client.post("/admin/cycles", data={"year": 2031})
    assert response.status_code == 400


def test_login_is_rate_limited_with_429_in_chinese(client):
    token = csrf_token(client, "/login")
    codes = [_login(client, "admin", f"wrong-{i}", token).status_code for i in range(12)]
    assert codes[:10] == [200] * 10
    assert codes[-1] == 429
    last = _login(client, "admin", "wrong", token)
    assert last.status_code == 429 and "操作过于频繁" in last.get_data(as_text=True)


def test_passwords_are_stored_as_argon2id_hashes(app):
    with app.app_context():
        hashes = db.session.scalars(db.select(User.password_hash)).all()
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(user["password"] in h for h in hashes for user in DEMO_USERS.values())


def test_next_parameter_only_allows_local_paths(client):
    admin = DEMO_USERS["admin"]
    ok = _login(client, admin["username"], admin["password"], next_url="/admin/posts")
    assert ok.headers["Location"] == "/admin/posts"


def test_next_parameter_refuses_offsite_redirect(client):
    admin = DEMO_USERS["admin"]
    response = _login(client, admin["username"], admin["password"], next_url="//evil.example/")
    assert response.headers["Location"] == "/admin/"


def test_logout_ends_the_session(client, login_as):
    login_as("auditor")
    token = csrf_token(client, "/admin/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_session_cookie_is_strict_and_httponly(client):
    admin = DEMO_USERS["admin"]
    response = _login(client, admin["username"], admin["password"])
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_back_office_pages_are_not_cached(client, login_as):
    login_as("admin")
    assert client.get("/admin/posts").headers["Cache-Control"] == "private, no-store"


def test_disabled_account_cannot_sign_in(app, client):
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "auditor"))
        user.is_enabled = False
        db.session.commit()
    response = _login(client, "auditor", DEMO_USERS["auditor"]["password"])
    assert "用户名或密码不正确" in response.get_data(as_text=True)
