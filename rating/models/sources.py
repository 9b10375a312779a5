"""Where unverified ratings come from (评价来源): each source's counter row per post and cycle, the service halls
(办事大厅) the office registers, and one-time SMS codes for phone-verified ratings (短信验证).

A source's row is also its accounting: the rating path bumps ``taken`` with one atomic upsert, so the allowance is
exact however many citizens press the button at once (rating.services.sources). Nothing here holds an address or a
phone number: a source keeps its network prefix (/24 or /64) and a salted hash; a phone is kept as a keyed hash.
"""

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.models.posts import Post
from rating.models.units import Unit


class SourceState(enum.StrEnum):
    OPEN = "open"  #: counted up to the allowance, the rest held
    REVIEW = "review"  #: 疑似刷评: held as a whole, awaiting the office's review
    RELEASED = "released"  #: reviewed: every rating of the group counts
    EXCLUDED = "excluded"  #: reviewed: no rating of the group counts


class ServiceHall(Base):
    """A service hall's network (办事大厅): many honest citizens share its Wi-Fi, so there the allowance is per
    device, post and day instead of per network and cycle."""

    __tablename__ = "service_halls"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: The source prefix it covers, as rating.scoring.sources.network_prefix writes it (``203.0.113.0/24``).
    prefix: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()


class RatingSource(Base):
    """One source's unverified ratings of one post in one cycle (a service-hall device: on one day): the counter the
    allowance is taken from, and the group a review releases or excludes at once."""

    __tablename__ = "rating_sources"
    __table_args__ = (UniqueConstraint("cycle_id", "post_id", "source_key", name="uq_rating_sources_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    #: Salted hash of the prefix (and, in a hall, of the device and the day): private.
    source_key: Mapped[str] = mapped_column(String(64))
    #: The network prefix, shown to administrators and auditors in the 刷评 alert list, never in public.
    network: Mapped[str] = mapped_column(String(64))
    hall_id: Mapped[int | None] = mapped_column(ForeignKey("service_halls.id", ondelete="RESTRICT"))
    #: A hall device's group is one local day.
    day: Mapped[date | None] = mapped_column(Date)
    #: Ratings taken from this source, held ones included (the n-th is held once n exceeds the allowance).
    taken: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[SourceState] = mapped_column(enum_type(SourceState, "source_state"), index=True)
    #: up / down when judged a campaign (rating.scoring.sources.Direction).
    direction: Mapped[str | None] = mapped_column(String(10))
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(50))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_reason: Mapped[str] = mapped_column(String(500), default="")

    post: Mapped[Post] = relationship()
    hall: Mapped[ServiceHall | None] = relationship()


class PhoneChallenge(Base):
    """A one-time SMS code sent to a citizen's phone to verify one rating of one post (短信验证码)."""

    __tablename__ = "phone_challenges"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    #: Keyed hash (HMAC) of the phone number; the number itself is never stored.
    phone_hash: Mapped[str] = mapped_column(String(64), index=True)
    #: Keyed hash of the code sent.
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
