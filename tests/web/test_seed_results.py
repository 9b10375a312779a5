"""The demo's verdicts (rating.seed_history and rating.seed.load_provisional): last year's cycle published with
exactly 20 benchmark, 40 excellent and 5 warned posts, reproducible from its content hash, reached through the
services in order; the current cycle open with provisional standings. Seeding again changes nothing."""

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.models.assessments import Assessment, InspectionFinding, InspectionScore
from rating.models.audit import AuditEntry
from rating.models.complaints import Complaint
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Tenure
from rating.models.ratings import Rating, RatingStatus
from rating.models.results import Objection, Result, ResultKind, ResultSet
from rating.scoring.method import INELIGIBLE_GRADES
from rating.seed_history import notice_window
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
