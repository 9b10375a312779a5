"""Who held a post on a day (任职), for attributing every record to a person: a rating on its day, a finding on its
date, a complaint on the day it was made. Called by the services that write those records and by transfers,
which move the records dated from the transfer on to the new holder.

The rule itself (which tenure covers a day) is rating.scoring.tenure; this module reads tenures and writes holders.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

from sqlalchemy import and_, or_, select, update

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.models.assessments import InspectionFinding
from rating.models.complaints import Complaint
from rating.models.cycles import Cycle
from rating.models.posts import Holder, Tenure
from rating.models.ratings import Rating
from rating.scoring import tenure
from rating.services.lookups import chunks

Span = tuple[date | None, date | None, int]  #: (started_on, ended_on, holder id)


def local_day(when: datetime | date | None) -> date:
    """The Asia/Shanghai date of a moment (today without one)."""
    if when is None:
        return local_today()
    if isinstance(when, datetime):
        return when.astimezone(LOCAL_TZ).date()
    return when


def local_midnight(day: date) -> datetime:
    """The UTC moment a local day begins."""
    return datetime.combine(day, time(), LOCAL_TZ).astimezone(UTC)


class Holders:
    """The tenures of some posts, read once, answering who was in post on a day (imports attribute many rows)."""

    def __init__(self, post_ids: Iterable[int | None]):
        self.spans: dict[int, list[Span]] = {}
        for ids in chunks(post_id for post_id in post_ids if post_id is not None):
            rows = db.session.execute(
                select(Tenure.post_id, Tenure.started_on, Tenure.ended_on, Tenure.holder_id).where(
                    Tenure.post_id.in_(ids)
                )
            )
            for post_id, started_on, ended_on, holder_id in rows:
                self.spans.setdefault(post_id, []).append((started_on, ended_on, holder_id))

    def on(self, post_id: int | None, when: datetime | date | None = None) -> int | None:
        if post_id is None:
            return None
        return tenure.holder_on(self.spans.get(post_id, ()), local_day(when))

    def for_cycle(self, post_id: int, cycle: Cycle) -> int | None:
        """Whose is an entry for the cycle that names no holder: the holder at the cycle's end, or today's while
        the cycle runs."""
        return self.on(post_id, min(local_today(), cycle.ends_on))


def holder_on(post_id: int | None, when: datetime | date | None = None) -> int | None:
    """The holder in post on the day of ``when`` (today without it), or None."""
    return Holders([post_id]).on(post_id, when)


def holders_in_cycle(post_ids: Iterable[int], cycle: Cycle) -> dict[int, dict[str, int]]:
    """For each post, the holders whose tenure overlaps the cycle, by name (the ``holder`` column of imports)."""
    found: dict[int, dict[str, int]] = {}
    for ids in chunks(post_ids):
        rows = db.session.execute(
            select(Tenure.post_id, Holder.name, Tenure.holder_id)
            .join(Holder, Holder.id == Tenure.holder_id)
            .where(
                Tenure.post_id.in_(ids),
                or_(Tenure.started_on.is_(None), Tenure.started_on <= cycle.ends_on),
                or_(Tenure.ended_on.is_(None), Tenure.ended_on >= cycle.starts_on),
            )
            .order_by(Tenure.post_id, Tenure.started_on.nulls_first())
        )
        for post_id, name, holder_id in rows:
            found.setdefault(post_id, {})[name] = holder_id
    return found


def reattribute(post_id: int, holder_id: int, since: date) -> None:
    """After a transfer effective ``since``: the post's ratings, complaints and findings dated from that day on
    count for the new holder (assessments and scores name their person and stay as entered)."""
    start = local_midnight(since)
    for model, dated in (
        (Rating, Rating.created_at >= start),
        (Complaint, Complaint.created_at >= start),
        (InspectionFinding, InspectionFinding.found_on >= since),
    ):
        db.session.execute(
            update(model)
            .where(and_(model.post_id == post_id, dated))
            .values(holder_id=holder_id)
            .execution_options(synchronize_session=False)
        )
