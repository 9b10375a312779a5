"""The officials' components of the verdict: annual assessments (年度考核), inspection findings (明查暗访) and
comprehensive-inspection scores (综合检查评议). Each records the post's holder at the time of the record, so a
transfer never moves a verdict from one person to another. Revisions are kept in the audit log."""

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Holder, Post
from rating.models.units import Unit


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"  #: 优秀
    COMPETENT = "competent"  #: 称职
    BASICALLY_COMPETENT = "basically_competent"  #: 基本称职
    INCOMPETENT = "incompetent"  #: 不称职


class InspectionKind(enum.StrEnum):
    OPEN = "open"  #: 明查
    UNDERCOVER = "undercover"  #: 暗访


class Assessment(Base):
    """One post's annual assessment in one cycle: a grade, or a score 0–100 used as is."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("cycle_id", "post_id", "holder_id", name="uq_assessments_cycle_post_holder"),
        CheckConstraint("(grade IS NULL) <> (score IS NULL)", name="grade_or_score"),
        CheckConstraint("score IS NULL OR (score >= 0 AND score <= 100)", name="score_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    #: The person assessed: a post that changed hands has one assessment per holder.
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    grade: Mapped[Grade | None] = mapped_column(enum_type(Grade, "assessment_grade"))
    score: Mapped[float | None] = mapped_column(Float)
    entered_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    post: Mapped[Post] = relationship()
    holder: Mapped[Holder | None] = relationship()


class InspectionFinding(Base):
    """A problem found in an open or undercover inspection, with its deduction from the post's conduct score."""

    __tablename__ = "inspection_findings"
    __table_args__ = (CheckConstraint("deduction >= 0 AND deduction <= 100", name="deduction_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    #: The post concerned; empty for a finding about a whole unit (it then deducts from no post).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    found_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[InspectionKind] = mapped_column(enum_type(InspectionKind, "inspection_kind"))
    description: Mapped[str] = mapped_column(Text)
    #: Key of the cycle's standard deduction table, or empty for a free amount.
    deduction_code: Mapped[str | None] = mapped_column(String(50))
    deduction: Mapped[float] = mapped_column(Float, default=0)
    #: Publicly notified (通报) on the notices page.
    notified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Withdrawn findings are kept but count for nothing (never deleted).
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    recorded_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    cycle: Mapped[Cycle] = relationship()
    post: Mapped[Post | None] = relationship()
    unit: Mapped[Unit] = relationship()
    holder: Mapped[Holder | None] = relationship()


class InspectionScore(Base):
    """A comprehensive-inspection score (综合检查评议) for one post in one round; component I is their mean."""

    __tablename__ = "inspection_scores"
    __table_args__ = (
        UniqueConstraint(
            "cycle_id", "post_id", "holder_id", "round", name="uq_inspection_scores_cycle_post_holder_round"
        ),
        CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        CheckConstraint("round >= 1", name="round_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    round: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    entered_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    post: Mapped[Post] = relationship()
