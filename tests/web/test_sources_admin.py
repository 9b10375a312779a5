"""The office's side of rating sources: the 刷评 alert list, reviewing a group at once, service-hall networks; each
route refused to the roles that may not use it; and the public breakdown's withheld counts (counts only)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models import AuditEntry, Cycle, Post, Rating, RatingSource, ServiceHall
from rating.services import audit, ratings
from rating.services.verdict import lifecycle
from tests.conftest import csrf_token

YEAR = local_today().year
NETWORK = "192.0.2.33"


def flood(code="DT-012", n=6, level=1):
    post = db.session.scalar(select(Post).where(Post.code == code))
    for i in range(n):
        ratings.submit_rating(post, ratings.Submission(level=level), ratings.Rater(NETWORK, f"dev-{i}"), "test-secret")
    db.session.commit()
    return db.session.scalar(select(RatingSource).where(RatingSource.post_id == post.id))


def test_the_alert_list_shows_size_direction_network_and_span_but_no_hash(app, client, login_as):
    with app.app_context():
        source = flood()
        key = source.source_key
        hashes = db.session.scalars(select(Rating.rater_hash).where(Rating.source_id == source.id)).all()
    login_as("auditor")
    page = client.get("/admin/sources").get_data(as_text=True)
    assert "DT-012" in page and "192.0.2.0/24" in page and "集中差评" in page and "疑似刷评,整组待审核" in page
    assert '<td class="size">6</td>' in page
    assert key not in page and not any(h in page for h in hashes)
    assert "整组不计入</button>" not in page  # auditors read, never decide


def test_an_admin_excludes_a_whole_group_with_a_reason_audited(app, client, login_as):
    with app.app_context():
        source_id = flood().id
    login_as("admin")
    token = csrf_token(client, "/admin/sources")
    refused = client.post(f"/admin/sources/{source_id}/review", data={"csrf_token": token, "decision": "exclude"})
    assert "请填写审核理由" in client.get(refused.headers["Location"]).get_data(as_text=True)
    done = client.post(
        f"/admin/sources/{source_id}/review",
        data={"csrf_token": token, "decision": "exclude", "reason": "同一网段集中差评", "cycle": YEAR},
    )
    assert done.status_code == 302
    assert "6 条评价已审核:已审核,整组不计入" in client.get(done.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        statuses = set(db.session.scalars(select(Rating.status).where(Rating.source_id == source_id)))
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "source.exclude"))
    assert statuses == {"excluded"} and entry.actor == "admin" and entry.after["reason"] == "同一网段集中差评"
    assert "同一网段集中差评" in client.get("/admin/sources?tab=reviewed").get_data(as_text=True)


def test_an_admin_registers_and_retires_a_service_hall(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/halls")
    data = {"csrf_token": token, "unit": "M05", "name": "公安局户籍大厅", "network": "198.51.100.77"}
    page = client.get(client.post("/admin/halls", data=data).headers["Location"]).get_data(as_text=True)
    assert "已登记办事大厅 公安局户籍大厅,网段 198.51.100.0/24" in page
    again = client.get(client.post("/admin/halls", data=data).headers["Location"]).get_data(as_text=True)
    assert "已登记为办事大厅" in again
    bad = client.post("/admin/halls", data={**data, "network": "not-a-network"})
    assert "网络地址无效" in client.get(bad.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        hall_id = db.session.scalar(select(ServiceHall.id))
    client.post(f"/admin/halls/{hall_id}/retire", data={"csrf_token": token})
    with app.app_context():
        assert db.session.get(ServiceHall, hall_id).active is False
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.entity == "service_hall")).all()
    assert actions == ["hall.register", "hall.retire"]


@pytest.mark.parametrize("role", ["unit_staff", "hr_officer", "inspector", "complaint_handler", "auditor"])
def test_roles_other_than_admin_may_not_decide(app, client, login_as, role):
    with app.app_context():
        source_id = flood().id
    login_as(role)
    token = csrf_token(client, "/admin/")
    review = {"csrf_token": token, "decision": "release", "reason": "x"}
    assert client.post(f"/admin/sources/{source_id}/review", data=review).status_code == 403
    hall = {"csrf_token": token, "unit": "M05", "name": "大厅", "network": "198.51.100.0/24"}
    assert client.post("/admin/halls", data=hall).status_code == 403
    assert client.post("/admin/halls/1/retire", data={"csrf_token": token}).status_code == 403
    reading = 200 if role == "auditor" else 403
    assert client.get("/admin/sources").status_code == reading and client.get("/admin/halls").status_code == reading


def test_the_breakdown_counts_withheld_ratings_by_rule_and_never_says_who(app, client):
    with app.app_context():
        source = flood("DT-001", n=3, level=5)  # three from one network: the third is beyond the allowance
        held = db.session.scalars(select(Rating).where(Rating.source_id == source.id, Rating.status == "held")).all()
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        cycle.notice_ends_on = local_today() - timedelta(days=1)
        published = lifecycle.publish(audit.CLI, cycle)  # the published copy keeps the counts
        db.session.commit()
        line = next(row for row in published.rows if row.post_code == "DT-001")
        withheld, receipts = line.withheld, [r.receipt for r in held]
    assert withheld["allowance"] == {"held": len(held)} and len(held) == 1
    page = client.get(f"/results/{YEAR}/posts/DT-001").get_data(as_text=True)
    assert "以下评价未计入" in page and "同一网络对本岗位的无码评价超出限额:待审核 1 条" in page
    assert not any(receipt in page for receipt in receipts) and "192.0.2" not in page
