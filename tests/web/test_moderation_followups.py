"""Moderation of held and improper ratings, staff key-in of hotline ratings, and bad-review follow-ups (差评整改) —
as administrators, the complaint centre, a unit's window staff and the citizen would notice them."""

import re
import uuid
from datetime import timedelta

import pytest

from rating import cache
from rating.clock import local_today
from rating.extensions import db
from rating.models import AuditEntry, Cycle, CycleStatus, FollowUp, FollowUpStatus, Rating, RatingStatus
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
CONTACT = "13912345678"
TALLY = re.compile(r"年度群众评价</p><p class=\"big\">(\d+)</p>")


@pytest.fixture
def post(make_cycle, make_post):
    """The post rated, in this year's open cycle."""
    make_cycle()
    return make_post()


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="admin")


@pytest.fixture
def staff(make_user, post):
    """Window staff of the rated post's unit."""
    return make_user("unit_staff", unit=post.unit, username="staff-xuni")


@pytest.fixture
def citizen(app):
    """A second browser for the public side, so that rating never disturbs the signed-in staff client."""
    return app.test_client()


@pytest.fixture
def rate(citizen, post):
    """Rate a post (``post`` by default) through the public form as a new device; returns the receipt number."""

    def rate(about=None, level=5, comment="", contact=""):
        citizen.set_cookie("rid", uuid.uuid4().hex)
        url = f"/posts/{(about or post).code}/rate"
        token = csrf_token(citizen, url)
        response = citizen.post(url, data={"csrf_token": token, "level": level, "comment": comment, "contact": contact})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response.headers["Location"].rsplit("/", 1)[1]

    return rate


def tally(citizen, post) -> int:
    """The tally the post page shows once its cached copy is out of date (ratings never make it so: rating.cache)."""
    with citizen.application.app_context():
        cache.invalidate(["directory"])
    return int(TALLY.search(citizen.get(f"/posts/{post.code}").get_data(as_text=True)).group(1))


def rating_of(app, receipt) -> Rating:
    with app.app_context():
        rating = db.session.scalar(db.select(Rating).where(Rating.receipt == receipt))
        db.session.expunge(rating)
        return rating


def follow_up_of(app, receipt) -> FollowUp:
    with app.app_context():
        follow_up = db.session.scalar(db.select(FollowUp).join(Rating).where(Rating.receipt == receipt))
        db.session.expunge(follow_up)
        return follow_up


def last_audit(app, action) -> AuditEntry:
    with app.app_context():
        return db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id.desc())
        )


def moderate(client, rating_id, decision, reason, status="held"):
    token = csrf_token(client, f"/admin/ratings?status={status}")
    return client.post(
        f"/admin/ratings/{rating_id}/moderate",
        data={"csrf_token": token, "decision": decision, "reason": reason, "status": status},
    )


def test_beyond_the_allowance_is_held_and_counts_once_an_admin_counts_it(
    app, client, citizen, login_as, rate, post, admin
):
    assert tally(citizen, post) == 0
    receipts = [rate(level=level) for level in (5, 3, 4)]  # one network, three devices: allowance 2
    held = rating_of(app, receipts[-1])
    assert held.status == RatingStatus.HELD
    assert tally(citizen, post) == 2

    login_as(admin)
    queue = client.get("/admin/ratings").get_data(as_text=True)
    assert held.receipt in queue and receipts[0] not in queue
    assert held.rater_hash not in queue and held.network_hash not in queue

    response = moderate(client, held.id, "counted", "核实为同一办事大厅的不同群众")
    assert response.status_code == 302 and "status=held" in response.headers["Location"]
    assert "已审核" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert tally(citizen, post) == 3
    counted = rating_of(app, held.receipt)
    assert counted.status == RatingStatus.COUNTED and counted.decided_by == "admin"
    entry = last_audit(app, "rating.moderate")
    assert entry.entity_id == str(held.id) and entry.after["status"] == "counted"


def test_admin_excludes_a_rating_with_a_reason_and_it_is_kept(app, client, citizen, login_as, rate, post, admin):
    receipt = rate(level=1, comment="<b>乱评</b>刷分")
    rating = rating_of(app, receipt)
    assert tally(citizen, post) == 1

    login_as(admin)
    page = client.get("/admin/ratings?status=counted").get_data(as_text=True)
    assert receipt in page and "&lt;b&gt;乱评&lt;/b&gt;刷分" in page  # the comment is shown as text

    refused = moderate(client, rating.id, "excluded", "  ", status="counted")
    assert refused.status_code == 302
    assert "请填写审核理由" in client.get(refused.headers["Location"]).get_data(as_text=True)
    assert rating_of(app, receipt).status == RatingStatus.COUNTED

    moderate(client, rating.id, "excluded", "经核实为恶意刷评", status="counted")
    excluded = rating_of(app, receipt)
    assert excluded.status == RatingStatus.EXCLUDED
    assert excluded.status_reason == "经核实为恶意刷评" and excluded.decided_by == "admin"
    assert last_audit(app, "rating.moderate").after["reason"] == "经核实为恶意刷评"
    assert tally(citizen, post) == 0
    page = client.get("/admin/ratings?status=excluded").get_data(as_text=True)
    assert receipt in page and "经核实为恶意刷评" in page


def test_auditor_reads_the_queue_but_cannot_moderate(app, client, login_as, rate):
    receipt = rate(level=2, comment="等了很久")
    login_as("auditor")
    page = client.get("/admin/ratings?status=counted").get_data(as_text=True)
    assert receipt in page and "/moderate" not in page
    token = csrf_token(client, "/admin/ratings")
    rating = rating_of(app, receipt)
    response = client.post(
        f"/admin/ratings/{rating.id}/moderate", data={"csrf_token": token, "decision": "excluded", "reason": "x"}
    )
    assert response.status_code == 403
    assert rating_of(app, receipt).status == RatingStatus.COUNTED


def test_complaint_handler_keys_in_a_hotline_rating(app, client, citizen, login_as, make_user, post):
    assert tally(citizen, post) == 0
    login_as(make_user("complaint_handler", username="handler"))
    token = csrf_token(client, "/admin/ratings/new")
    data = {"csrf_token": token, "level": 4, "channel": "hotline", "comment": "电话回访满意"}
    unknown = client.post("/admin/ratings/new", data={**data, "post_code": "XX-999"})
    assert unknown.status_code == 422 and "没有编号为 XX-999 的岗位" in unknown.get_data(as_text=True)

    response = client.post("/admin/ratings/new", data={**data, "post_code": post.code.lower()})
    assert response.status_code == 302
    assert "回执号" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        rating = db.session.scalar(db.select(Rating).where(Rating.entered_by == "handler"))
        assert rating.channel == "hotline" and rating.status == RatingStatus.COUNTED and rating.level == 4
        assert rating.post.code == post.code and not rating.verified
    assert last_audit(app, "rating.key_in").entity_id == str(rating.id)
    assert tally(citizen, post) == 1


def test_key_in_is_refused_once_the_cycle_is_closed(app, client, login_as, post):
    with app.app_context():
        db.session.scalar(db.select(Cycle).where(Cycle.year == local_today().year)).status = CycleStatus.CLOSED
        db.session.commit()
    login_as("admin")
    token = csrf_token(client, "/admin/ratings/new")
    response = client.post(
        "/admin/ratings/new",
        data={"csrf_token": token, "post_code": post.code, "level": 3, "channel": "paper", "verified": "y"},
    )
    assert response.status_code == 409 and "本年度评议已经结束" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Rating.id))) == 0


def test_unit_staff_rectifies_and_the_citizen_rates_the_rectification(app, client, citizen, login_as, rate, staff):
    receipt = rate(level=2, comment="窗口推诿", contact=CONTACT)
    follow_up = follow_up_of(app, receipt)
    assert follow_up.status == FollowUpStatus.OPEN

    login_as(staff)
    assert f'/followups/{follow_up.id}"' in client.get("/followups/").get_data(as_text=True)
    detail = client.get(f"/followups/{follow_up.id}").get_data(as_text=True)
    assert CONTACT in detail and receipt in detail and "窗口推诿" in detail
    token = csrf_token(client, f"/followups/{follow_up.id}")
    response = client.post(
        f"/followups/{follow_up.id}/rectify", data={"csrf_token": token, "action_taken": "已约谈窗口人员并电话致歉"}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/followups/{follow_up.id}")
    assert "已约谈窗口人员并电话致歉" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert last_audit(app, "follow_up.rectify").actor == "staff-xuni"

    feedback = f"/feedback/{follow_up.citizen_token}"
    assert "已约谈窗口人员并电话致歉" in citizen.get(feedback).get_data(as_text=True)
    citizen.post(feedback, data={"csrf_token": csrf_token(citizen, feedback), "level": 4})
    closed = follow_up_of(app, receipt)
    assert closed.status == FollowUpStatus.CLOSED and closed.citizen_level == 4
    assert "群众对整改的评价:满意" in client.get(f"/followups/{follow_up.id}").get_data(as_text=True)


def test_unit_staff_cannot_open_another_units_follow_up(app, client, login_as, rate, staff, make_post):
    receipt = rate(make_post(), level=1, contact=CONTACT)
    follow_up = follow_up_of(app, receipt)
    login_as(staff)
    assert f'/followups/{follow_up.id}"' not in client.get("/followups/").get_data(as_text=True)
    assert client.get(f"/followups/{follow_up.id}").status_code == 403
    token = csrf_token(client, "/followups/")
    for action, data in (("rectify", {"action_taken": "x"}), ("appeal", {"kind": "mistaken", "text": "x"})):
        assert client.post(f"/followups/{follow_up.id}/{action}", data={"csrf_token": token, **data}).status_code == 403
    assert follow_up_of(app, receipt).status == FollowUpStatus.OPEN


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_admins_and_auditors_see_every_follow_up_with_its_contact(app, client, login_as, rate, make_post, role):
    follow_up = follow_up_of(app, rate(make_post(), level=1, contact=CONTACT))
    login_as(role)
    assert f'/followups/{follow_up.id}"' in client.get("/followups/").get_data(as_text=True)
    assert CONTACT in client.get(f"/followups/{follow_up.id}").get_data(as_text=True)


def test_an_upheld_appeal_excludes_the_rating(app, client, citizen, login_as, rate, post, admin, staff):
    receipt = rate(level=1, comment="随便打的", contact=CONTACT)
    follow_up = follow_up_of(app, receipt)
    assert tally(citizen, post) == 1

    login_as(staff)
    token = csrf_token(client, f"/followups/{follow_up.id}")
    client.post(
        f"/followups/{follow_up.id}/appeal",
        data={"csrf_token": token, "kind": "malicious", "text": "该群众当日未到窗口办事"},
    )
    assert follow_up_of(app, receipt).status == FollowUpStatus.APPEALED
    client.post("/logout", data={"csrf_token": token})

    login_as(admin)
    token = csrf_token(client, f"/followups/{follow_up.id}")
    response = client.post(
        f"/followups/{follow_up.id}/decide",
        data={"csrf_token": token, "decision": "upheld", "reason": "监控核实无此办事记录"},
    )
    assert response.status_code == 302
    assert "恶意评价" in client.get(response.headers["Location"]).get_data(as_text=True)
    decided = follow_up_of(app, receipt)
    assert decided.status == FollowUpStatus.CLOSED and decided.appeal_decision == "upheld"
    rating = rating_of(app, receipt)
    assert rating.status == RatingStatus.EXCLUDED and "监控核实无此办事记录" in rating.status_reason
    assert tally(citizen, post) == 0


def test_a_rejected_appeal_goes_back_to_the_unit(app, client, login_as, rate):
    receipt = rate(level=2, contact=CONTACT)
    follow_up = follow_up_of(app, receipt)
    with app.app_context():
        db.session.get(FollowUp, follow_up.id).appeal_kind = "mistaken"
        db.session.get(FollowUp, follow_up.id).status = FollowUpStatus.APPEALED
        db.session.commit()
    login_as("admin")
    token = csrf_token(client, f"/followups/{follow_up.id}")
    no_reason = {"csrf_token": token, "decision": "rejected", "reason": ""}
    response = client.post(f"/followups/{follow_up.id}/decide", data=no_reason)
    assert "请填写复核理由" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert follow_up_of(app, receipt).status == FollowUpStatus.APPEALED
    client.post(f"/followups/{follow_up.id}/decide", data={**no_reason, "reason": "有办事记录"})
    assert follow_up_of(app, receipt).status == FollowUpStatus.OPEN
    assert rating_of(app, receipt).status == RatingStatus.COUNTED


def test_overdue_filter_lists_follow_ups_past_their_deadline(app, client, login_as, rate):
    late = follow_up_of(app, rate(level=1, contact=CONTACT))
    on_time = follow_up_of(app, rate(level=2, contact=CONTACT))
    with app.app_context():
        db.session.get(FollowUp, late.id).deadline = local_today() - timedelta(days=1)
        db.session.commit()
    login_as("admin")
    page = client.get("/followups/?overdue=1").get_data(as_text=True)
    assert f'/followups/{late.id}"' in page and f'/followups/{on_time.id}"' not in page and "已逾期" in page
    everything = client.get("/followups/").get_data(as_text=True)
    assert f'/followups/{late.id}"' in everything and f'/followups/{on_time.id}"' in everything


def test_the_contact_never_appears_on_public_pages(app, citizen, rate, post):
    receipt = rate(level=1, comment="态度差", contact=CONTACT)
    receipt_page = citizen.get(f"/receipt/{receipt}").get_data(as_text=True)
    assert receipt in receipt_page and CONTACT not in receipt_page
    assert CONTACT not in citizen.get(f"/posts/{post.code}").get_data(as_text=True)
    token = follow_up_of(app, receipt).citizen_token
    assert CONTACT not in citizen.get(f"/feedback/{token}").get_data(as_text=True)


@pytest.mark.parametrize("role", ["hr_officer", "inspector"])
def test_hr_officers_and_inspectors_are_refused(app, client, login_as, rate, post, role):
    follow_up = follow_up_of(app, rate(level=1, contact=CONTACT))
    login_as(role, unit=post.unit if role == "hr_officer" else None)
    token = csrf_token(client, "/admin/")
    for url in ("/admin/ratings", "/admin/ratings/new", "/followups/", f"/followups/{follow_up.id}"):
        assert client.get(url).status_code == 403, url
    for action in ("rectify", "appeal", "decide"):
        assert client.post(f"/followups/{follow_up.id}/{action}", data={"csrf_token": token}).status_code == 403
    moderation = {"csrf_token": token, "decision": "excluded", "reason": "x"}
    assert client.post(f"/admin/ratings/{follow_up.rating_id}/moderate", data=moderation).status_code == 403
