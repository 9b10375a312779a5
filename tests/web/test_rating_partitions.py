"""The ratings partitioned by cycle on PostgreSQL (migration 0023, rating.services.partitions): a new cycle gets its
partition and its ratings land there; the migration keeps every rating, id and follow-up both ways; the verdict's
tally of a cycle reads that cycle's partition alone. SQLite keeps one plain table, with the same unique keys."""

from datetime import date

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, select, text
from sqlalchemy.exc import IntegrityError

from rating.clock import local_today
from rating.extensions import db
from rating.models.cycles import Cycle
from rating.models.ratings import FollowUp, Rating
from rating.services import audit
from rating.services.followups import open_follow_up
from rating.services.partitions import add_cycle_partition, partition_name
from rating.services.verdict.gather import gather
from tests.factories import local_datetime

pytestmark = pytest.mark.bare

ACTOR = audit.Actor("admin")


def _partitions() -> set[str]:
    """The partitions of ``ratings`` (none on SQLite, where it is a plain table)."""
    if db.session.get_bind().dialect.name != "postgresql":
        return set()
    rows = db.session.scalars(
        text("SELECT inhrelid::regclass::text FROM pg_inherits WHERE inhparent = 'ratings'::regclass")
    )
    return set(rows)


def _stored_in(rating_id: int) -> str:
    return db.session.scalar(text("SELECT tableoid::regclass::text FROM ratings WHERE id = :id"), {"id": rating_id})


def _two_cycles(make_cycle, make_post, make_rating):
    """Last year's cycle and this year's, a post and a bad review in each, the second with a follow-up."""
    year = local_today().year
    last = make_cycle(year - 1, starts_on=date(year - 1, 1, 1), ends_on=date(year - 1, 12, 31))
    this = make_cycle(year)
    post = make_post()
    old = make_rating(post, level=2, when=local_datetime(date(year - 1, 6, 1)), cycle=last)
    new = make_rating(post, level=1, cycle=this)
    return last, this, post, old, new


def test_a_new_cycle_gets_its_partition_and_its_ratings_land_there(
    app, engine_name, make_cycle, make_post, make_rating
):
    with app.app_context():
        cycle = make_cycle()
        rating = make_rating(make_post(), level=4, cycle=cycle)
        assert db.session.get(Rating, rating.id).cycle_id == cycle.id
        if engine_name == "postgresql":
            assert partition_name(cycle.id) in _partitions() and "ratings_default" in _partitions()
            assert _stored_in(rating.id) == partition_name(cycle.id)
        else:
            assert _partitions() == set() and add_cycle_partition(cycle.id) is False


@pytest.mark.postgresql_only
def test_a_cycle_made_without_its_partition_keeps_its_ratings_in_the_default_one(
    app, engine_name, make_post, make_rating
):
    """A cycle made by hand rather than by create_cycle: its ratings go to the default partition, where they are
    counted all the same; asked for its partition afterwards, the service leaves them there, rather than fail."""
    with app.app_context():
        cycle = Cycle(year=2031, starts_on=date(2031, 1, 1), ends_on=date(2031, 12, 31))
        db.session.add(cycle)
        db.session.commit()
        rating = make_rating(make_post(), level=3, cycle=cycle.id)
        assert _stored_in(rating.id) == "ratings_default"
        assert add_cycle_partition(cycle.id) is False
        assert partition_name(cycle.id) not in _partitions() and _stored_in(rating.id) == "ratings_default"


def test_a_follow_up_links_to_its_rating_in_its_cycle(app, engine_name, make_cycle, make_post, make_rating):
    with app.app_context():
        last, this, post, old, new = _two_cycles(make_cycle, make_post, make_rating)
        follow_up = open_follow_up(db.session.get(Rating, new.id), post, "13900001111", this)
        db.session.commit()
        assert (follow_up.rating.id, follow_up.cycle_id) == (new.id, this.id)
        if engine_name == "postgresql":  # the database holds the pair (rating, cycle) to an existing rating
            with pytest.raises(IntegrityError):
                with db.session.begin_nested():
                    db.session.execute(
                        text("UPDATE follow_ups SET cycle_id = :c WHERE id = :id"), {"c": last.id, "id": follow_up.id}
                    )


def test_the_migration_keeps_ratings_ids_and_follow_ups_both_ways(
    committed_app, engine_name, make_cycle, make_post, make_rating
):
    def state():
        ratings = db.session.execute(select(Rating.id, Rating.cycle_id, Rating.receipt).order_by(Rating.id)).all()
        follow_ups = db.session.execute(text("SELECT id, rating_id FROM follow_ups ORDER BY id")).all()
        return ratings, follow_ups

    with committed_app.app_context():
        last, this, post, old, new = _two_cycles(make_cycle, make_post, make_rating)
        open_follow_up(db.session.get(Rating, old.id), post, "13900001111", last)
        db.session.commit()
        cycles, ratings, post_id = (last.id, this.id), (old.id, new.id), post.id
        before = state()
        db.session.remove()
        downgrade(revision="0022_device_day")
        assert state() == before and _partitions() == set()
        db.session.remove()
        upgrade()
        assert state() == before and len(before[0]) == 2 and len(before[1]) == 1
        assert db.session.scalar(select(FollowUp.cycle_id)) == cycles[0]
        if engine_name == "postgresql":
            assert _partitions() == {*map(partition_name, cycles), "ratings_default"}
            assert [_stored_in(rating_id) for rating_id in ratings] == list(map(partition_name, cycles))
        db.session.remove()
        after = make_rating(post_id, level=5, cycle=cycles[1])
        assert after.id == ratings[1] + 1, "the id sequence continues where it was"
        db.session.remove()
        db.engine.dispose()


@pytest.mark.postgresql_only
def test_the_verdicts_tally_of_a_cycle_reads_only_its_partition(app, engine_name, make_cycle, make_post, make_rating):
    with app.app_context():
        last, this, *_ = _two_cycles(make_cycle, make_post, make_rating)
        seen = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            if "GROUP BY ratings.post_id, ratings.holder_id, ratings.verified" in statement:
                seen.append((statement, parameters))

        connection = db.session.connection()
        event.listen(connection, "before_cursor_execute", keep)
        try:
            gather(this)
        finally:
            event.remove(connection, "before_cursor_execute", keep)
        [(statement, parameters)] = seen
        plan = "\n".join(connection.exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
        assert partition_name(this.id) in plan
        assert partition_name(last.id) not in plan and "ratings_default" not in plan, plan


@pytest.mark.postgresql_only
def test_a_submits_check_of_the_devices_day_reads_only_the_open_cycles_partition(
    app, engine_name, make_cycle, make_post, make_rating
):
    """The rating path asks whether this device rated this post today on every submit: with a partition per year,
    only the open cycle's is read, however many years the table holds."""
    from rating.services import intake, sources

    with app.app_context():
        last, this, post, *_ = _two_cycles(make_cycle, make_post, make_rating)
        seen = []

        def keep(conn, cursor, statement, parameters, context, executemany):
            seen.append((statement, parameters))

        connection = db.session.connection()
        event.listen(connection, "before_cursor_execute", keep)
        try:
            today = local_today()
            situation = intake.situation(post.id, today, sources.day_start(today), "192.0.2", "device")
        finally:
            event.remove(connection, "before_cursor_execute", keep)
        assert situation.cycle.id == this.id and situation.rated_today is False
        [(statement, parameters)] = seen
        plan = "\n".join(connection.exec_driver_sql("EXPLAIN (ANALYZE, COSTS OFF) " + statement, parameters).scalars())
        read = [line for line in plan.splitlines() if " on ratings_" in line and "never executed" not in line]
        assert len(read) == 1 and partition_name(this.id) in read[0], plan


@pytest.mark.postgresql_only
def test_a_new_cycle_waits_a_bounded_time_behind_a_long_read_and_is_refused_whole(app, engine_name):
    """An export or the verdict holding the ratings open: making next year's partition would queue every citizen's
    rating behind it, so the cycle is refused with "try again" after ATTACH_WAIT and nothing of it is kept."""
    from rating.services.cycles import create_cycle, find_cycle
    from rating.services.errors import Conflict

    year = local_today().year + 5
    with app.app_context():
        reader = db.engine.connect()
        try:
            reader.begin()
            reader.execute(text("SELECT count(*) FROM ratings"))  # holds every partition, as a long export would
            with pytest.raises(Conflict, match="请稍后重试"):
                create_cycle(ACTOR, year)
        finally:
            reader.close()
        db.session.rollback()
        assert find_cycle(year) is None
        assert not any(name.startswith("ratings_c") and name not in _partitions() for name in _tables())
        cycle = create_cycle(ACTOR, year)  # the reader gone, the same cycle is made at once
        assert partition_name(cycle.id) in _partitions()
        assert db.session.scalar(text("SELECT current_setting('lock_timeout')")) == "0"


def _tables() -> set[str]:
    return set(db.session.scalars(text("SELECT tablename FROM pg_tables WHERE tablename LIKE 'ratings%'")))
