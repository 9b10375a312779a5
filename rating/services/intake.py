"""The statements of a citizen's web rating, built once and reused: the rating path is the busiest write of the
site, so it reads everything it needs in one statement and writes with plain Core statements (no ORM unit of work).

Per ordinary rating (rating.services.ratings.submit_rating): ``situation`` (the open cycle, the holder in post today,
the network's service hall and whether this device rated this post today), the source's counter upsert
(rating.services.sources.take), ``insert_rating`` (RETURNING its id; a receipt already taken is drawn again) and the
audit leaf (rating.services.audit.append).
All reads come before the first write, so that on SQLite the write lock is held for three INSERTs and the commit.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, exists, false, or_, select, true
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rating.extensions import db
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Tenure
from rating.models.ratings import Rating
from rating.models.sources import RatingSource, ServiceHall

#: Statements by dialect name, built on first use.
_built: dict[str, "_Statements"] = {}


@dataclass(frozen=True)
class Situation:
    """What a rating of one post by one device meets today, read in one statement."""

    cycle: Cycle | None  #: the cycle taking ratings today, or None
    holder_id: int | None  #: the holder in post today
    hall_id: int | None  #: the registered service hall of the rater's network
    rated_today: bool  #: this device already gave this post an unverified rating today


@dataclass(frozen=True)
class _Statements:
    situation: object
    upsert_source: object
    insert_rating: object


def _situation():
    """The open cycle covering today (newest year first) and three facts as scalar subqueries, by bound values; no
    row when no cycle is open."""
    today, post = bindparam("today"), bindparam("post_id")
    holder = (
        select(Tenure.holder_id)
        .where(
            Tenure.post_id == post,
            or_(Tenure.started_on.is_(None), Tenure.started_on <= today),
            or_(Tenure.ended_on.is_(None), Tenure.ended_on >= today),
        )
        .limit(1)
        .scalar_subquery()
    )
    hall = (
        select(ServiceHall.id)
        .where(ServiceHall.prefix == bindparam("prefix"), ServiceHall.active.is_(true()))
        .limit(1)
        .scalar_subquery()
    )
    rated = exists().where(
        Rating.cycle_id == Cycle.id,  # on PostgreSQL, the open cycle's partition alone (pruned as the row is read)
        Rating.post_id == post,
        Rating.rater_hash == bindparam("device_hash"),
        Rating.verified.is_(false()),
        Rating.created_at >= bindparam("day_start", type_=Rating.created_at.type),
    )
    return (
        select(Cycle, holder, hall, rated.label("rated_today"))
        .where(Cycle.status == CycleStatus.OPEN, Cycle.starts_on <= today, Cycle.ends_on >= today)
        .order_by(Cycle.year.desc())
        .limit(1)
    )


def _upsert_source(dialect: str):
    """Insert the source's row or bump its count, returning (id, taken, state) atomically."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(RatingSource.__table__)
    return stmt.on_conflict_do_update(
        index_elements=["cycle_id", "post_id", "source_key"],
        set_={"taken": RatingSource.__table__.c.taken + 1, "last_at": stmt.excluded.last_at},
    ).returning(RatingSource.__table__.c.id, RatingSource.__table__.c.taken, RatingSource.__table__.c.state)


def _insert_rating(dialect: str):
    """Insert the rating unless its receipt is taken in its cycle (then no row comes back): receipts are random, and
    at hundreds of thousands of ratings a day two of one day meet now and then. Any other unique key refuses."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    ratings = Rating.__table__
    return insert(ratings).on_conflict_do_nothing(index_elements=["receipt", "cycle_id"]).returning(ratings.c.id)


def _statements() -> _Statements:
    dialect = db.session.get_bind().dialect.name
    if dialect not in _built:
        _built[dialect] = _Statements(
            situation=_situation(),
            upsert_source=_upsert_source(dialect),
            insert_rating=_insert_rating(dialect),
        )
    return _built[dialect]


def situation(post_id: int, today, day_start: datetime, prefix: str, device_hash: str) -> Situation:
    """One round trip: the open cycle, today's holder, the network's hall and the device's rating today."""
    row = db.session.execute(
        _statements().situation,
        {"today": today, "post_id": post_id, "prefix": prefix, "device_hash": device_hash, "day_start": day_start},
    ).first()
    if row is None:
        return Situation(None, None, None, False)
    cycle, holder_id, hall_id, rated_today = row
    return Situation(cycle, holder_id, hall_id, bool(rated_today))


def upsert_source(values: dict):
    """(id, taken, state) of the source after counting one rating (rating.services.sources.take)."""
    return db.session.connection().execute(_statements().upsert_source, values).one()


def insert_rating(values: dict) -> int | None:
    """Insert one rating row (every column given) and return its id; None when its receipt is already taken."""
    return db.session.connection().execute(_statements().insert_rating, values).scalar_one_or_none()
