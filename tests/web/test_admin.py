"""Administrators keep posts, holders, users and cycles; every change lands in the audit log."""

from datetime import date

import pytest

from rating.extensions import db
from rating.models import AuditEntry, Cycle, Post, Tenure, User
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare


@pytest.fixture
def post(make_post):
    return make_post(holder="虚构丙", title="法制支队案件审核岗")


def _audit_actions(app, post_code=None):
    with app.app_context():
        stmt = db.select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(5)
        if post_code:
            stmt = stmt.join(Post, Post.id == AuditEntry.post_id).where(Post.code == post_code)
        return db.session.scalars(stmt).all()


def test_admin_changes_a_holder_and_history_is_kept(app, client, login_as, post):
    login_as("admin")
    url = f"/admin/posts/{post.code}"
    token = csrf_token(client, url)
    response = client.post(f"{url}/holder", data={"csrf_token": token, "name": "虚构丁", "started_on": "2026-03-01"})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "岗位责任人已变更" in page and "虚构丁" in page and "虚构丙" in page
    assert "2026-02-28" in page  # the old tenure ends the day before
    public = client.get(f"/posts/{post.code}").get_data(as_text=True)
    assert "虚构丁" in public and "任职记录" in public
    assert _audit_actions(app, post.code)[0] == "holder.change"
    with app.app_context():
        tenures = db.session.scalars(
            db.select(Tenure).where(Tenure.post_id == post.id).order_by(Tenure.started_on)
        ).all()
        assert [(t.holder.name, str(t.ended_on)) for t in tenures] == [("虚构丙", "2026-02-28"), ("虚构丁", "None")]


def test_holder_change_before_current_start_is_refused(app, client, login_as, make_post):
    post = make_post(holder="虚构丙", since=date(2024, 1, 1))
    login_as("admin")
    url = f"/admin/posts/{post.code}"
    token = csrf_token(client, url)
    client.post(f"{url}/holder", data={"csrf_token": token, "name": "虚构丁", "started_on": "2020-01-01"})
    page = client.get(url).get_data(as_text=True)
    assert "新任职日期必须晚于" in page and "虚构丁" not in page
    assert _audit_actions(app, post.code)[0] == "post.create"


def test_admin_edits_a_post_and_can_hide_it(app, client, login_as, post):
    login_as("admin")
    token = csrf_token(client, f"/admin/posts/{post.code}/edit")
    response = client.post(
        f"/admin/posts/{post.code}/edit",
        data={
            "csrf_token": token,
            "title": "行政处罚案件审核岗",
            "responsibilities": "审核案件\n提出意见",
            "commitments": "",
        },
    )
    assert response.status_code == 302
    assert _audit_actions(app, post.code)[0] == "post.update"
    assert client.get(f"/posts/{post.code}").status_code == 404  # unticked "active": hidden from the public
    assert post.code not in client.get(f"/posts?q={post.code}").get_data(as_text=True).split("共")[1]
    assert "已停用" in client.get(f"/admin/posts/{post.code}").get_data(as_text=True)


def test_admin_creates_a_user_bound_to_a_unit(app, client, login_as, make_unit):
    unit = make_unit()
    login_as("admin")
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "username": "hr-civil",
            "role": "hr_officer",
            "unit": unit.code,
            "password": "long-enough-pw",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.username == "hr-civil"))
        assert user.unit.code == unit.code and user.password_hash.startswith("$argon2id$")
    assert _audit_actions(app)[0] == "user.create"


def test_hr_user_without_unit_is_refused(client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={"csrf_token": token, "username": "hr-x", "role": "hr_officer", "unit": "", "password": "long-enough-pw"},
    )
    assert response.status_code == 400 and "必须绑定一个单位" in response.get_data(as_text=True)


def test_admin_opens_a_cycle_with_default_dates_and_method(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/cycles")
    assert client.post("/admin/cycles", data={"csrf_token": token, "year": "2030"}).status_code == 302
    page = client.get("/admin/cycles").get_data(as_text=True)
    assert "2030-01-01" in page and "2030-12-31" in page and "0.4 / 0.3 / 0.2 / 0.1" in page
    client.post("/admin/cycles", data={"csrf_token": token, "year": "2030"})
    assert "已存在" in client.get("/admin/cycles").get_data(as_text=True)


def test_auditor_reads_users_and_cycles_but_cannot_create(client, login_as):
    login_as("auditor")
    assert client.get("/admin/users").status_code == 200
    page = client.get("/admin/cycles").get_data(as_text=True)
    assert "开设新的评议周期" not in page
    token = csrf_token(client, "/admin/cycles")
    assert client.post("/admin/cycles", data={"csrf_token": token, "year": "2031"}).status_code == 403


def test_cli_create_user_reads_password_from_stdin(app, runner):
    result = runner.invoke(args=["create-user", "inspector2", "--role", "inspector"], input="a-good-password\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(db.select(User.role).where(User.username == "inspector2")) == "inspector"
    again = runner.invoke(args=["create-user", "inspector2", "--role", "inspector"], input="a-good-password\n")
    assert again.exit_code == 1 and "已存在" in again.output


def test_cli_create_user_refuses_short_password_and_unknown_unit(runner):
    assert "至少 10 位" in runner.invoke(args=["create-user", "x-user", "--role", "admin"], input="short\n").output
    result = runner.invoke(
        args=["create-user", "hr2", "--role", "hr_officer", "--unit", "ZZZ"], input="long-password\n"
    )
    assert result.exit_code == 1 and "ZZZ" in result.output


def test_cli_create_cycle_defaults_and_custom_dates(app, runner):
    assert runner.invoke(args=["create-cycle", "2029"]).exit_code == 0
    result = runner.invoke(args=["create-cycle", "2028", "--starts-on", "2028-03-01", "--ends-on", "2029-02-28"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(args=["create-cycle", "2027", "--starts-on", "2027-05-01", "--ends-on", "2027-01-01"])
    assert bad.exit_code == 1 and "不能早于" in bad.output
    with app.app_context():
        cycle = db.session.scalar(db.select(Cycle).where(Cycle.year == 2029))
        # A cycle whose start is still ahead waits, scheduled, until the scheduler opens it.
        assert (str(cycle.starts_on), str(cycle.ends_on), cycle.status) == ("2029-01-01", "2029-12-31", "scheduled")
        assert cycle.settings.weights["service"] == 0.40
