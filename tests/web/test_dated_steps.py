"""Dated steps for Python callers that replay records (the demo, rating.demo): the complaint and follow-up steps
take an optional ``at``, rating_batch.record_batch writes a dated batch, ratings.hold and cycles.move_notice. Every rule
and audit entry holds as for a step taken now."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.models import Post
from rating.models.audit import AuditEntry
from rating.models.ratings import Channel, FollowUp, Rating, RatingStatus
from rating.services import audit, followups, rating_batch, ratings
from rating.services import complaints as svc
from rating.services.cycles import find_cycle, move_notice
from rating.services.errors import Conflict, InvalidInput
from rating.services.posts import change_holder
from rating.services.verdict import lifecycle
from rating.workdays import add_working_days

SEED = audit.Actor("seed")
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"


def _local(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time().replace(hour=hour), LOCAL_TZ).astimezone(UTC)


def _audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(AuditEntry.action == action))


def test_a_complaint_replayed_with_dates_keeps_its_rules(app_ctx):
    day = local_today() - timedelta(days=40)
    intake = svc.Intake(channel="phone", category="access", text=TEXT, post_code="DT-001")
    complaint, _code = svc.file_complaint(SEED, intake, at=_local(day, 9))
    svc.refer(SEED, complaint, at=_local(day + timedelta(days=1), 10))
    svc.record_progress(SEED, complaint, "已核查。", at=_local(day + timedelta(days=2), 10))
    svc.conclude(SEED, complaint, "partly", "经核查,部分属实。", at=_local(day + timedelta(days=5), 16))
    svc.return_visit(complaint, False, at=_local(day + timedelta(days=6), 11))
    assert complaint.created_at == _local(day, 9) and complaint.case_number.startswith(f"TS{day.year}-")
    # an unsatisfied answer reopens it once; its finding stands in its cycle until a new conclusion
    assert complaint.reopened and complaint.finding == "partly" and complaint.cycle_id is not None
    days = find_cycle(local_today().year).settings.complaint_working_days
    assert complaint.deadline == add_working_days(day + timedelta(days=6), days)  # reopened on the visit's day
    assert [event.at.astimezone(LOCAL_TZ).date() - day for event in complaint.events] == [
        timedelta(days=n) for n in (0, 1, 2, 5, 6, 6)
    ]
    actions = select(AuditEntry.action).where(
        AuditEntry.entity == "complaint", AuditEntry.entity_id == str(complaint.id)
    )
    assert list(db.session.scalars(actions.order_by(AuditEntry.seq))) == [
        "complaint.receive",
        "complaint.refer",
        "complaint.conclude",
        "complaint.return_visit",
    ]


def _current():
    return find_cycle(local_today().year)


def test_a_follow_up_opened_earlier_counts_its_deadline_from_that_day(app_ctx):
    cycle = _current()
    rating = db.session.scalar(
        select(Rating)
        .where(Rating.cycle_id == cycle.id, Rating.level == 1, Rating.id.not_in(select(FollowUp.rating_id)))
        .limit(1)
    )
    opened = _local(local_today() - timedelta(days=20), 10)
    follow_up = followups.open_follow_up(rating, rating.post, "13900000000", cycle, at=opened)
    followups.record_rectification(SEED, follow_up, "已整改。", at=opened + timedelta(days=1))
    assert follow_up.created_at == opened and follow_up.rectified_at == opened + timedelta(days=1)
    days = cycle.settings.followup_working_days
    assert follow_up.deadline == add_working_days(opened.astimezone(LOCAL_TZ).date(), days)


def _batch_row(post: Post, when: datetime, **extra) -> rating_batch.DatedRating:
    fields = {"level": 4, "channel": Channel.PAPER, "verified": True} | extra
    return rating_batch.DatedRating(post_id=post.id, created_at=when, **fields)


def test_a_batch_records_the_holder_of_the_day_and_one_audit_entry(app, app_ctx):
    cycle, post = _current(), db.session.scalar(select(Post).where(Post.code == "DT-001"))
    if local_today() == cycle.starts_on:
        pytest.skip("needs a day of the cycle before today")
    earlier = _local(cycle.starts_on, 10)
    change_holder(SEED, post, "新任责任人", local_today())
    rows = [
        _batch_row(post, earlier),
        _batch_row(post, _local(local_today(), 0), channel=Channel.WEB, verified=False, rater=ratings.Rater("n", "d")),
    ]
    before = _audits("rating.batch")
    ids = rating_batch.record_batch(SEED, cycle, rows, app.config["SECRET_KEY"])
    first, second = (db.session.get(Rating, n) for n in ids)
    assert first.holder_id != second.holder_id  # the holder in office on each rating's day
    assert first.receipt.startswith("R" + cycle.starts_on.strftime("%y%m%d")) and first.entered_by == "seed"
    assert (first.rater_hash, second.rater_hash is not None) == (None, True)
    assert second.rater_hash == ratings.rater_hashes(ratings.Rater("n", "d"), app.config["SECRET_KEY"])[0]
    assert _audits("rating.batch") == before + 1


@pytest.mark.parametrize("days", [-400, 2])
def test_a_batch_outside_the_cycle_or_in_the_future_writes_nothing(app_ctx, days):
    cycle, post = _current(), db.session.scalar(select(Post).where(Post.code == "DT-001"))
    before = db.session.scalar(select(func.count(Rating.id)))
    rows = [_batch_row(post, _local(local_today(), 0)), _batch_row(post, _local(local_today(), 0) + timedelta(days))]
    with pytest.raises(InvalidInput, match="第 2 条"):
        rating_batch.record_batch(SEED, cycle, rows)
    assert db.session.scalar(select(func.count(Rating.id))) == before


def test_hold_puts_a_counted_rating_in_the_review_queue_once(app_ctx):
    rating = db.session.scalar(
        select(Rating).where(Rating.cycle_id == _current().id, Rating.status == RatingStatus.COUNTED).limit(1)
    )
    ratings.hold(SEED, rating, "burst")
    assert rating.status == RatingStatus.HELD and _audits("rating.hold") >= 1
    with pytest.raises(Conflict):
        ratings.hold(SEED, rating, "burst")


def test_a_notice_moves_keeping_its_length_and_only_while_running(app_ctx):
    cycle = _current()
    with pytest.raises(Conflict):
        move_notice(SEED, cycle, local_today(), "演示")
    lifecycle.compute_final(SEED, cycle)
    lifecycle.start_notice(SEED, cycle, 7)
    with pytest.raises(InvalidInput):
        move_notice(SEED, cycle, local_today(), " ")
    move_notice(SEED, cycle, local_today() - timedelta(days=10), "演示")
    assert (cycle.notice_starts_on, cycle.notice_ends_on) == (
        local_today() - timedelta(days=10),
        local_today() - timedelta(days=4),
    )
    entry = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "cycle.notice_dates").order_by(AuditEntry.id.desc())
    )
    assert entry.after["reason"] == "演示" and entry.entity_id == str(cycle.id)
