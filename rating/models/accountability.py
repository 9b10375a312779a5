"""The follow-through of the verdict: transfer orders (调离令) for warned holders, and the accountability ledger
(责任追究台账) of measures taken for substantiated complaints, publicly notified findings, warnings, and the yellow
cards and two-years-last flags of a published department ranking.

A transfer order is opened when a result naming a warned line is published and ends when HR records the transfer;
a ledger entry is opened for each source (rating.services.ledger has the one rule of what deserves one) and
closed by the office or the discipline commission (纪委) once a measure is recorded. Evidence files are kept in
the database, never under static/, and served only to those two roles.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.models.complaints import Complaint
from rating.models.cycles import Cycle
from rating.models.posts import Holder, Post
from rating.models.rankings import DepartmentResult
from rating.models.units import Unit


class TransferStatus(enum.StrEnum):
    OPEN = "open"  #: 待调离
    DONE = "done"  #: 已调离


class TransferOrder(Base):
    """调离令: a warned holder is to leave the post within the method's ``transfer_due_days`` working days."""

    __tablename__ = "transfer_orders"
    __table_args__ = (
        UniqueConstraint("cycle_id", "post_id", "holder_id", name="uq_transfer_orders_cycle_post_holder"),
        CheckConstraint("status <> 'done' OR transferred_on IS NOT NULL", name="done_has_date"),
        CheckConstraint("due_on >= published_on", name="due_after_publication"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    #: The warned holder (the person, not the post: a later holder is not transferred).
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    #: The unit whose HR office (人事科) carries the order out.
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: The published set (first version or a correction) whose warning opened the order.
    result_set_id: Mapped[int] = mapped_column(ForeignKey("result_sets.id", ondelete="RESTRICT"))
    published_on: Mapped[date] = mapped_column(Date)
    #: ``transfer_due_days`` working days after publication (Chinese holidays skipped).
    due_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[TransferStatus] = mapped_column(
        enum_type(TransferStatus, "transfer_status"), default=TransferStatus.OPEN, index=True
    )
    #: Set once by the scheduler when the due date passes (督办); HR and the office are reminded then.
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: When the reminder before the due date was sent (once).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    transferred_on: Mapped[date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    recorded_by: Mapped[str | None] = mapped_column(String(50))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[Cycle] = relationship()
    post: Mapped[Post] = relationship()
    holder: Mapped[Holder] = relationship(foreign_keys=[holder_id])
    successor: Mapped[Holder | None] = relationship(foreign_keys=[successor_id])
    unit: Mapped[Unit] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == TransferStatus.OPEN


class LedgerSource(enum.StrEnum):
    COMPLAINT = "complaint"  #: 投诉查证属实
    FINDING = "finding"  #: 明查暗访通报
    WARNING = "warning"  #: 评议行政告诫
    YELLOW_CARD = "yellow_card"  #: 部门综合考核黄牌警告 (通报批评)
    HEAD_TO_RESIGN = "head_to_resign"  #: 部门综合考核连续两年末位 (主要负责人引咎辞职)


#: The sources that hang on a line of a published department ranking (rating.models.rankings.DepartmentResult).
DEPARTMENT_SOURCES = (LedgerSource.YELLOW_CARD, LedgerSource.HEAD_TO_RESIGN)


class Measure(enum.StrEnum):
    CRITICISM = "criticism"  #: 通报批评
    ADMONITION = "admonition"  #: 诫勉谈话
    WARNING = "warning"  #: 行政告诫
    TRANSFER = "transfer"  #: 调离
    REMOVAL = "removal"  #: 免职
    RESIGNATION = "resignation"  #: 责令辞职
    REFERRAL = "referral"  #: 移送纪检监察机关
    NONE = "none"  #: 不予追究 (with a reason)


class EntryStatus(enum.StrEnum):
    OPEN = "open"  #: 待处理
    CLOSED = "closed"  #: 已办结


class LedgerEntry(Base):
    """One matter in the accountability ledger (责任追究台账) and the measure taken for it."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("(source = 'complaint') = (complaint_id IS NOT NULL)", name="complaint_source"),
        CheckConstraint("(source = 'finding') = (finding_id IS NOT NULL)", name="finding_source"),
        CheckConstraint("(source = 'warning') = (transfer_order_id IS NOT NULL)", name="warning_source"),
        CheckConstraint(
            "(source IN ('yellow_card', 'head_to_resign')) = (department_result_id IS NOT NULL)",
            name="department_source",
        ),
        #: One entry per outcome of a line (a unit both last twice and without its targets has two matters).
        UniqueConstraint("department_result_id", "source", name="uq_ledger_entries_department_result_source"),
        CheckConstraint("status <> 'closed' OR measure IS NOT NULL", name="closed_has_measure"),
        CheckConstraint("public = false OR status = 'closed'", name="public_when_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[LedgerSource] = mapped_column(enum_type(LedgerSource, "ledger_source"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id", ondelete="RESTRICT"), unique=True)
    finding_id: Mapped[int | None] = mapped_column(
        ForeignKey("inspection_findings.id", ondelete="RESTRICT"), unique=True
    )
    #: A warning's entry hangs on its transfer order (one per warned line).
    transfer_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("transfer_orders.id", ondelete="RESTRICT"), unique=True
    )
    #: A yellow card's or the two-years flag's entry hangs on the unit's line in the published department ranking
    #: that first gave it (a later published version of the same cycle opens no second entry).
    department_result_id: Mapped[int | None] = mapped_column(ForeignKey("department_results.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"))
    #: The person concerned (the holder at the time of the source), when the source names a post.
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    #: The matter in a line, e.g. "投诉 TS2026-00042 查证属实(作风)"; internal: the public sees the notice text.
    summary: Mapped[str] = mapped_column(String(300))
    status: Mapped[EntryStatus] = mapped_column(
        enum_type(EntryStatus, "ledger_status"), default=EntryStatus.OPEN, index=True
    )
    measure: Mapped[Measure | None] = mapped_column(enum_type(Measure, "ledger_measure"))
    #: The measure's details, or why none was taken.
    measure_note: Mapped[str] = mapped_column(Text, default="")
    #: Who decided the measure (a body or an official, e.g. 市纪委常委会), and when.
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_on: Mapped[date | None] = mapped_column(Date)
    #: 整改期限: open entries past it are reminded by the scheduler.
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    overdue: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    recorded_by: Mapped[str | None] = mapped_column(String(50))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(50))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Listed on the public accountability notices (通报) page; only the office sets it, only once closed.
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: The person's name is shown publicly only where the measure itself was published.
    name_published: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: What the public notice says of the matter (no complainant, no private detail).
    notice_text: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    post: Mapped[Post | None] = relationship()
    holder: Mapped[Holder | None] = relationship()
    complaint: Mapped[Complaint | None] = relationship()
    department_result: Mapped[DepartmentResult | None] = relationship()
    evidence: Mapped[list["LedgerEvidence"]] = relationship(
        back_populates="entry", order_by="LedgerEvidence.id", cascade="save-update"
    )

    @property
    def is_open(self) -> bool:
        return self.status == EntryStatus.OPEN

    @property
    def person(self) -> str | None:
        """Who the matter names: the holder of the post, or for two years last the unit's head (主要负责人) as the
        ranking recorded them; a yellow card is the unit's and names nobody."""
        if self.holder is not None:
            return self.holder.name
        if self.source == LedgerSource.HEAD_TO_RESIGN and self.department_result is not None:
            return self.department_result.head or None
        return None


class LedgerEvidence(Base):
    """A file evidencing the measure or its rectification (整改材料), kept privately in the database."""

    __tablename__ = "ledger_evidence"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("ledger_entries.id", ondelete="RESTRICT"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: Decided from the file's first bytes, not from what the browser claimed.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: Loaded only when the file is downloaded.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[str] = mapped_column(String(50))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    entry: Mapped[LedgerEntry] = relationship(back_populates="evidence")
