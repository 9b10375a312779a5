"""Deny by default: every endpoint declares its access, and every back-office route refuses each role that may not
use it (tested per route and role), sends strangers to the login page, and keeps HR officers in their own unit."""

import pytest

from rating.clock import local_today
from rating.extensions import db
from rating.models.users import Role
from rating.security import access_of
from tests.conftest import DEMO_USERS, csrf_token

#: Sample values for URL parameters, so that every rule can be requested.
URL_VALUES = {
    "code": "DT-001",
    "filename": "css/site.css",
    "year": local_today().year,
    "fmt": "csv",
    "kind": "scores",
    "finding_id": 1,
    "rating_id": 1,
    "follow_up_id": 1,
    "batch": "0000000000000000",
    "token": "no-such-token",
    "receipt": "R000000XXXXXXX",
    "case_number": "TS0000-00000",
    "into_case_number": "TS0000-00001",
    "version": 1,
    "objection_id": 1,
    "order_id": 1,
    "entry_id": 1,
    "evidence_id": 1,
    "source_id": 1,
    "hall_id": 1,
    "user_id": 999999,
    "key_id": 999999,
    "ranking": "departments",
}
ROLES = [role.value for role in Role]


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _url(rule, values=None):
    return rule.build(values or URL_VALUES, append_unknown=False)[1]


def _own_unit_values(app) -> dict:
    """URL values naming records of the unit-bound demo users' own unit (M05), so that an allowed role is never
    refused for touching another unit's record."""
    from rating.models import FollowUp, TransferOrder, Unit

    with app.app_context():
        follow_up = db.session.scalar(
            db.select(FollowUp.id).join(Unit, Unit.id == FollowUp.unit_id).where(Unit.code == "M05").limit(1)
        )
        order = db.session.scalar(
            db.select(TransferOrder.id).join(Unit, Unit.id == TransferOrder.unit_id).where(Unit.code == "M05").limit(1)
        )
    # No demo warning falls in M05: an order id that does not exist (404 for every allowed role).
    return {**URL_VALUES, "follow_up_id": follow_up or URL_VALUES["follow_up_id"], "order_id": order or 999999}


def test_every_endpoint_declares_who_may_use_it(app):
    with app.test_request_context():
        undeclared = sorted({rule.endpoint for rule, _ in _rules(app) if access_of(rule.endpoint) is None})
    assert undeclared == [], f"endpoints without @public or @roles: {undeclared}"


def test_back_office_is_never_public(app):
    with app.test_request_context():
        public_admin = [
            r.rule for r, _ in _rules(app) if r.rule.startswith("/admin") and access_of(r.endpoint) == "public"
        ]
    assert public_admin == []


def test_stranger_is_sent_to_login_from_every_role_bound_route(app, client):
    with app.test_request_context():
        bound = [(r, m) for r, m in _rules(app) if access_of(r.endpoint) != "public"]
    assert bound, "there are back-office routes"
    for rule, method in bound:
        response = client.open(_url(rule), method=method)
        assert response.status_code == 302, (rule.rule, method, response.status_code)
        assert response.headers["Location"].startswith("/login"), rule.rule


def test_admin_landing_redirects_stranger_to_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role", ROLES)
def test_each_role_is_refused_every_route_it_may_not_use(app, client, login_as, role):
    login_as(role)
    token = csrf_token(client, "/admin/")
    rate_page = client.get("/posts/DT-001/rate").get_data(as_text=True)  # a bad review in M05 opens a follow-up
    rate_token = rate_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/posts/DT-001/rate", data={"csrf_token": rate_token, "level": "1", "contact": "13900000000"})
    values = _own_unit_values(app)
    with app.test_request_context():
        checks = [(r, m, access_of(r.endpoint)) for r, m in _rules(app) if access_of(r.endpoint) != "public"]
    refused = allowed = 0
    for rule, method, access in checks:
        if rule.endpoint == "auth.logout":
            continue  # would end this session; covered in test_auth
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(_url(rule, values), method=method, data=data)
        if Role(role) in access:
            allowed += 1
            assert response.status_code != 403, (role, rule.rule, method)
        else:
            refused += 1
            assert response.status_code == 403, (role, rule.rule, method, response.status_code)
            assert "无权访问" in response.get_data(as_text=True)
    assert allowed >= 1  # every role has at least its landing page


def test_hr_officer_sees_only_own_unit_posts(client, login_as):
    login_as("hr_officer")  # bound to M05, 市公安局
    page = client.get("/admin/posts").get_data(as_text=True)
    assert "市公安局" in page and "DT-001" in page
    assert "市民政局" not in page
    assert client.get("/admin/posts/DT-001").status_code == 200


def test_hr_officer_is_refused_other_units_post(app, client, login_as):
    from rating.extensions import db
    from rating.models import Post, Unit

    with app.app_context():
        other = db.session.scalar(db.select(Post.code).join(Unit).where(Unit.code != "M05").order_by(Post.code))
    login_as("hr_officer")
    assert client.get(f"/admin/posts/{other}").status_code == 403
    assert client.get(f"/admin/posts/{other}/edit").status_code == 403


def test_unit_staff_is_bound_to_own_unit_too(app, client, login_as):
    login_as("unit_staff")
    page = client.get("/admin/posts").get_data(as_text=True)
    assert "市公安局" in page and "市民政局" not in page


def test_demo_users_cover_every_role():
    assert set(DEMO_USERS) == set(ROLES)


#: The verdict's follow-through (调离令, 责任追究台账): who may use each endpoint, stated here so that widening one
#: fails the suite. HR, inspectors, handlers and unit staff never touch the ledger; only the office publishes.
FOLLOW_THROUGH = {
    "hr.transfers_list": {"hr_officer", "admin", "auditor"},
    "hr.transfer": {"hr_officer", "admin", "auditor"},
    "hr.record_transfer": {"hr_officer", "admin"},
    "admin.supervision": {"admin", "auditor"},
    "admin.ledger_list": {"admin", "auditor"},
    "admin.ledger_entry": {"admin", "auditor"},
    "admin.ledger_measure": {"admin", "auditor"},
    "admin.ledger_evidence": {"admin", "auditor"},
    "admin.ledger_evidence_file": {"admin", "auditor"},
    "admin.ledger_close": {"admin", "auditor"},
    "admin.ledger_publish": {"admin"},
    "public.accountability": "public",
}


def test_follow_through_endpoints_are_classified(app):
    with app.test_request_context():
        declared = {
            endpoint: access if access == "public" else {str(role) for role in access}
            for endpoint in FOLLOW_THROUGH
            if (access := access_of(endpoint)) is not None
        }
    assert declared == FOLLOW_THROUGH


def test_the_pickers_suggestions_are_for_those_whose_forms_have_a_picker(app):
    with app.test_request_context():
        access = {str(role) for role in access_of("admin.lookup")}
    assert access == {"complaint_handler", "inspector", "admin"}
