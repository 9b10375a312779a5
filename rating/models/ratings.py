"""Service-object ratings (服务对象评议), one-time rating codes (评价码) and bad-review follow-ups (差评整改).

A rating records the holder at the time; it is never deleted: a suspicious one is held, an improper one
excluded, each with a reason and who decided.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.models.posts import Post


class Channel(enum.StrEnum):
    WEB = "web"  #: 网上
    WINDOW = "window"  #: 窗口 (scanned a rating code)
    HOTLINE = "hotline"  #: 热线
    PAPER = "paper"  #: 问卷


class RatingStatus(enum.StrEnum):
    COUNTED = "counted"  #: 计入
    HELD = "held"  #: 待审核 (beyond a source's allowance, or its source held as a campaign)
    EXCLUDED = "excluded"  #: 不计入 (moderation or upheld appeal)


class FollowUpStatus(enum.StrEnum):
    OPEN = "open"  #: awaiting the unit's rectification
    RECTIFIED = "rectified"  #: the unit recorded what it did
    APPEALED = "appealed"  #: the unit says the rating is mistaken or malicious (申诉复核)
    CLOSED = "closed"  #: the citizen rated the rectification, or the appeal was decided


class RatingCode(Base):
    """A single-use code printed on a QR card and handed out after a service (一次一评)."""

    __tablename__ = "rating_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    batch: Mapped[str] = mapped_column(String(32), index=True)
    created_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post: Mapped[Post] = relationship()


#: The ratings the verdict does not count, as SQL (the condition of the partial index ix_ratings_withheld).
WITHHELD = f"status IN ('{RatingStatus.HELD}', '{RatingStatus.EXCLUDED}')"


class Rating(Base):
    """On PostgreSQL the table is partitioned by cycle (one partition ``ratings_c<cycle id>`` per cycle, made with
    the cycle by rating.services.partitions, and ``ratings_default``; migration 0023): there the primary key is
    (id, cycle_id), and every unique key below ends with cycle_id, as PostgreSQL requires of a partitioned table.
    The unique keys are the same on SQLite, whose table is a plain one with the primary key id."""

    __tablename__ = "ratings"
    __table_args__ = (
        #: Covers the verdict's grouped query (and the public tally), so it reads the index alone. On PostgreSQL,
        #: the extended statistics st_ratings_line (migration 0016) tell the planner how few (post, holder,
        #: verified) groups there are, so that it aggregates the index in parallel.
        Index("ix_ratings_tally", "cycle_id", "status", "post_id", "holder_id", "verified", "level"),
        #: Covers the withheld counts stored with each verdict line (rating.services.sources.withheld_counts), and
        #: holds only the ratings not counted (a few in a hundred), so counted ratings never touch it.
        Index(
            "ix_ratings_withheld",
            "cycle_id",
            "post_id",
            "holder_id",
            "status",
            "source_id",
            "status_reason",
            sqlite_where=text(WITHHELD),
            postgresql_where=text(WITHHELD),
        ),
        #: The back office's moderation queue of held and excluded ratings, newest first (rating.admin.ratings);
        #: partial, so that a counted rating, nearly every rating, never touches it (migration 0021).
        Index(
            "ix_ratings_queue",
            "status",
            "created_at",
            sqlite_where=text(WITHHELD),
            postgresql_where=text(WITHHELD),
        ),
        #: One rating per phone, post and cycle (a phone confirmed by SMS makes a rating verified).
        Index("uq_ratings_phone", "cycle_id", "post_id", "phone_hash", unique=True),
        #: One unverified web rating per device, post and day, held by the database too: two submits of one device
        #: that both read "not rated today" cannot both be stored (migration 0022). Also serves that reading. Cycles
        #: never overlap, so a day lies in one cycle and cycle_id (the partition key, 0023) keeps the rule as it was.
        Index("uq_ratings_device_day", "post_id", "rater_hash", "rated_on", "cycle_id", unique=True),
        #: The receipt number is random (rating.services.ratings.new_receipt: the day and 32⁷ choices), looked up
        #: alone; unique within its cycle, as the partitioned table allows (0023).
        UniqueConstraint("receipt", "cycle_id", name="uq_ratings_receipt"),
        #: A one-time code is spent by one guarded UPDATE before its rating is written (rating.services.ratings);
        #: the database holds it to one rating per cycle, as the partitioned table allows (0023).
        UniqueConstraint("code_id", "cycle_id", name="uq_ratings_code_id"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level_range"),
        CheckConstraint("attitude IS NULL OR attitude BETWEEN 1 AND 5", name="attitude_range"),
        CheckConstraint("efficiency IS NULL OR efficiency BETWEEN 1 AND 5", name="efficiency_range"),
        CheckConstraint("integrity IS NULL OR integrity BETWEEN 1 AND 5", name="integrity_range"),
        CheckConstraint("competence IS NULL OR competence BETWEEN 1 AND 5", name="competence_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Shown to the citizen as the receipt number (回执号).
    receipt: Mapped[str] = mapped_column(String(20))
    #: Indexed by ix_ratings_tally, which leads with it; the partition key on PostgreSQL.
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"))
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    #: 5 非常满意, 4 满意, 3 基本满意, 2 不满意, 1 非常不满意
    level: Mapped[int] = mapped_column(SmallInteger)
    attitude: Mapped[int | None] = mapped_column(SmallInteger)
    efficiency: Mapped[int | None] = mapped_column(SmallInteger)
    integrity: Mapped[int | None] = mapped_column(SmallInteger)
    competence: Mapped[int | None] = mapped_column(SmallInteger)
    #: Phone and ID numbers are masked before the comment is stored; the raw text is never kept.
    comment: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[Channel] = mapped_column(enum_type(Channel, "rating_channel"))
    #: Came with a valid one-time code or a phone confirmed by SMS: weight 1.0 instead of 0.5.
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    code_id: Mapped[int | None] = mapped_column(ForeignKey("rating_codes.id", ondelete="RESTRICT"))
    status: Mapped[RatingStatus] = mapped_column(enum_type(RatingStatus, "rating_status"))
    status_reason: Mapped[str] = mapped_column(String(500), default="")
    decided_by: Mapped[str | None] = mapped_column(String(50))
    #: Salted hash of network + device; private, for the one-rating-a-day rule.
    rater_hash: Mapped[str | None] = mapped_column(String(64))
    #: The day (Asia/Shanghai) of an unverified web rating, for the one-per-device-per-day index; empty otherwise.
    rated_on: Mapped[date | None] = mapped_column(Date)
    #: Hash of the network alone.
    network_hash: Mapped[str | None] = mapped_column(String(64))
    #: The source group an unverified web rating was accounted in (rating.models.sources).
    source_id: Mapped[int | None] = mapped_column(ForeignKey("rating_sources.id", ondelete="RESTRICT"), index=True)
    #: Keyed hash of the phone that verified it by SMS; the number is never kept.
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    #: Who keyed it in, for hotline and paper ratings.
    entered_by: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    post: Mapped[Post] = relationship()


class FollowUp(Base):
    """差评整改: a level 1–2 rating that left a contact; the unit must act before the deadline (working days)."""

    __tablename__ = "follow_ups"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: On PostgreSQL the foreign key is (rating_id, cycle_id), the partitioned ratings' primary key (0023).
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id", ondelete="RESTRICT"), unique=True)
    #: The rating's cycle, copied from it (rating.services.followups.open_follow_up).
    cycle_id: Mapped[int] = mapped_column()
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: Private: seen only by the unit's staff handling the follow-up and by administrators and auditors.
    contact: Mapped[str] = mapped_column(String(100))
    #: The citizen's private key to read the follow-up and rate the rectification.
    citizen_token: Mapped[str] = mapped_column(String(64), unique=True)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[FollowUpStatus] = mapped_column(enum_type(FollowUpStatus, "follow_up_status"), index=True)
    action_taken: Mapped[str] = mapped_column(Text, default="")
    rectified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rectified_by: Mapped[str | None] = mapped_column(String(50))
    #: The citizen's rating of the rectification, 1–5.
    citizen_level: Mapped[int | None] = mapped_column(SmallInteger)
    appeal_kind: Mapped[str | None] = mapped_column(String(20))  #: mistaken / malicious
    appeal_text: Mapped[str] = mapped_column(Text, default="")
    appeal_decision: Mapped[str | None] = mapped_column(String(20))  #: upheld / rejected
    appeal_decided_by: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    rating: Mapped[Rating] = relationship()
    post: Mapped[Post] = relationship()
