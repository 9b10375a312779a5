"""The scheduler's lease (one runner however many processes) and its run log."""

import enum
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rating.models.base import Base, UTCDateTime, enum_type, utcnow


class SchedulerLease(Base):
    """One row per lease name; a scheduler runs jobs only while it holds an unexpired lease."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RunOutcome(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    BLOCKED = "blocked"  #: ran but could not finish its work (e.g. a component is missing); retried next time
    ERROR = "error"
    DIED = "died"  #: its process ended while running; found by the next scheduler


class JobRun(Base):
    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50), index=True)
    runner: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[RunOutcome] = mapped_column(enum_type(RunOutcome, "run_outcome"), default=RunOutcome.RUNNING)
    detail: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str] = mapped_column(Text, default="")
