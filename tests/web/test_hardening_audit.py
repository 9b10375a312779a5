"""Issue 17, finding 8: unit staff see only administrative changes in a post's history; every showing of a
citizen's contact is recorded (who, when, which record) and the discipline commission (纪委) can list them."""

import pytest
from sqlalchemy import select

from rating.extensions import db
from rating.models import AuditEntry
from rating.models.ratings import FollowUp
from rating.services.audit import READ_ACTION

pytestmark = pytest.mark.bare


def _reads(app) -> list[AuditEntry]:
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == READ_ACTION)).all()
        db.session.expunge_all()
        return entries


@pytest.fixture
def post(make_post, make_cycle):
    make_cycle()
    return make_post()


def test_unit_staff_see_administrative_changes_but_no_rating_or_unreferred_complaint(
    client, login_as, post, make_web_rating, make_complaint
):
    make_web_rating(post, 1)
    make_complaint(post, name="虚构投诉人", phone="13900000000")
    login_as("unit_staff", unit=post.unit)
    page = client.get(f"/admin/posts/{post.code}").get_data(as_text=True)
    assert "post.create" in page
    assert "rating.submit" not in page and "complaint.receive" not in page


def test_the_administrator_still_sees_the_whole_history(client, login_as, post, make_web_rating):
    make_web_rating(post, 1)
    login_as("admin")
    page = client.get(f"/admin/posts/{post.code}").get_data(as_text=True)
    assert "post.create" in page and "rating.submit" in page


def test_a_handler_reading_a_contact_is_recorded_and_the_auditor_lists_it(
    app, client, login_as, post, make_complaint, make_user, make_unit
):
    complaint = make_complaint(post, name="虚构投诉人", phone="13900000000")
    handler = make_user("complaint_handler", username="handler-a")
    login_as(handler)
    assert "13900000000" in client.get(f"/complaints/cases/{complaint.case_number}").get_data(as_text=True)
    [read] = _reads(app)
    assert (read.actor, read.entity, read.entity_id) == ("handler-a", "complaint", str(complaint.id))
    assert read.after == {"fields": ["complainant_name", "complainant_phone"]} and read.at is not None
    auditor = app.test_client()
    login_as("auditor", client=auditor)
    listing = auditor.get(f"/admin/audit?action={READ_ACTION}").get_data(as_text=True)
    assert "handler-a" in listing and READ_ACTION in listing


def test_a_case_without_contact_or_a_reader_who_may_not_see_it_records_nothing(
    app, client, login_as, post, make_complaint
):
    complaint = make_complaint(post)
    login_as("complaint_handler")
    client.get(f"/complaints/cases/{complaint.case_number}")
    assert _reads(app) == []


def test_reading_a_follow_up_contact_is_recorded(app, client, login_as, post, make_web_rating):
    make_web_rating(post, 1, contact="13900000001")
    with app.app_context():
        follow_up_id = db.session.scalar(select(FollowUp.id))
    login_as("unit_staff", unit=post.unit)
    assert "13900000001" in client.get(f"/followups/{follow_up_id}").get_data(as_text=True)
    [read] = _reads(app)
    assert (read.entity, read.entity_id, read.after) == ("follow_up", str(follow_up_id), {"fields": ["contact"]})
