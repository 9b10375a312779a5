"""The demo smoke suite: rating.demo reproduces the figures of the seed article (seeds/, the Datong shape of 2008)
through the services. Last year's cycle published with exactly 20 benchmark, 40 excellent and 5 warned posts,
reproducible from its content hash, reached through the services in order; the current cycle open with its ratings
(some held or excluded), bad reviews at every follow-up stage, the article's 196 complaints, the inspections of
9 + 41 + 46 units, and provisional standings. The year carried through (issue 12): last year's result published in
January, its five warned holders transferred out on time (two), late (one) or not yet (two, overdue); two posts
changed hands mid-year, each with a line per holder and the briefer one unranked; the accountability ledger with an
entry per substantiated complaint, notified finding and warning, one closed and publicly notified; next year's cycle
scheduled. Seeding again changes nothing.

The officials' records as a user meets them are in test_demo_officials.py."""

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from rating.clock import LOCAL_TZ, local_today
from rating.demo.follow_through import SUCCESSORS, transfer_day
from rating.demo.history import notice_window
from rating.demo.rotations import ROTATIONS
from rating.extensions import db
from rating.models.accountability import EntryStatus, LedgerEntry, LedgerSource, TransferOrder, TransferStatus
from rating.models.assessments import Assessment, InspectionFinding, InspectionScore
from rating.models.audit import AuditEntry
from rating.models.complaints import Complaint, ComplaintStatus, Notification
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Holder, Tenure
from rating.models.rankings import Ranking
from rating.models.ratings import FollowUp, FollowUpStatus, Rating, RatingStatus
from rating.models.results import Objection, Result, ResultKind, ResultSet
from rating.models.units import Unit, UnitKind
from rating.scoring.method import INELIGIBLE_GRADES
from rating.services.cycles import current_cycle
from rating.services.rankings import publication as ranking_publication
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
    # Nobody changed posts last year (the warned were transferred out this year): each post's holder all year.
    all_year = (Tenure.started_on.is_(None) | (Tenure.started_on <= cycle.starts_on)) & (
        Tenure.ended_on.is_(None) | (Tenure.ended_on >= cycle.ends_on)
    )
    holders = dict(db.session.execute(select(Tenure.post_id, Tenure.holder_id).where(all_year)).all())
    assert len(holders) == 100 and all(r.holder_id == holders[r.post_id] for r in ratings)
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


def _changed_hands(cycle: Cycle) -> set[int]:
    """The posts whose holder changed during the cycle (rotations and the warned holders transferred out)."""
    started = Tenure.started_on
    return set(db.session.scalars(select(Tenure.post_id).where(started > cycle.starts_on, started <= cycle.ends_on)))


def test_current_cycle_is_open_with_provisional_standings(app_ctx):
    today = local_today()
    cycle = _cycle(today.year)
    assert cycle.status == CycleStatus.OPEN and cycle.ends_on > today
    provisional = db.session.scalars(
        select(ResultSet).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PROVISIONAL)
    ).all()
    assert len(provisional) == 1
    # Every post has one ranked line; a post that changed hands has a second, unranked, line after the ranking.
    changed = _changed_hands(cycle)
    assert provisional[0].ranked == 100 and len(provisional[0].rows) == 100 + len(changed)
    unranked = provisional[0].rows[100:]
    assert {row.post_id for row in unranked} == changed
    assert all(row.rank is None and row.rule == "short_tenure" and row.tenure_days < 183 for row in unranked)
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


# --- the year carried through: transfers, rotations, the ledger and next year's cycle (issue 12) -----------------


def _last_year_orders() -> list[TransferOrder]:
    return db.session.scalars(
        select(TransferOrder).where(TransferOrder.cycle_id == _last_year().id).order_by(TransferOrder.post_id)
    ).all()


def test_last_years_result_was_published_in_january_after_its_notice(app_ctx):
    cycle, published = _last_year(), _published()
    on = published.published_at.astimezone(LOCAL_TZ).date()
    assert (on.year, on.month) == (cycle.year + 1, 1) and cycle.notice_ends_on < on <= local_today()
    orders = _last_year_orders()
    assert len(orders) == 5 and {order.published_on for order in orders} == {on}


def test_warned_holders_are_transferred_on_time_late_or_still_open(app_ctx):
    """Two transferred before the due date, one after it, two orders still open (and overdue once due); each on
    the day the demo gives it (never after today, so early in a year fewer have happened)."""
    today, orders = local_today(), _last_year_orders()
    planned = [when for _name, when in SUCCESSORS] + ["open"] * (len(orders) - len(SUCCESSORS))
    expected = [
        when if when != "open" and transfer_day(o, when) <= today else "open" for o, when in zip(orders, planned)
    ]
    states = []
    for order in orders:
        if order.status == TransferStatus.OPEN:
            states.append("open")
            assert order.overdue == (order.due_on < today) and order.successor_id is None
        else:
            states.append("on_time" if order.transferred_on <= order.due_on else "late")
            holders = dict(
                db.session.execute(
                    select(Tenure.holder_id, Tenure.ended_on).where(Tenure.post_id == order.post_id)
                ).all()
            )
            assert holders[order.holder_id] == order.transferred_on - timedelta(days=1)
            assert holders[order.successor_id] is None  # the successor holds the post
    assert states == expected
    if today >= max(transfer_day(o, when) for o, when in zip(orders, planned) if when != "open"):
        assert Counter(states) == {"on_time": 2, "late": 1, "open": 2}


def test_the_public_result_and_the_supervision_page_show_the_transfers(client, login_as, app_ctx):
    done = db.session.scalars(select(TransferOrder).where(TransferOrder.status == TransferStatus.DONE)).all()
    page = client.get(f"/results/{_last_year().year}").get_data(as_text=True)
    assert page.count("已调离(") == len(done)
    assert all(f"已调离({order.transferred_on.isoformat()})" in page for order in done)
    open_orders = [o for o in _last_year_orders() if o.status == TransferStatus.OPEN]
    login_as("auditor")
    supervision = client.get("/admin/supervision").get_data(as_text=True)
    overdue = sum(o.overdue for o in open_orders)
    assert f"待调离 {len(open_orders)} 人,其中逾期 {overdue} 人" in supervision


def test_two_posts_changed_hands_mid_year_and_each_holder_has_a_line(app_ctx):
    """Rotations (轮岗): each rotated post has a line per holder, both assessed and scored; the one in post for
    under half a year is listed unranked with their own figures."""
    cycle = _cycle(local_today().year)
    provisional = latest(cycle, ResultKind.PROVISIONAL)
    for code, newcomer, _share in ROTATIONS:
        lines = [row for row in provisional.rows if row.post_code == code]
        assert len(lines) == 2 and newcomer in {row.holder_name for row in lines}
        assert sorted(row.ranked for row in lines) == [False, True]
        short = next(row for row in lines if not row.ranked)
        assert short.tenure_days < 183 and short.rank is None and short.title is None
        assert all(row.assessment is not None and row.inspection_rounds == 2 for row in lines)
        assert sum(row.tenure_days for row in lines) == (cycle.ends_on - cycle.starts_on).days + 1


def test_the_ledger_holds_every_source_and_one_closed_public_notice(client, app_ctx):
    entries = db.session.scalars(select(LedgerEntry)).all()
    substantiated = set(
        db.session.scalars(
            select(Complaint.id).where(
                Complaint.status == ComplaintStatus.CONCLUDED,
                Complaint.finding == "substantiated",
                Complaint.merged_into_id.is_(None),
            )
        )
    )
    notified = set(
        db.session.scalars(
            select(InspectionFinding.id).where(InspectionFinding.notified, InspectionFinding.withdrawn.is_(False))
        )
    )
    assert substantiated and notified
    assert {e.complaint_id for e in entries if e.source == LedgerSource.COMPLAINT} == substantiated
    assert {e.finding_id for e in entries if e.source == LedgerSource.FINDING} == notified
    assert len([e for e in entries if e.source == LedgerSource.WARNING]) == 5
    # last year's published department ranking: its three yellow cards (M25 is last, but in its first year only)
    published = ranking_publication.public_set(_cycle(local_today().year - 1), Ranking.DEPARTMENTS)
    carded = {row.id: row.unit_code for row in published.rows if row.yellow_card}
    assert {e.department_result_id for e in entries if e.source == LedgerSource.YELLOW_CARD} == set(carded)
    assert sorted(carded.values()) == ["C04", "M25", "P07"]
    assert not any(e.source == LedgerSource.HEAD_TO_RESIGN for e in entries)  # this year's flag is only a draft
    # nothing else: 33 entries on 2026-11-29 (11 complaints, 14 findings, 5 warnings, 3 yellow cards)
    assert len(entries) == len(substantiated) + len(notified) + 5 + 3
    closed = [e for e in entries if e.status == EntryStatus.CLOSED]
    transferred = any(o.status == TransferStatus.DONE for o in _last_year_orders())
    assert len(closed) == (1 if transferred else 0) and all(e.is_open for e in entries if e not in closed)
    for entry in closed:  # the first holder transferred out: the transfer is the measure, published by name
        order = db.session.get(TransferOrder, entry.transfer_order_id)
        assert entry.source == LedgerSource.WARNING and order.status == TransferStatus.DONE
        assert (entry.measure, entry.decided_on) == ("transfer", order.transferred_on)
        assert entry.public and entry.name_published
        page = client.get("/accountability").get_data(as_text=True)
        assert entry.notice_text in page and entry.holder.name in page and f"({entry.post.code})" in page


def test_next_years_cycle_is_scheduled_and_this_year_is_current(client, app_ctx):
    today = local_today()
    current, following = _cycle(today.year), _cycle(today.year + 1)
    assert following.status == CycleStatus.SCHEDULED and following.starts_on == current.ends_on + timedelta(days=1)
    assert not following.method_frozen and current_cycle().year == today.year
    assert not db.session.scalar(select(func.count(Rating.id)).where(Rating.cycle_id == following.id))
    home = client.get("/").get_data(as_text=True)
    assert str(today.year) in home and str(today.year + 1) not in home


def _this_year(*where) -> int:
    """The centres' cases taken in this year (last year's published cycle has its own), not the commission's."""
    this_year = Complaint.created_at >= datetime(local_today().year, 1, 1, tzinfo=LOCAL_TZ)
    return db.session.scalar(
        select(func.count(Complaint.id)).join(Unit).where(this_year, Complaint.confidential.is_(False), *where)
    )


def test_complaints_reproduce_the_article(app_ctx):
    """三(二): 196 cases (126 phone, 41 visits, 29 letters); of the municipal centre's 145, 97 referred, 88 concluded
    and 9 being handled; the county centres' 51."""
    assert _this_year() == 196
    channels = Counter(
        db.session.scalars(
            select(Complaint.channel).where(
                Complaint.created_at >= datetime(local_today().year, 1, 1, tzinfo=LOCAL_TZ), ~Complaint.confidential
            )
        )
    )
    assert channels == {"phone": 126, "visit": 41, "letter": 29}
    centre = Unit.kind.in_((UnitKind.MUNICIPAL, UnitKind.PROVINCIAL, UnitKind.WINDOW))
    assert _this_year(centre) == 145
    assert _this_year(centre, Complaint.status != ComplaintStatus.RECEIVED) == 97
    assert _this_year(centre, Complaint.status == ComplaintStatus.CONCLUDED) == 88
    assert _this_year(centre, Complaint.status == ComplaintStatus.IN_PROGRESS) == 9
    assert _this_year(Unit.kind.in_((UnitKind.COUNTY, UnitKind.STATION))) == 51


def test_the_commission_has_two_confidential_reports_outside_the_article(app_ctx):
    reports = db.session.scalars(select(Complaint).where(Complaint.confidential).order_by(Complaint.id)).all()
    assert [(report.case_number[:2], str(report.status)) for report in reports] == [
        ("JB", "received"),
        ("JB", "in_progress"),
    ]
    assert db.session.scalar(select(func.count(Notification.id)).where(Notification.for_role == "auditor")) >= 2
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


def test_the_demo_publishes_reviewed_texts_and_no_discipline_report(client, app_ctx):
    """Concluded cases' texts were reviewed: most published masked, some withheld; discipline reports unlisted."""
    listed = client.get("/open311/v2/requests.json").get_json()
    published = [item for item in listed if item["description"]]
    assert published and len(published) < len(listed)
    assert all(item["status"] == "closed" for item in published)
    assert "discipline" not in {item["service_code"] for item in listed}
    assert db.session.scalar(select(func.count()).where(Complaint.category == "discipline")) > 0


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
    models = (AuditEntry, Cycle, ResultSet, Result, Rating, Complaint, Objection, InspectionFinding)
    models += (Tenure, Holder, Assessment, InspectionScore, TransferOrder, LedgerEntry, Notification)
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in models)


def _standing() -> tuple:
    """The states the follow-through leaves: each order's status and overdue flag, each entry's status and notice."""
    orders = db.session.execute(select(TransferOrder.status, TransferOrder.overdue).order_by(TransferOrder.id)).all()
    entries = db.session.execute(select(LedgerEntry.status, LedgerEntry.public).order_by(LedgerEntry.id)).all()
    return [tuple(row) for row in orders], [tuple(row) for row in entries]


def test_seeding_again_changes_nothing(app, runner):
    with app.app_context():
        before = _counts(), _standing(), _published().content_hash
    result = runner.invoke(args=["seed", "--allow-production"])
    assert result.exit_code == 0, result.output
    assert f"history: the {local_today().year - 1} cycle exists; skipped" in result.output
    assert "provisional standings: already computed" in result.output and "cycles created: none" in result.output
    assert "rotations: none" in result.output and "transfers of warned holders: none recorded" in result.output
    with app.app_context():
        assert (_counts(), _standing(), _published().content_hash) == before


def test_every_action_of_the_demo_has_a_label(app):
    from rating.labels.audit import action_label

    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).distinct()).all()
    assert actions and [action for action in actions if action_label(action) is None] == []
