"""Complaints (投诉举报) and their events, run as the 12345 hotline's closed loop: received → referred →
in progress → concluded, with a deadline in working days, overdue supervision (督办) and a return visit (回访).

The complainant's name and phone are private: only complaint handlers and auditors see them, and a scheduled job
erases them after the retention period, keeping the anonymous record.
"""

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.models.centres import ComplaintCentre
from rating.models.posts import Post
from rating.models.units import Unit
from rating.models.users import Role


class ComplaintChannel(enum.StrEnum):
    PHONE = "phone"  #: 电话
    VISIT = "visit"  #: 来访
    LETTER = "letter"  #: 来信
    ONLINE = "web"  #: 网上


class Category(enum.StrEnum):
    ACCESS = "access"  #: 四难
    ARBITRARY = "arbitrary"  #: 四乱
    INACTION = "inaction"  #: 不作为乱作为
    CONDUCT = "conduct"  #: 作风
    DISCIPLINE = "discipline"  #: 违规违纪


class ComplaintStatus(enum.StrEnum):
    RECEIVED = "received"  #: 已受理
    REFERRED = "referred"  #: 已转办
    IN_PROGRESS = "in_progress"  #: 办理中
    CONCLUDED = "concluded"  #: 已办结


class Finding(enum.StrEnum):
    SUBSTANTIATED = "substantiated"  #: 属实
    PARTLY = "partly"  #: 部分属实
    UNSUBSTANTIATED = "unsubstantiated"  #: 不属实


class Satisfaction(enum.StrEnum):
    """The complainant's answer at the return visit (回访)."""

    SATISFIED = "satisfied"  #: 满意
    BASICALLY = "basically"  #: 基本满意
    DISSATISFIED = "dissatisfied"  #: 不满意


class Extension(enum.StrEnum):
    """The unit's request for more time (延期申请); approved once at most."""

    PENDING = "pending"  #: 待审批
    APPROVED = "approved"  #: 已批准
    REFUSED = "refused"  #: 不予批准


class TextReview(enum.StrEnum):
    """A handler's decision on whether a complaint's text is shown to the public (公开审核)."""

    PUBLISHED = "published"  #: 已公开
    WITHHELD = "withheld"  #: 不公开


class Complaint(Base):
    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public case number, e.g. ``TS2026-00042``.
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    #: SHA-256 of the private query code given to the complainant; the code itself is never stored.
    query_code_hash: Mapped[str] = mapped_column(String(64))
    channel: Mapped[ComplaintChannel] = mapped_column(enum_type(ComplaintChannel, "complaint_channel"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: The centre that works the case: the one serving its unit (rating.services.complaints.centres), set at intake
    #: and moved when the case is referred to a unit of another centre. Empty only on rows older than centres.
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_centres.id", ondelete="RESTRICT"), index=True)
    #: The post's holder when the complaint was made, so a transfer never moves it to another person.
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    category: Mapped[Category] = mapped_column(enum_type(Category, "complaint_category"), index=True)
    text: Mapped[str] = mapped_column(Text)
    #: The text as a handler published it, names and numbers masked; the public never sees ``text`` itself, and
    #: reports in the 违规违纪 area nothing at all (rating.services.complaints.publication).
    public_text: Mapped[str | None] = mapped_column(Text)
    #: Empty until a handler reviews the text; published or withheld after.
    text_review: Mapped[TextReview | None] = mapped_column(enum_type(TextReview, "complaint_text_review"))
    text_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Private contact: complaint handlers and auditors only; erased after the retention period.
    complainant_name: Mapped[str | None] = mapped_column(String(50))
    complainant_phone: Mapped[str | None] = mapped_column(String(30))
    contact_erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[ComplaintStatus] = mapped_column(enum_type(ComplaintStatus, "complaint_status"), index=True)
    #: The centre must refer (or conclude) the case by then: set at intake and when a unit sends it back.
    refer_by: Mapped[date | None] = mapped_column(Date)
    #: Set at referral: the unit must sign for the case (签收) by then.
    sign_by: Mapped[date | None] = mapped_column(Date)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Set at referral: the unit must reply by then (working days); moved once by an approved extension.
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    #: The unit's reason for sending the case back (退单), until the centre refers it again.
    sent_back_reason: Mapped[str | None] = mapped_column(Text)
    extension: Mapped[Extension | None] = mapped_column(enum_type(Extension, "complaint_extension"))
    #: Working days asked for, and why (延期申请).
    extension_days: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    #: Marked by the hourly job when the case's running clock has run out (rating.scoring.case_clocks); the case is
    #: listed for supervision (督办). Cleared when a new clock starts.
    overdue: Mapped[bool] = mapped_column(Boolean, default=False)
    finding: Mapped[Finding | None] = mapped_column(enum_type(Finding, "complaint_finding"))
    reply: Mapped[str] = mapped_column(Text, default="")
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    concluded_on_time: Mapped[bool | None] = mapped_column(Boolean)
    #: The cycle the conclusion counts in (SPEC §3: complaints concluded in the cycle).
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    #: Return visit (回访): satisfied or not; an unsatisfied answer may reopen the case once.
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    #: The answer in three grades (a handler's return call); 基本满意 counts as satisfied above.
    satisfaction: Mapped[Satisfaction | None] = mapped_column(enum_type(Satisfaction, "complaint_satisfaction"))
    #: Reopened once after an unsatisfied return visit; its finding (and cycle) stand until a new conclusion.
    reopened: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"))
    #: Concluded cases imported from other systems carry no workflow.
    imported: Mapped[bool] = mapped_column(Boolean, default=False)
    #: 保密举报: filed through the confidential channel straight to the discipline commission (纪委), who alone sees
    #: and handles it; the complaint centre and the unit never do (rating.services.complaints.reports).
    confidential: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    post: Mapped[Post | None] = relationship()
    unit: Mapped[Unit] = relationship()
    centre: Mapped[ComplaintCentre | None] = relationship()
    events: Mapped[list["ComplaintEvent"]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="save-update"
    )


class ComplaintEvent(Base):
    """Every step of a case: who, when, what."""

    __tablename__ = "complaint_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(String(50))
    #: received, referred, moved (to another centre), signed, sent_back, extension_requested, extension_approved,
    #: extension_refused, progress, concluded, concluded_directly, return_call, satisfaction, reopened, merged,
    #: overdue, erased, publish_text, withhold_text, to_centre
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    #: Shown to the complainant on the tracking page (steps and the reply); internal notes are not.
    public: Mapped[bool] = mapped_column(Boolean, default=True)

    complaint: Mapped[Complaint] = relationship(back_populates="events")


class Notification(Base):
    """In-app notices to a unit's officers or to the complaint centre (overdue reminders, referrals), or to one role
    (a unit's HR office, the efficiency office, the discipline commission) for transfer orders and the ledger."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A unit's staff, or the complaint centre when empty.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"))
    #: Empty for the complaint notices above; else only this role reads it (HR officers of ``unit_id`` only).
    for_role: Mapped[Role | None] = mapped_column(enum_type(Role, "notification_role"))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
