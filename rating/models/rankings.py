"""The rankings beside the post verdict (SPEC §6): the units' scores of a cycle (部门考核分数), and the department
(部门综合考核排名) and grassroots-station (人民满意基层站所) rankings as written.

A ranking set is written whole and never changed, like a result set (rating.models.results): a ``draft`` per
computation, shown to the public while the cycle is in notice, and ``published`` copies made when the cycle's verdict
is published (or later, with a reason). The database refuses to change a row or delete a published one.
"""

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.models.cycles import Cycle
from rating.models.results import ResultKind
from rating.models.units import Unit


class Ranking(enum.StrEnum):
    DEPARTMENTS = "departments"  #: 部门综合考核排名
    STATIONS = "stations"  #: 人民满意基层站所满意率排名


class UnitScore(Base):
    """One unit's assessment scores in a cycle, entered by the office (grid or ``import-unit-scores``)."""

    __tablename__ = "unit_scores"
    __table_args__ = (
        UniqueConstraint("cycle_id", "unit_id", name="uq_unit_scores_cycle_unit"),
        CheckConstraint("targets BETWEEN 0 AND 100", name="targets_range"),
        CheckConstraint("responsibility BETWEEN 0 AND 100", name="responsibility_range"),
        CheckConstraint("conduct IS NULL OR conduct BETWEEN 0 AND 100", name="conduct_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    targets: Mapped[float] = mapped_column(Float)  #: 年度工作目标考核
    responsibility: Mapped[float] = mapped_column(Float)  #: 效能建设责任制考核
    #: 政风行风评议; empty: derived from the platform when the ranking is computed.
    conduct: Mapped[float | None] = mapped_column(Float)
    #: 完成年度目标任务; empty: targets ≥ the method's targets_met_score.
    targets_met: Mapped[bool | None] = mapped_column(Boolean)
    entered_by: Mapped[str] = mapped_column(String(50))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()


class RankingSet(Base):
    __tablename__ = "ranking_sets"
    __table_args__ = (
        UniqueConstraint("cycle_id", "ranking", "kind", "version", name="uq_ranking_sets_cycle_ranking_kind_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycles.id", ondelete="RESTRICT"), index=True)
    ranking: Mapped[Ranking] = mapped_column(enum_type(Ranking, "ranking"))
    kind: Mapped[ResultKind] = mapped_column(enum_type(ResultKind, "ranking_kind"))
    version: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by: Mapped[str] = mapped_column(String(50))
    #: The cycle's MethodSettings as used (frozen into the ranking).
    method: Mapped[dict] = mapped_column(JSON)
    ranked: Mapped[int] = mapped_column(Integer)
    #: sha256 of the canonical JSON document (rating.services.verdict.export.canonical_hash).
    content_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: For a published set: the draft it was published from.
    source_id: Mapped[int | None] = mapped_column(ForeignKey("ranking_sets.id", ondelete="RESTRICT"))

    cycle: Mapped[Cycle] = relationship()
    departments: Mapped[list["DepartmentResult"]] = relationship(
        order_by="DepartmentResult.position", cascade="all, delete-orphan", passive_deletes=True
    )
    stations: Mapped[list["StationResult"]] = relationship(
        order_by="StationResult.position", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def rows(self) -> list:
        return self.departments if self.ranking == Ranking.DEPARTMENTS else self.stations


class DepartmentResult(Base):
    """One unit's line in a department ranking: its scores, composite, rank in its group and outcomes."""

    __tablename__ = "department_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    ranking_set_id: Mapped[int] = mapped_column(ForeignKey("ranking_sets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    group: Mapped[str] = mapped_column(String(20))  #: the unit's kind
    rank: Mapped[int | None] = mapped_column(Integer)  #: within the group; None: missing conduct
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    # Copied so that a later rename never changes a published ranking.
    unit_code: Mapped[str] = mapped_column(String(20))
    unit_name: Mapped[str] = mapped_column(String(100))
    head: Mapped[str] = mapped_column(String(50), default="")  #: 主要负责人 at the time
    targets: Mapped[float] = mapped_column(Float)
    responsibility: Mapped[float] = mapped_column(Float)
    conduct: Mapped[float | None] = mapped_column(Float)
    #: Where conduct came from: entered, posts (mean verdict composite), station (satisfaction × 100), missing.
    conduct_source: Mapped[str] = mapped_column(String(10))
    composite: Mapped[float | None] = mapped_column(Float)
    targets_met: Mapped[bool] = mapped_column(Boolean)
    commended: Mapped[bool] = mapped_column(Boolean)
    yellow_card: Mapped[bool] = mapped_column(Boolean)
    last: Mapped[bool] = mapped_column(Boolean)
    head_to_resign: Mapped[bool] = mapped_column(Boolean)


class StationResult(Base):
    """One station's line in a satisfaction ranking."""

    __tablename__ = "station_results"

    id: Mapped[int] = mapped_column(primary_key=True)
    ranking_set_id: Mapped[int] = mapped_column(ForeignKey("ranking_sets.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    unit_code: Mapped[str] = mapped_column(String(20))
    unit_name: Mapped[str] = mapped_column(String(100))
    ratings: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    rate: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)  #: 95 % Wilson interval
    high: Mapped[float] = mapped_column(Float)
    ranked: Mapped[bool] = mapped_column(Boolean)
    named_lowest: Mapped[bool] = mapped_column(Boolean)
