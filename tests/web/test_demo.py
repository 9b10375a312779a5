"""The demo smoke suite: rating.demo reproduces the figures of the seed article (seeds/, the Datong shape of 2008)
through the services. Last year's cycle published with exactly 20 benchmark, 40 excellent and 5 warned posts,
reproducible from its content hash, reached through the services in order; the current cycle open with its ratings
(some held or excluded), bad reviews at every follow-up stage, the article's 196 complaints, the inspections of
9 + 41 + 46 units, and provisional standings. Seeding again changes nothing.

The officials' records as a user meets them are in test_demo_officials.py."""

from collections import Counter
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from rating.clock import LOCAL_TZ, local_today
from rating.demo.history import notice_window
from rating.extensions import db
from rating.models.assessments import Assessment, InspectionFinding, InspectionScore
from rating.models.audit import AuditEntry
from rating.models.complaints import Complaint, ComplaintStatus
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Tenure
from rating.models.ratings import FollowUp, FollowUpStatus, Rating, RatingStatus
from rating.models.results import Objection, Result, ResultKind, ResultSet
from rating.models.units import Unit, UnitKind
from rating.scoring.method import INELIGIBLE_GRADES
from rating.services.verdict.export import canonical_hash, result_line
from rating.services.verdict.publication import latest


def _cycle(year: int) -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == year))


def _last_year() -> Cycle:
    return _cycle(local_today().year - 1)


def _published() -> ResultSet:
    return latest(_last_year(), ResultKind.PUBLISHED)


def test_last_year_is_published_with_20_benchmark_40_excellent_and_5_warned(app_ctx):
    cycle = _last_year()
    assert cycle.status == CycleStatus.PUBLISHED
    assert (cycle.starts_on, cycle.ends_on) == (date(cycle.year, 1, 1), date(cycle.year, 12, 31))
    published = _published()
    assert published.version == 1 and published.ranked == 100 and len(published.rows) == 100
    titles = Counter(row.title for row in published.rows)
    assert titles == {"benchmark": 20, "excellent": 40, "warning": 5, None: 35}


def test_published_hash_is_recomputed_from_its_lines(app_ctx):
    published = _published()
    lines = [result_line(row, published.method) for row in published.rows]
    assert published.content_hash == canonical_hash(
        _last_year().year, str(published.kind), published.version, published.method, lines
    )


def test_warned_posts_are_the_bottom_five(app_ctx):
    rows = _published().rows
    assert [row.rank for row in rows] == list(range(1, 101))
    assert {row.rank for row in rows if row.title == "warning"} == {96, 97, 98, 99, 100}


def test_vetoed_and_ineligible_posts_have_no_title(app_ctx):
    rows = _published().rows
    vetoed = [row for row in rows if row.discipline_veto]
    ineligible = [row for row in rows if row.grade in INELIGIBLE_GRADES]
    assert vetoed and ineligible
    for row in vetoed + ineligible:
        assert not row.eligible
        assert row.title is None or row.title == "warning"
    # The teaching cases: a veto and a poor grade each keep a post ranked among the titled posts from a title.
    last_titled = max(row.rank for row in rows if row.title == "excellent")
    assert any(row.rule == "discipline_veto" and row.rank < last_titled for row in vetoed)
    assert any(row.rule == "ineligible_grade" and row.rank < last_titled for row in ineligible)
    assert sum(row.eligible for row in rows if row.rank <= 95) >= 60


def test_last_year_records_are_complete_and_dated_inside_the_year(app_ctx):
    cycle = _last_year()
    per_post = dict(
        db.session.execute(
            select(Rating.post_id, func.count()).where(Rating.cycle_id == cycle.id).group_by(Rating.post_id)
        ).all()
    )
    assert len(per_post) == 100 and all(20 <= n <= 60 for n in per_post.values())
    ratings = db.session.execute(
        select(Rating.created_at, Rating.verified, Rating.status, Rating.holder_id, Rating.post_id).where(
            Rating.cycle_id == cycle.id
        )
    ).all()
    assert {r.status for r in ratings} == {RatingStatus.COUNTED}
    assert {r.verified for r in ratings} == {True, False}
    assert all(r.created_at.astimezone(LOCAL_TZ).year == cycle.year for r in ratings)
    holders = dict(db.session.execute(select(Tenure.post_id, Tenure.holder_id)).all())
    assert all(r.holder_id == holders[r.post_id] for r in ratings)
    assessed = db.session.scalar(select(func.count()).where(Assessment.cycle_id == cycle.id))
    scores = db.session.scalar(select(func.count()).where(InspectionScore.cycle_id == cycle.id))
    assert (assessed, scores) == (100, 200)
    found_on = db.session.scalars(
        select(InspectionFinding.found_on).where(InspectionFinding.cycle_id == cycle.id)
    ).all()
    assert found_on and all(d.year == cycle.year for d in found_on)
    concluded = db.session.scalars(select(Complaint).where(Complaint.cycle_id == cycle.id)).all()
    assert concluded and all(c.concluded_at.astimezone(LOCAL_TZ).year == cycle.year for c in concluded)


def test_notice_objection_and_publication_tell_the_story(app_ctx):
    cycle, today = _last_year(), local_today()
    assert cycle.notice_starts_on < cycle.notice_ends_on < today
    assert (cycle.notice_ends_on - cycle.notice_starts_on).days == 6
    objections = db.session.scalars(select(Objection).where(Objection.cycle_id == cycle.id)).all()
    assert len(objections) == 1 and objections[0].answer
    local = objections[0].created_at.astimezone(LOCAL_TZ).date()
    assert cycle.notice_starts_on <= local <= cycle.notice_ends_on
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity == "cycle", AuditEntry.entity_id == str(cycle.id))
            .order_by(AuditEntry.seq)
        )
    )
    story = ["cycle.create", "cycle.close", "result.compute", "cycle.notice", "cycle.notice_dates", "result.publish"]
    assert [action for action in actions if action in story] == story
    answered = db.session.scalar(select(func.count()).where(AuditEntry.action == "objection.answer"))
    assert answered >= 1


@pytest.mark.parametrize(
    ("today", "window"),
    [
        (date(2030, 6, 1), (date(2030, 1, 5), date(2030, 1, 11))),
        (date(2030, 1, 3), (date(2029, 12, 27), date(2030, 1, 2))),
    ],
)
def test_notice_window_lies_in_january_and_before_today(today, window):
    assert notice_window(today) == window


def test_current_cycle_is_open_with_provisional_standings(app_ctx):
    today = local_today()
    cycle = _cycle(today.year)
    assert cycle.status == CycleStatus.OPEN and cycle.ends_on > today
    provisional = db.session.scalars(
        select(ResultSet).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PROVISIONAL)
    ).all()
    assert len(provisional) == 1
    assert provisional[0].ranked == 100 and len(provisional[0].rows) == 100
    assert not db.session.scalar(
        select(func.count()).where(ResultSet.cycle_id == cycle.id, ResultSet.kind != ResultKind.PROVISIONAL)
    )


def test_current_ratings_include_held_excluded_and_every_follow_up_stage(app_ctx):
    cycle = _cycle(local_today().year)
    statuses = Counter(db.session.scalars(select(Rating.status).where(Rating.cycle_id == cycle.id)))
    assert statuses[RatingStatus.HELD] == 14 and statuses[RatingStatus.EXCLUDED] == 9  # 8 moderated, 1 appeal upheld
    assert statuses[RatingStatus.COUNTED] > 5000
    follow_ups = db.session.scalars(select(FollowUp).join(Rating).where(Rating.cycle_id == cycle.id)).all()
    assert Counter(f.status for f in follow_ups) == {
        FollowUpStatus.OPEN: 3,
        FollowUpStatus.RECTIFIED: 3,
        FollowUpStatus.CLOSED: 3,
        FollowUpStatus.APPEALED: 1,
    }
    assert any(f.status == FollowUpStatus.OPEN and f.deadline < local_today() for f in follow_ups)  # one overdue
    assert {f.appeal_decision for f in follow_ups} == {None, "upheld", "rejected"}


def _this_year(*where) -> int:
    """Cases taken in this year (last year's published cycle has its own)."""
    this_year = Complaint.created_at >= datetime(local_today().year, 1, 1, tzinfo=LOCAL_TZ)
    return db.session.scalar(select(func.count(Complaint.id)).join(Unit).where(this_year, *where))


def test_complaints_reproduce_the_article(app_ctx):
    """三(二): 196 cases (126 phone, 41 visits, 29 letters); of the municipal centre's 145, 97 referred, 88 concluded
    and 9 being handled; the county centres' 51."""
    assert _this_year() == 196
    channels = Counter(
        db.session.scalars(
            select(Complaint.channel).where(Complaint.created_at >= datetime(local_today().year, 1, 1, tzinfo=LOCAL_TZ))
        )
    )
    assert channels == {"phone": 126, "visit": 41, "letter": 29}
    centre = Unit.kind.in_((UnitKind.MUNICIPAL, UnitKind.PROVINCIAL, UnitKind.WINDOW))
    assert _this_year(centre) == 145
    assert _this_year(centre, Complaint.status != ComplaintStatus.RECEIVED) == 97
    assert _this_year(centre, Complaint.status == ComplaintStatus.CONCLUDED) == 88
    assert _this_year(centre, Complaint.status == ComplaintStatus.IN_PROGRESS) == 9
    assert _this_year(Unit.kind.in_((UnitKind.COUNTY, UnitKind.STATION))) == 51
    # The discipline case found substantiated, and never more than two substantiated findings per post.
    assert _this_year(Complaint.category == "discipline", Complaint.finding == "substantiated") >= 1
    per_post = db.session.execute(
        select(Complaint.post_id, func.count())
        .where(Complaint.finding == "substantiated", Complaint.post_id.is_not(None))
        .group_by(Complaint.post_id)
    ).all()
    assert per_post and max(n for _post, n in per_post) <= 2


def test_inspections_cover_9_provincial_41_municipal_and_46_window_units(app_ctx):
    units = db.session.execute(
        select(Unit.kind, func.count(func.distinct(Unit.id)))
        .join(InspectionFinding, InspectionFinding.unit_id == Unit.id)
        .where(InspectionFinding.cycle_id == _cycle(local_today().year).id)
        .group_by(Unit.kind)
    ).all()
    assert dict(units) == {UnitKind.PROVINCIAL: 9, UnitKind.MUNICIPAL: 41, UnitKind.WINDOW: 46}


def test_every_demo_step_went_through_the_services(app_ctx):
    """Each case's steps and each batch of ratings left their audit entries; the steps are dated in order."""
    complaints = db.session.scalars(select(Complaint)).all()
    audited = Counter(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("complaint.%"))))
    assert audited["complaint.receive"] == len(complaints)
    assert audited["complaint.conclude"] >= sum(c.status == ComplaintStatus.CONCLUDED for c in complaints)
    for complaint in complaints:
        times = [event.at for event in complaint.events]
        assert times == sorted(times), complaint.case_number
    batches = db.session.scalars(select(AuditEntry.after).where(AuditEntry.action == "rating.batch")).all()
    assert sum(after["ratings"] for after in batches) == db.session.scalar(select(func.count(Rating.id)))


def _counts() -> tuple:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (AuditEntry, Cycle, ResultSet, Result, Rating, Complaint, Objection, InspectionFinding)
    )


def test_seeding_again_changes_nothing(app, runner):
    with app.app_context():
        before = _counts(), _published().content_hash
    result = runner.invoke(args=["seed", "--allow-production"])
    assert result.exit_code == 0, result.output
    assert f"history: the {local_today().year - 1} cycle exists; skipped" in result.output
    assert "provisional standings: already computed" in result.output
    with app.app_context():
        assert (_counts(), _published().content_hash) == before
