"""Issue 17: the session version is bumped at a role change and a password change, so the old rights and a cookie
copied under the old password open nothing; both changes are the administrator's and are audited."""

import pytest
from sqlalchemy import select

from rating.extensions import db
from rating.models import AuditEntry, User
from rating.models.users import Role
from tests.conftest import csrf_token, sign_in

pytestmark = pytest.mark.bare
NEW_PASSWORD = "a-new-long-password"


def _user(app, user_id) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        return user


def _actions(app, action) -> list[str]:
    with app.app_context():
        return [e.entity_id for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


@pytest.fixture
def auditor_signed_in(app, login_as, make_user):
    auditor = make_user("auditor")
    other = login_as(auditor, client=app.test_client())
    assert other.get("/admin/users").status_code == 200
    return auditor, other


def _post(client, user_id, action, data):
    token = csrf_token(client, f"/admin/users/{user_id}")
    return client.post(f"/admin/users/{user_id}/{action}", data={**data, "csrf_token": token})


def test_a_role_change_ends_the_users_sessions(app, client, login_as, auditor_signed_in):
    auditor, other = auditor_signed_in
    login_as("admin")
    assert _post(client, auditor.id, "role", {"role": "inspector", "unit": ""}).status_code == 302
    assert _user(app, auditor.id).role == Role.INSPECTOR
    assert other.get("/admin/users").status_code == 302  # the auditor's rights went with the session
    assert _actions(app, "user.role") == [str(auditor.id)]
    assert str(auditor.id) in _actions(app, "user.sessions_end")


def test_a_refused_role_change_changes_nothing(app, client, login_as, auditor_signed_in):
    auditor, other = auditor_signed_in
    login_as("admin")
    response = _post(client, auditor.id, "role", {"role": "unit_staff", "unit": ""})  # unit staff need a unit
    assert response.status_code == 302
    assert "必须绑定一个单位" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert _user(app, auditor.id).role == Role.AUDITOR
    assert other.get("/admin/users").status_code == 200


def test_a_new_password_ends_the_users_sessions(app, client, login_as, auditor_signed_in, user_password):
    auditor, other = auditor_signed_in
    login_as("admin")
    assert _post(client, auditor.id, "password", {"password": NEW_PASSWORD}).status_code == 302
    assert other.get("/admin/users").status_code == 302  # a cookie from before the new password opens nothing
    assert _actions(app, "user.password") == [str(auditor.id)]
    fresh = app.test_client()
    token = csrf_token(fresh, "/login")
    refused = fresh.post("/login", data={"username": auditor.username, "password": user_password, "csrf_token": token})
    assert refused.status_code == 200  # the old password is refused
    assert sign_in(app.test_client(), auditor.username, NEW_PASSWORD).get("/admin/users").status_code == 200


def test_a_short_password_is_refused(app, client, login_as, auditor_signed_in):
    auditor, other = auditor_signed_in
    login_as("admin")
    _post(client, auditor.id, "password", {"password": "short"})
    assert other.get("/admin/users").status_code == 200
    assert _actions(app, "user.password") == []
