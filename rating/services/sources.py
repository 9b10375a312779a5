"""Accounting of rating sources (评价来源): the allowance of one source, campaigns (刷评) held as a whole, the office's
review, the alert list and what blocks the final computation. The arithmetic lives in rating.scoring.sources.

Called by rating.services.ratings on the rating path (``take``, ``after_rating``: one statement for an ordinary
rating, the upsert prebuilt in rating.services.intake; more only when a source is over its allowance and due for a
campaign check; where a rating comes from is read with the rest of its situation, intake.situation), by the back
office (``review``, ``alerts``, service halls) and by the verdict lifecycle (``awaiting_review``, ``withheld_counts``).

Race-free on both engines: a source's counter row is bumped with one INSERT … ON CONFLICT DO UPDATE … RETURNING, so
the n-th rating of a source learns it is the n-th atomically. PostgreSQL locks the row until the transaction ends;
SQLite has one writer at a time, and the upsert is the transaction's first write, so the count it returns is
final. Sixteen simultaneous first ratings of a post from one network therefore count exactly the allowance.
"""

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select, update

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.ratings import Rating, RatingStatus
from rating.models.sources import RatingSource, SourceState
from rating.scoring import sources as rules
from rating.scoring.method import MethodSettings
from rating.services import audit, intake
from rating.services.errors import Conflict, InvalidInput

#: Machine-readable starts of the reasons the rating path writes (the public breakdown counts by them).
ALLOWANCE_REASON = "allowance: beyond what one source may give one post; held for review"
CAMPAIGN_REASON = "campaign: its source pushed one post in one direction; held as a whole for review"
EXCLUDED_REASON = "campaign: its source was excluded on review"


@dataclass(frozen=True)
class Origin:
    """Where an unverified web rating comes from, as the rating path learns it (rating.services.intake.situation)."""

    prefix: str  #: the /24 or /64 network
    hall_id: int | None  #: the registered service hall of that network, if any
    rated_today: bool  #: this device already rated this post today


@dataclass(frozen=True)
class Taken:
    """A source's count after taking one rating, and what that rating becomes."""

    source_id: int
    taken: int
    state: SourceState
    status: RatingStatus
    reason: str


def day_start(today: date) -> datetime:
    """The start of a local day, the bound of "rated today"."""
    return datetime.combine(today, time.min, LOCAL_TZ)


def source_key(origin: Origin, device: str, salt: str) -> str:
    """Private key of a source: the network; in a service hall, the device on this day."""
    parts = [salt, "src", origin.prefix]
    if origin.hall_id is not None:
        parts += [device, local_today().isoformat()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def take(cycle: Cycle, post: Post, origin: Origin, device: str, salt: str) -> Taken:
    """Count one unverified rating against its source and say whether it counts, is held or is excluded."""
    now = utcnow()
    in_hall = origin.hall_id is not None
    source_id, taken, state = intake.upsert_source(
        dict(
            cycle_id=cycle.id,
            post_id=post.id,
            source_key=source_key(origin, device, salt),
            network=origin.prefix,
            hall_id=origin.hall_id,
            day=local_today() if in_hall else None,
            taken=1,
            state=SourceState.OPEN,
            first_at=now,
            last_at=now,
            review_reason="",
        )
    )
    state = SourceState(state)
    method = cycle.settings
    allowance = method.hall_device_allowance if in_hall else method.source_allowance
    if state == SourceState.REVIEW:
        return Taken(source_id, taken, state, RatingStatus.HELD, CAMPAIGN_REASON)
    if state == SourceState.EXCLUDED:
        return Taken(source_id, taken, state, RatingStatus.EXCLUDED, EXCLUDED_REASON)
    if state == SourceState.OPEN and rules.is_held(taken, allowance):
        return Taken(source_id, taken, state, RatingStatus.HELD, ALLOWANCE_REASON)
    return Taken(source_id, taken, state, RatingStatus.COUNTED, "")


def after_rating(cycle: Cycle, taken: Taken) -> None:
    """Once the rating is stored: a source over its allowance is examined for a campaign now and then
    (rating.scoring.sources.due_for_check), and held as a whole when it is one."""
    method = cycle.settings
    if taken.state != SourceState.OPEN or not rules.due_for_check(taken.taken, method):
        return
    source = db.session.get(RatingSource, taken.source_id)
    way = rules.is_campaign(_group_levels(source), _history(source), method)
    if way is not None:
        hold_as_campaign(source, way)


def _group_levels(source: RatingSource) -> dict[int, int]:
    rows = db.session.execute(
        select(Rating.level, func.count())
        .where(Rating.source_id == source.id, Rating.status != RatingStatus.EXCLUDED)
        .group_by(Rating.level)
    )
    return {level: count for level, count in rows}


def _history(source: RatingSource) -> rules.History:
    """The post's counted ratings of the cycle from everywhere but this source."""
    count, level_sum = db.session.execute(
        select(func.count(), func.sum(Rating.level)).where(
            Rating.cycle_id == source.cycle_id,
            Rating.post_id == source.post_id,
            Rating.status == RatingStatus.COUNTED,
            or_(Rating.source_id.is_(None), Rating.source_id != source.id),
        )
    ).one()
    if not count:
        return rules.History()
    return rules.History(count, (level_sum - count) * 25 / count)


def hold_as_campaign(source: RatingSource, way: rules.Direction) -> int:
    """Hold every rating of a source as a campaign (疑似刷评), for the office's review; audited."""
    moved = db.session.execute(
        update(Rating)
        .where(Rating.source_id == source.id, Rating.status.in_((RatingStatus.COUNTED, RatingStatus.HELD)))
        .values(status=RatingStatus.HELD, status_reason=CAMPAIGN_REASON)
        .execution_options(synchronize_session=False)
    ).rowcount
    source.state, source.direction = SourceState.REVIEW, str(way)
    db.session.flush()
    audit.record(
        audit.SYSTEM,
        "source.campaign",
        "rating_source",
        source.id,
        post_id=source.post_id,
        after={"network": source.network, "direction": str(way), "ratings": source.taken, "held": moved},
    )
    return moved


def _group_counts(source: RatingSource) -> dict[str, int]:
    rows = db.session.execute(
        select(Rating.status, func.count()).where(Rating.source_id == source.id).group_by(Rating.status)
    )
    return {str(status): count for status, count in rows}


def review(actor: audit.Actor, source: RatingSource, decision: str, reason: str) -> int:
    """Release (every rating counts) or exclude (none counts) a source's whole group at once, with a reason;
    audited. Returns how many ratings changed."""
    if decision not in ("release", "exclude"):
        raise InvalidInput(_("无效的审核决定。"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写审核理由。"))
    if source.state in (SourceState.RELEASED, SourceState.EXCLUDED):
        raise Conflict(_("该来源已经审核过了。"))
    before = {"state": str(source.state), **_group_counts(source)}
    release = decision == "release"
    status = RatingStatus.COUNTED if release else RatingStatus.EXCLUDED
    which = (RatingStatus.HELD,) if release else (RatingStatus.HELD, RatingStatus.COUNTED)
    note = ("released on review: " if release else "campaign: excluded on review: ") + reason
    changed = db.session.execute(
        update(Rating)
        .where(Rating.source_id == source.id, Rating.status.in_(which))
        .values(status=status, status_reason=note[:500], decided_by=actor.name)
        .execution_options(synchronize_session=False)
    ).rowcount
    source.state = SourceState.RELEASED if release else SourceState.EXCLUDED
    source.reviewed_by, source.reviewed_at, source.review_reason = actor.name, utcnow(), reason[:500]
    db.session.get(Cycle, source.cycle_id).inputs_changed()
    db.session.flush()
    after = {"state": str(source.state), "reason": source.review_reason, **_group_counts(source)}
    audit.record(
        actor, f"source.{decision}", "rating_source", source.id, post_id=source.post_id, before=before, after=after
    )
    return changed


#: A group waits for review while it is held as a campaign, or while it holds ratings beyond its allowance.
_HELD_IN_GROUP = (
    select(func.count(Rating.id))
    .where(Rating.source_id == RatingSource.id, Rating.status == RatingStatus.HELD)
    .correlate(RatingSource)
    .scalar_subquery()
)


def _waiting():
    return or_(
        RatingSource.state == SourceState.REVIEW, and_(RatingSource.state == SourceState.OPEN, _HELD_IN_GROUP > 0)
    )


def awaiting_review(cycle: Cycle, method: MethodSettings) -> list[tuple[str, str, int]]:
    """Groups larger than the office's ``review_block_size`` still waiting for review: (post code, network, size),
    largest first. The final computation is refused while there are any."""
    rows = db.session.execute(
        select(Post.code, RatingSource.network, RatingSource.taken)
        .join(Post, Post.id == RatingSource.post_id)
        .where(RatingSource.cycle_id == cycle.id, RatingSource.taken > method.review_block_size, _waiting())
        .order_by(RatingSource.taken.desc(), Post.code)
    )
    return [tuple(row) for row in rows]


@dataclass(frozen=True)
class Alert:
    """One line of the 刷评 alert list: a group's size, direction, network and time span."""

    source: RatingSource
    size: int
    held: int
    excluded: int
    mean_level: float


def alerts(cycle: Cycle, reviewed: bool = False) -> list[Alert]:
    """The cycle's source groups waiting for review (or, with ``reviewed``, those already decided), largest first."""
    held = func.count(Rating.id).filter(Rating.status == RatingStatus.HELD)
    excluded = func.count(Rating.id).filter(Rating.status == RatingStatus.EXCLUDED)
    condition = RatingSource.state.in_((SourceState.RELEASED, SourceState.EXCLUDED)) if reviewed else _waiting()
    rows = db.session.execute(
        select(RatingSource, func.count(Rating.id), held, excluded, func.avg(Rating.level))
        .join(Rating, Rating.source_id == RatingSource.id)
        .where(RatingSource.cycle_id == cycle.id, condition)
        .group_by(RatingSource.id)
        .order_by(func.count(Rating.id).desc(), RatingSource.id)
    )
    return [
        Alert(source, size, n_held, n_excluded, float(mean or 0)) for source, size, n_held, n_excluded, mean in rows
    ]


def _withheld_rule():
    """The rule under which a rating is not counted (rating.scoring.sources.WithheldRule), in SQL."""
    return case(
        (RatingSource.state.in_((SourceState.REVIEW, SourceState.EXCLUDED)), rules.WithheldRule.CAMPAIGN.value),
        (Rating.status_reason.like("allowance:%"), rules.WithheldRule.ALLOWANCE.value),
        (Rating.status_reason.like("burst:%"), rules.WithheldRule.BURST.value),
        else_=rules.WithheldRule.REVIEW.value,
    )


def withheld_counts(cycle: Cycle) -> dict[tuple[int, int | None], dict[str, dict[str, int]]]:
    """Ratings not counted, per verdict line (post, holder), rule and status: one grouped query, stored with each
    computed line so that the public breakdown shows the counts as they were when computed."""
    rule = _withheld_rule()
    rows = db.session.execute(
        select(Rating.post_id, Rating.holder_id, rule, Rating.status, func.count())
        .outerjoin(RatingSource, RatingSource.id == Rating.source_id)
        .where(Rating.cycle_id == cycle.id, Rating.status.in_((RatingStatus.HELD, RatingStatus.EXCLUDED)))
        .group_by(Rating.post_id, Rating.holder_id, rule, Rating.status)
    )
    counts: dict = {}
    for post_id, holder_id, name, status, n in rows:
        counts.setdefault((post_id, holder_id), {}).setdefault(str(name), {})[str(status)] = n
    return counts


def with_withheld(cycle: Cycle, rows: list[dict]) -> list[dict]:
    """The computed rows, given their withheld counts (None where nothing was withheld)."""
    counts = withheld_counts(cycle)
    for row in rows:
        row["withheld"] = counts.get((row["post_id"], row["holder_id"]))
    return rows
