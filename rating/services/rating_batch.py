"""A dated batch of ratings (批量录入): counted ratings gathered and dated before they reach the system, written in
one statement with one audit entry. Used by the demo's year of ratings (rating.demo.ratings); citizens' submissions
and staff keying are rating.services.ratings.
"""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import insert, select

from rating.clock import LOCAL_TZ
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.ratings import Channel, Rating, RatingStatus
from rating.privacy import mask_personal_numbers
from rating.services import audit
from rating.services.errors import InvalidInput
from rating.services.ratings import LEVELS, Rater, new_receipt, rater_hashes
from rating.services.tenures import Holders


@dataclass(frozen=True)
class DatedRating:
    """One rating of a batch gathered and dated before it reaches the system (see ``record_batch``)."""

    post_id: int
    level: int
    channel: Channel
    verified: bool
    created_at: datetime
    comment: str = ""
    #: Where a web rating came from; stored as salted hashes, as for a submission.
    rater: Rater | None = None


def record_batch(actor: audit.Actor, cycle: Cycle, rows: list[DatedRating], salt: str = "") -> list[int]:
    """Counted ratings already gathered and dated (the demo's year of ratings), written in one statement; returns
    their ids in the order of ``rows``. Flushes; the caller commits.

    Why a batch: the demo loads about ten thousand ratings, and one ``key_in_rating`` call each, with an audit entry
    each, would make a first start take minutes. The audit chain gets one entry for the batch instead, saying how
    many ratings were written, for how many posts, between which times. The rules are an import's
    (``import_ratings``): the cycle must take entries, every row is checked (an active post, a level, a channel, a
    comment of at most 500 characters, a time inside the cycle and not in the future) before anything is written,
    and each rating is recorded against the holder in office on its day. The device and burst rules judge live
    submissions only; ``hold`` and ``moderate`` act afterwards."""
    if not rows:
        return []
    from rating.services.officials import Amendment, check_open_for_entries

    check_open_for_entries(cycle, Amendment())
    _check_batch(cycle, rows)
    holders = Holders(row.post_id for row in rows)
    values = [_batch_values(actor, cycle, row, holders, salt) for row in rows]
    # A Core statement: the ORM's bulk path with RETURNING grows slower with every row of the batch.
    table = Rating.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    ids = list(db.session.connection().execute(statement, values).scalars())
    cycle.inputs_changed()
    times = sorted(row.created_at for row in rows)
    after = {"ratings": len(rows), "verified": sum(row.verified for row in rows)}
    after |= {"posts": len({row.post_id for row in rows}), "from": times[0].isoformat(), "to": times[-1].isoformat()}
    audit.record(actor, "rating.batch", "cycle", cycle.id, after=after)
    return ids


def _check_batch(cycle: Cycle, rows: list[DatedRating]) -> None:
    active = set(db.session.scalars(select(Post.id).where(Post.active.is_(True))))
    now = utcnow()
    for number, row in enumerate(rows, start=1):
        day = row.created_at.astimezone(LOCAL_TZ).date()
        if row.post_id not in active or row.level not in LEVELS or row.channel not in tuple(Channel):
            raise InvalidInput(_("第 %(n)d 条评议无效(岗位、等级或渠道)。", n=number))
        if len(row.comment) > 500:
            raise InvalidInput(_("意见建议不能超过 500 字。"))
        if not cycle.starts_on <= day <= cycle.ends_on or row.created_at > now:
            raise InvalidInput(_("第 %(n)d 条评议的时间不在本评议周期内。", n=number))


def _batch_values(actor: audit.Actor, cycle: Cycle, row: DatedRating, holders: Holders, salt: str) -> dict:
    day = row.created_at.astimezone(LOCAL_TZ).date()
    device_hash, network_hash = rater_hashes(row.rater, salt) if row.rater else (None, None)
    return {
        "receipt": new_receipt(day),
        "cycle_id": cycle.id,
        "post_id": row.post_id,
        "holder_id": holders.on(row.post_id, day),
        "level": row.level,
        "comment": mask_personal_numbers(row.comment.strip()),
        "channel": row.channel,
        "verified": row.verified,
        "status": RatingStatus.COUNTED,
        "status_reason": "",
        "rater_hash": device_hash,
        "network_hash": network_hash,
        "entered_by": actor.name,
        "created_at": row.created_at,
    }
