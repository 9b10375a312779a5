"""Evaluation cycles (评议周期), normally one a year, each carrying its own method settings."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.scoring.method import MethodSettings


class CycleStatus(enum.StrEnum):
    SCHEDULED = "scheduled"  #: created and configured in advance; opened by the scheduler on its start date
    OPEN = "open"  #: taking ratings and records
    CLOSED = "closed"  #: rating intake stopped, awaiting final computation
    COMPUTED = "computed"  #: draft result exists
    NOTICE = "notice"  #: 公示: draft result public, objections open
    PUBLISHED = "published"  #: result published, immutable


class Cycle(Base):
    __tablename__ = "cycles"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="dates_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[CycleStatus] = mapped_column(enum_type(CycleStatus, "cycle_status"), default=CycleStatus.OPEN)
    #: MethodSettings as a dict; frozen (never changed again) once the cycle is computed.
    method: Mapped[dict] = mapped_column(JSON, default=lambda: MethodSettings().to_dict())
    #: Set when a score-feeding record changes after computation: the draft or notice must be recomputed.
    result_stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: 公示: the notice runs from the day it starts to the end of notice_ends_on (local dates).
    notice_starts_on: Mapped[date | None] = mapped_column(Date)
    notice_ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def inputs_changed(self) -> None:
        """A record feeding the verdict changed: a result already computed no longer matches the records, so the
        draft must be recomputed before notice or publication (or a correction published)."""
        if self.status in (CycleStatus.COMPUTED, CycleStatus.NOTICE, CycleStatus.PUBLISHED):
            self.result_stale = True

    @property
    def settings(self) -> MethodSettings:
        return MethodSettings.from_dict(self.method)

    @property
    def method_frozen(self) -> bool:
        return self.status not in (CycleStatus.SCHEDULED, CycleStatus.OPEN, CycleStatus.CLOSED)

    @property
    def takes_entries(self) -> bool:
        """Officials' entries and imports are taken freely until the result goes to public notice (SPEC §7)."""
        return self.status in (CycleStatus.OPEN, CycleStatus.CLOSED, CycleStatus.COMPUTED)

    def __repr__(self) -> str:
        return f"<Cycle {self.year} {self.status}>"
