"""The append-only audit log (审计日志) and the head of its hash chain.

Every change to anything that feeds a score or a verdict writes one entry: who, when, what, before, after. Each
entry carries the hash of the one before it, so an edited or deleted entry breaks the chain and
``flask --app rating audit-verify`` names the first broken one. Database triggers refuse UPDATE and DELETE.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from rating.models.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Position in the chain, 1, 2, 3… without gaps: a gap means a deleted entry.
    seq: Mapped[int] = mapped_column(Integer, unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    #: Username, or ``cli`` for commands, ``scheduler`` for the verdict jobs and ``system`` for other automatic steps.
    actor: Mapped[str] = mapped_column(String(50), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: What happened, as ``area.verb`` (``post.create``, ``holder.change``, ``user.create``…).
    action: Mapped[str] = mapped_column(String(50), index=True)
    entity: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(50))
    #: The post concerned, if any, so the log can be filtered by post.
    post_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """A single row holding the chain's last position and hash.

    Appending updates this row first, which takes a row lock (PostgreSQL) or the write lock (SQLite), so two
    writers can never both chain onto the same entry; and deleting the newest entry is caught because the head
    still names it.
    """

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default=GENESIS_HASH)
