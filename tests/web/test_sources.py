"""A verdict no script can buy (issue 11): floods from one source move their target by at most one rank, a service
hall's honest day holds nothing, the allowance is exact under concurrency, and a review releases or excludes a
whole group, audited. Run on both engines, with a controllable clock, against the seeded open cycle."""

import random
import threading
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.models import AuditEntry, Cycle, Post, Rating, RatingSource, RatingStatus, SourceState, Unit
from rating.scoring.sources import network_prefix
from rating.services import audit, halls, ratings, sources
from rating.services.verdict import lifecycle
from tests.conftest import csrf_token

YEAR = local_today().year
ATTACKER = "203.0.113.77"
SALT = "test-secret"


class Clock:
    """The platform's now, moved by the test: every module on the rating path reads it."""

    MODULES = ("rating.clock", "rating.services.ratings", "rating.services.sources")

    def __init__(self, monkeypatch, start: datetime):
        self.now = start
        for module in self.MODULES:
            monkeypatch.setattr(f"{module}.utcnow", lambda: self.now)

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    """Today 09:00 in Asia/Shanghai, the opening of a service hall."""
    return Clock(monkeypatch, datetime.combine(local_today(), time(9, 0), LOCAL_TZ))


def cycle() -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == YEAR))


def post(code: str) -> Post:
    return db.session.scalar(select(Post).where(Post.code == code))


def standings() -> dict[str, int]:
    """The recomputed provisional ranking of the open cycle: post code → rank."""
    result_set = lifecycle.compute_provisional(cycle(), by="test")
    return {row.post_code: row.rank for row in result_set.rows if row.rank}


def at_rank(ranks: dict[str, int], rank: int) -> str:
    return next(code for code, r in ranks.items() if r == rank)


def submit(code: str, level: int, network: str, device: str):
    return ratings.submit_rating(post(code), ratings.Submission(level=level), ratings.Rater(network, device), SALT)


def counted_from(network_prefix: str, code: str) -> int:
    return db.session.scalar(
        select(func.count(Rating.id))
        .join(RatingSource, RatingSource.id == Rating.source_id)
        .join(Post, Post.id == Rating.post_id)
        .where(RatingSource.network == network_prefix, Post.code == code, Rating.status == RatingStatus.COUNTED)
    )


def test_the_fast_flood_moves_its_targets_by_at_most_one_rank(app_ctx, clock):
    before = standings()
    up, down = at_rank(before, 61), at_rank(before, 41)
    for n in range(1000):  # 1,000 to each target, fresh device cookie and User-Agent each, from one laptop
        submit(up, 5, ATTACKER, f"rid-{n}|Mozilla/5.0 ({n})")
        submit(down, 1, ATTACKER, f"rid-{n}|Mozilla/5.0 ({n})")
        clock.advance(seconds=1)
        if n % 200 == 0:
            db.session.commit()
    db.session.commit()
    after = standings()
    print(f"fast flood: {up} {before[up]} → {after[up]}, {down} {before[down]} → {after[down]}")
    assert abs(after[up] - before[up]) <= 1 and abs(after[down] - before[down]) <= 1
    assert counted_from("203.0.113.0/24", up) == 0 and counted_from("203.0.113.0/24", down) == 0
    groups = db.session.scalars(select(RatingSource).where(RatingSource.network == "203.0.113.0/24")).all()
    assert sorted((g.state, g.direction, g.taken) for g in groups) == [("review", "down", 1000), ("review", "up", 1000)]


def test_the_patient_flood_moves_its_target_by_at_most_one_rank(app_ctx, clock):
    before = standings()
    target = at_rank(before, 31)
    for round_ in range(6):  # five one-star ratings every ten minutes for an hour
        for n in range(5):
            submit(target, 1, ATTACKER, f"patient-{round_}-{n}")
        db.session.commit()
        clock.advance(minutes=10)
    after = standings()
    print(f"patient flood: {target} {before[target]} → {after[target]}")
    assert abs(after[target] - before[target]) <= 1
    assert counted_from("203.0.113.0/24", target) == 0


def test_a_service_halls_honest_day_holds_nothing(app_ctx, clock):
    unit = db.session.scalar(select(Unit).where(Unit.code == "M05"))
    halls.register(audit.Actor("admin"), unit, "市民服务中心一楼大厅", "198.51.100.0/24")
    codes = [f"DT-{n:03d}" for n in range(1, 11)]
    rnd = random.Random(11)  # noqa: S311  (test data)
    visits = sorted((rnd.uniform(0, 8 * 60), device, code) for device in range(30) for code in codes)
    start = clock.now
    for minute, device, code in visits:  # 30 devices rate 10 posts between 09:00 and 17:00, at human pace
        clock.now = start + timedelta(minutes=minute)
        submit(code, rnd.choice([3, 4, 4, 5, 5]), f"198.51.100.{10 + device}", f"phone-{device}")
    db.session.commit()
    statuses = db.session.execute(
        select(Rating.status, func.count())
        .join(RatingSource, RatingSource.id == Rating.source_id)
        .where(RatingSource.hall_id.is_not(None))
        .group_by(Rating.status)
    ).all()
    assert dict(statuses) == {RatingStatus.COUNTED: 300}


def test_the_allowance_is_counted_per_network_not_per_pace(app_ctx, clock):
    allowance = cycle().settings.source_allowance
    for n, level in enumerate([5, 2, 4, 3, 5, 1, 4]):
        submit("DT-050", level, "2001:db8:5:6::1" if n % 2 else "2001:db8:5:6:ffff::9", f"slow-{n}")
        clock.advance(days=1)  # a day apart: pace does not matter
    rows = db.session.scalars(
        select(Rating.status).join(Post).where(Post.code == "DT-050", Rating.source_id.is_not(None))
    ).all()
    assert rows.count(RatingStatus.COUNTED) == allowance and rows.count(RatingStatus.HELD) == 7 - allowance


def test_sixteen_simultaneous_first_ratings_count_exactly_the_allowance(committed_app):
    app = committed_app
    statuses, lock = [], threading.Lock()
    ready = threading.Barrier(16)

    def one(n):
        client = app.test_client()
        client.set_cookie("rid", f"simultaneous-{n}")
        token = csrf_token(client, "/posts/DT-077/rate")
        ready.wait()
        # One level, close to the post's own mean: this checks the allowance alone, never the campaign rule (which
        # may judge a flood on the part of it already committed).
        response = client.post("/posts/DT-077/rate", data={"csrf_token": token, "level": "4"})
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [302] * 16
    with app.app_context():
        allowance = cycle().settings.source_allowance
        rows = db.session.execute(
            select(Rating.status, func.count())
            .join(Post)
            .where(Post.code == "DT-077", Rating.source_id.is_not(None))
            .group_by(Rating.status)
        ).all()
        assert dict(rows) == {RatingStatus.COUNTED: allowance, RatingStatus.HELD: 16 - allowance}
        assert db.session.scalar(select(RatingSource.taken).where(RatingSource.post_id == post("DT-077").id)) == 16


def flood(code: str, network: str, n: int, level: int = 1) -> RatingSource:
    for i in range(n):
        submit(code, level, network, f"{network}-{i}")
    db.session.commit()
    return db.session.scalar(
        select(RatingSource).join(Post).where(Post.code == code, RatingSource.network == network_prefix(network))
    )


def statuses_of(source: RatingSource) -> set[str]:
    return set(db.session.scalars(select(Rating.status).where(Rating.source_id == source.id)))


def test_a_released_group_counts_and_an_excluded_group_never_does_each_audited(app_ctx, clock):
    admin = audit.Actor("admin")
    released = flood("DT-020", "192.0.2.1", 8)
    excluded = flood("DT-021", "192.0.2.200", 8)
    assert released.state == excluded.state == SourceState.REVIEW and statuses_of(released) == {"held"}
    with pytest.raises(ratings.InvalidInput):
        sources.review(admin, released, "release", "  ")
    assert sources.review(admin, released, "release", "核实为同一单位职工集体办事后的评价") == 8
    assert sources.review(admin, excluded, "exclude", "同一网络集中好评,刷评") == 8
    assert statuses_of(released) == {"counted"} and statuses_of(excluded) == {"excluded"}
    submit("DT-021", 1, "192.0.2.200", "after-review")  # the excluded source stays excluded
    assert statuses_of(excluded) == {"excluded"}
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("source.%"))).all()
    actions = [(e.action, e.entity_id, e.actor) for e in entries]
    assert ("source.release", str(released.id), "admin") in actions
    assert ("source.exclude", str(excluded.id), "admin") in actions
    reasons = [e.after["reason"] for e in entries if e.action == "source.release"]
    assert reasons == ["核实为同一单位职工集体办事后的评价"]
    with pytest.raises(ratings.Conflict):
        sources.review(admin, released, "exclude", "改主意")


def test_a_large_group_waiting_for_review_blocks_the_final_computation(app_ctx, clock):
    the_cycle = cycle()
    size = the_cycle.settings.review_block_size + 1
    group = flood("DT-030", "192.0.2.9", size)
    with pytest.raises(lifecycle.SourcesAwaitingReview) as refused:
        lifecycle.compute_final(audit.Actor("admin"), the_cycle)
    assert "DT-030" in str(refused.value) and "192.0.2.0/24" in str(refused.value)
    db.session.rollback()
    sources.review(audit.Actor("admin"), db.session.get(RatingSource, group.id), "exclude", "刷评")
    try:
        lifecycle.compute_final(audit.Actor("admin"), cycle())
    except lifecycle.SourcesAwaitingReview:  # pragma: no cover - the failure this test is about
        pytest.fail("a reviewed group still blocks the computation")
    except lifecycle.MissingComponents:
        pass  # the demo cycle may lack components; what matters is that review no longer blocks
