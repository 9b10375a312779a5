"""Results of the verdict (评议结果): result sets and their per-post rows, and objections lodged during notice.

A result set is written whole in one transaction and never changed afterwards:
- ``provisional``: the hourly standings of an open cycle, for administrators only (the previous one is replaced);
- ``draft``: a final computation of a closed cycle; the newest one is what the public notice (公示) shows;
- ``published``: an immutable snapshot with a content hash; a correction is a new version with its reason, and
  older versions stay readable. The database itself refuses to change or delete published rows.
"""

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, StrEnumText, UTCDateTime, enum_type, utcnow
from rating.models.cycles import Cycle
from rating.scoring.verdict import Rule, Title


class ResultKind(enum.StrEnum):
    PROVISIONAL = "provisional"  #: 实时排名 (administrators only)
    DRAFT = "draft"  #: 计算结果 (shown in public notice)
    PUBLISHED = "published"  #: 正式公布


class ResultSet(Base):
    __tablename__ = "result_sets"
    __table_args__ = (UniqueConstraint("cycle_id", "kind", "version", name="uq_result_sets_cycle_kind_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ResultKind] = mapped_column(enum_type(ResultKind, "result_kind"))
    #: 1, 2, … per cycle and kind: a published correction is version 2 and so on.
    version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by: Mapped[str] = mapped_column(String(50))
    #: The cycle's MethodSettings as they were used (frozen into the result).
    method: Mapped[dict] = mapped_column(JSON)
    #: μ, the weighted mean service value of the cycle's counted ratings.
    mean: Mapped[float] = mapped_column(Float)
    ranked: Mapped[int] = mapped_column(Integer)
    #: Provisional only: [{"post_code": ..., "missing": ["assessment", "inspection"]}, ...]
    missing: Mapped[list] = mapped_column(JSON, default=list)
    #: sha256 of the canonical JSON document (see rating.services.verdict.export.canonical_hash).
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Why this version was published (a correction's reason); empty for the first publication.
    reason: Mapped[str] = mapped_column(Text, default="")
    #: For a published set: the draft it was published from, if any.
    source_id: Mapped[int | None] = mapped_column(ForeignKey("result_sets.id", ondelete="RESTRICT"))

    cycle: Mapped[Cycle] = relationship()
    rows: Mapped[list["Result"]] = relationship(
        back_populates="result_set", order_by="Result.position", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:
        return f"<ResultSet {self.cycle_id} {self.kind} v{self.version}>"


class Result(Base):
    """One post's line in a result set: everything needed to explain its composite, rank and title."""

    __tablename__ = "results"
    __table_args__ = (
        UniqueConstraint("result_set_id", "post_id", "holder_id", name="uq_results_set_post_holder"),
        Index("ix_results_post_code", "post_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_set_id: Mapped[int] = mapped_column(ForeignKey("result_sets.id", ondelete="CASCADE"), index=True)
    #: Order in the set: the rank for ranked posts; provisional posts with a missing component come last.
    position: Mapped[int] = mapped_column(Integer)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    # What the public saw at the time, copied so that a later rename never changes a published snapshot.
    post_code: Mapped[str] = mapped_column(String(20))
    post_title: Mapped[str] = mapped_column(String(100))
    unit_code: Mapped[str] = mapped_column(String(20))
    unit_name: Mapped[str] = mapped_column(String(100))
    holder_name: Mapped[str] = mapped_column(String(50), default="")
    #: A line is one post and holder; only a holder in post for min_tenure_days of the cycle is ranked.
    ranked: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    #: Days of the cycle the holder was in post (empty on lines computed before tenures were counted).
    tenure_days: Mapped[int | None] = mapped_column(Integer)
    # The four components, composite and rank; None only in provisional standings with a missing component.
    service: Mapped[float] = mapped_column(Float)
    assessment: Mapped[float | None] = mapped_column(Float)
    conduct: Mapped[float] = mapped_column(Float)
    inspection: Mapped[float | None] = mapped_column(Float)
    composite: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    title: Mapped[Title | None] = mapped_column(StrEnumText(Title, 20))  #: benchmark / excellent / warning
    #: The rule that gave the title (rating.scoring.verdict.Rule).
    rule: Mapped[Rule] = mapped_column(StrEnumText(Rule, 30))
    eligible: Mapped[bool] = mapped_column(Boolean)
    # The inputs, so that every figure can be explained and re-derived.
    ratings: Mapped[int] = mapped_column(Integer)  #: counted ratings
    verified_ratings: Mapped[int] = mapped_column(Integer)
    rating_weight: Mapped[float] = mapped_column(Float)  #: Σw
    rating_value_sum: Mapped[float] = mapped_column(Float)  #: Σw·v
    #: Standard deviation of v over the post's counted ratings, for the confidence band of S.
    rating_spread: Mapped[float] = mapped_column(Float, default=0)
    grade: Mapped[str | None] = mapped_column(String(30))
    inspection_deductions: Mapped[float] = mapped_column(Float, default=0)
    complaints_substantiated: Mapped[int] = mapped_column(Integer, default=0)
    complaints_partly: Mapped[int] = mapped_column(Integer, default=0)
    #: Of the complaints counted above, those reopened after an unsatisfied return visit when the line was computed:
    #: their findings stand until a new conclusion replaces them (issue 14). Not hashed.
    complaints_reopened: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    discipline_veto: Mapped[bool] = mapped_column(Boolean, default=False)
    inspection_rounds: Mapped[int] = mapped_column(Integer, default=0)
    #: Ratings of the line not counted when it was computed, by rule and status (rating.scoring.sources.WithheldRule):
    #: ``{"allowance": {"held": 3}, "campaign": {"excluded": 40}}``; counts only, never who. Not hashed.
    withheld: Mapped[dict | None] = mapped_column(JSON)

    result_set: Mapped[ResultSet] = relationship(back_populates="rows")


class ObjectionKind(enum.StrEnum):
    OBJECTION = "objection"  #: 异议 (anyone)
    REPLY = "reply"  #: 申辩 (the warned holder)


class Objection(Base):
    """An objection lodged during the notice period, or a warned holder's reply; the office answers every one."""

    __tablename__ = "objections"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[ObjectionKind] = mapped_column(enum_type(ObjectionKind, "objection_kind"))
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"))
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"))
    #: Personal numbers are masked before storing; shown publicly only with its answer.
    text: Mapped[str] = mapped_column(Text)
    #: Private: for the office to call back; never on a public page.
    contact: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by: Mapped[str | None] = mapped_column(String(50))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    post = relationship("Post")
