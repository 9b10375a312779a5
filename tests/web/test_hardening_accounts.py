"""Issue 17, findings 1–3 and the Open311 POST: sessions end on the server, failed sign-ins lock the account and not
the office's network, the second factor (enrolment, codes, recovery codes once, an audited reset), API keys."""

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from rating.extensions import db
from rating.models import AuditEntry, User
from rating.models.base import utcnow
from rating.models.users import ApiKey
from rating.services.signin import wait_after
from tests.conftest import csrf_token, totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.bare
COOKIE = "rating_session"


def _password(client, username, password=PASSWORD):
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def _code(client, code):
    return client.post("/login/code", data={"code": code, "csrf_token": csrf_token(client, "/login/code")})


def _copy_session(app, client):
    """A second browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return thief


def _get(app, username) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        db.session.expunge(user)
        return user


def _actions(app, action) -> list[AuditEntry]:
    with app.app_context():
        return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


# --- sessions that end ---------------------------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, client, login_as):
    login_as("admin")
    thief = _copy_session(app, client)
    assert thief.get("/admin/users").status_code == 200  # the copy works while the session lives
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    assert thief.get("/admin/users").status_code == 302


def test_an_administrator_ends_a_users_sessions(app, client, login_as, make_user):
    auditor = make_user("auditor")
    other = login_as(auditor, client=app.test_client())
    assert other.get("/admin/users").status_code == 200
    login_as("admin")
    token = csrf_token(client, f"/admin/users/{auditor.id}")
    assert client.post(f"/admin/users/{auditor.id}/end-sessions", data={"csrf_token": token}).status_code == 302
    assert other.get("/admin/users").status_code == 302
    assert [e.entity_id for e in _actions(app, "user.sessions_end")] == [str(auditor.id)]


def test_only_the_administrator_ends_sessions(client, login_as, make_user):
    auditor = make_user("auditor")
    login_as(auditor)
    token = csrf_token(client, f"/admin/users/{auditor.id}")
    assert client.post(f"/admin/users/{auditor.id}/end-sessions", data={"csrf_token": token}).status_code == 403


# --- throttling ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("failures", "wait"),
    [
        (1, None),
        (4, None),
        (5, timedelta(minutes=1)),
        (6, timedelta(minutes=2)),
        (8, timedelta(minutes=8)),
        (40, timedelta(hours=24)),
    ],
)
def test_the_wait_doubles_after_the_fourth_failure(failures, wait):
    assert wait_after(failures) == wait


def test_others_failing_from_the_same_address_never_refuse_the_right_password(client, make_user):
    make_user("inspector", username="colleague")
    for name in ("typo-1", "typo-2", "nobody"):
        for attempt in range(12):
            _password(client, name, f"wrong-{attempt}")
    assert _password(client, "nobody", "wrong").status_code == 429  # that name is limited on this address
    response = _password(client, "colleague")
    assert response.status_code == 302 and response.headers["Location"] == "/admin/"


def test_a_locked_account_says_until_when_and_the_administrator_unlocks_it(app, client, login_as, make_user):
    make_user("inspector", username="locked-out")
    statuses = [_password(client, "locked-out", f"wrong-{n}").status_code for n in range(5)]
    assert statuses[-1] == 429
    page = _password(client, "locked-out").get_data(as_text=True)
    assert "账号已暂时锁定" in page and "之后再试" in page
    office = login_as("admin", client=app.test_client())
    user_id = _get(app, "locked-out").id
    assert "锁定至" in office.get(f"/admin/users/{user_id}").get_data(as_text=True)
    office.post(f"/admin/users/{user_id}/unlock", data={"csrf_token": csrf_token(office, f"/admin/users/{user_id}")})
    assert _password(client, "locked-out").status_code == 302
    assert _get(app, "locked-out").failed_logins == 0 and _actions(app, "user.unlock")


def test_after_the_wait_the_right_password_signs_in_and_clears_the_count(app, client, make_user):
    user = make_user("inspector", username="waited")
    for n in range(5):
        _password(client, "waited", f"wrong-{n}")
    with app.app_context():
        db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert _password(client, "waited").status_code == 302
    assert _get(app, "waited").failed_logins == 0


# --- the second factor -----------------------------------------------------------------------------------------------


def test_a_password_alone_does_not_sign_in_an_administrator(client, make_user):
    make_user("admin", username="office")
    response = _password(client, "office")
    assert response.headers["Location"] == "/login/code"
    assert client.get("/admin/").status_code == 302


@pytest.mark.parametrize("role", ["unit_staff", "hr_officer", "inspector"])
def test_other_roles_sign_in_with_the_password_alone(client, make_user, role):
    make_user(role, username="plain")
    assert _password(client, "plain").headers["Location"] == "/admin/"


def test_a_wrong_or_replayed_code_is_refused_and_counts_as_a_failure(app, client, make_user):
    make_user("auditor", username="careful")
    _password(client, "careful")
    assert "验证码不正确" in _code(client, "000000").get_data(as_text=True)
    assert _get(app, "careful").failed_logins == 1
    code = totp_code(app, "careful")
    assert _code(client, code).status_code == 302
    second = app.test_client()
    _password(second, "careful")
    assert "验证码不正确" in _code(second, code).get_data(as_text=True)  # the same code does not sign in twice


def _enrol(app, client, username):
    """Sign in for the first time: password, then the enrolment page; returns the recovery codes shown."""
    assert _password(client, username).headers["Location"] == "/login/enrol"
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "data:image/svg+xml" in page  # the QR code
    secret = page.split('class="totp-secret">')[1].split("<")[0]
    token = csrf_token(client, "/login/enrol")
    shown = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "只显示这一次" in text
    return [part.split("</code>")[0] for part in text.split("<li><code>")[1:]]


def test_the_first_sign_in_enrols_and_shows_ten_recovery_codes_once(app, client, runner):
    result = runner.invoke(args=["create-user", "newcomer", "--role", "complaint_handler"], input="a-good-password\n")
    assert "second factor" in result.output
    assert _password(client, "newcomer", "a-good-password").headers["Location"] == "/login/enrol"
    token = csrf_token(client, "/login/enrol")
    page = client.get("/login/enrol").get_data(as_text=True)
    secret = page.split('class="totp-secret">')[1].split("<")[0]
    codes_page = client.post("/login/enrol", data={"code": pyotp.TOTP(secret).now(), "csrf_token": token})
    codes = codes_page.get_data(as_text=True).count("<li><code>")
    assert codes == 10 and client.get("/complaints/cases").status_code == 200
    user = _get(app, "newcomer")
    assert user.totp_secret == secret and _actions(app, "user.totp_enrol")
    with app.app_context():
        from rating.models.users import RecoveryCode

        stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    shown = codes_page.get_data(as_text=True)
    assert len(stored) == 10 and not any(h in shown for h in stored)


def test_a_recovery_code_signs_in_once_only(app, client, make_user):
    user = make_user("admin", username="traveller")
    with app.app_context():
        db.session.get(User, user.id).totp_secret = None
        db.session.commit()
    codes = _enrol(app, client, "traveller")
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    _password(client, "traveller")
    assert _code(client, codes[0]).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/admin/")})
    _password(client, "traveller")
    assert "验证码不正确或已使用过" in _code(client, codes[0]).get_data(as_text=True)
    assert _code(client, codes[1]).status_code == 302


def test_the_administrators_reset_is_audited_ends_sessions_and_asks_to_enrol_again(app, client, login_as, make_user):
    handler = make_user("complaint_handler", username="lost-phone")
    theirs = login_as(handler, client=app.test_client())
    login_as("admin")
    token = csrf_token(client, f"/admin/users/{handler.id}")
    client.post(f"/admin/users/{handler.id}/reset-second-factor", data={"csrf_token": token})
    assert _actions(app, "user.totp_reset") and _get(app, "lost-phone").totp_secret is None
    assert theirs.get("/complaints/cases").status_code == 302
    assert _password(app.test_client(), "lost-phone").headers["Location"] == "/login/enrol"


def test_the_pending_sign_in_cannot_reach_the_back_office(client, make_user):
    make_user("admin", username="halfway")
    _password(client, "halfway")
    assert client.get("/admin/users").status_code == 302


def test_login_as_completes_the_second_factor(client, login_as):
    login_as("admin")
    assert client.get("/admin/users").status_code == 200


# --- Open311 keys ----------------------------------------------------------------------------------------------------


@pytest.fixture
def open311_post(make_cycle, make_post):
    make_cycle()
    post = make_post()
    return {
        "service_code": "conduct",
        "description": "窗口工作人员离岗四十分钟无人受理,群众排队等候。",
        "post_code": post.code,
    }


def test_a_cross_site_form_post_without_a_key_is_refused(client, open311_post):
    response = client.post("/open311/v2/requests.json", data=open311_post, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "api_key" in response.get_json()[0]["description"]


def test_a_key_is_printed_once_kept_hashed_listed_and_revocable(app, client, runner, login_as, open311_post):
    result = runner.invoke(args=["create-api-key", "虚构热线"])
    key = result.output.strip().splitlines()[-1]
    with app.app_context():
        record = db.session.scalar(select(ApiKey))
        assert key not in (record.key_hash, record.prefix) and record.prefix == key[:8]
    assert client.post("/open311/v2/requests.json", data={**open311_post, "api_key": key}).status_code == 201
    login_as("admin")
    listing = client.get("/admin/api-keys").get_data(as_text=True)
    assert "虚构热线" in listing and key not in listing
    client.post(f"/admin/api-keys/{record.id}/revoke", data={"csrf_token": csrf_token(client, "/admin/api-keys")})
    assert client.post("/open311/v2/requests.json", data={**open311_post, "api_key": key}).status_code == 403
    assert "已吊销" in client.get("/admin/api-keys").get_data(as_text=True)
