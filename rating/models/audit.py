"""The append-only audit log (审计日志) and the head of its hash chain.

Every change to anything that feeds a score or a verdict writes one entry: who, when, what, before, after. A
back-office entry is *chained*: it carries its position and the hash of the one before it, so an edited or deleted
entry breaks the chain. A citizen's entry (a rating, a follow-up) is a *leaf*: written without touching the shared
head, then sealed in a batch by a chained ``audit.seal`` entry holding the batch's Merkle root
(``rating.services.audit_seals``). ``flask --app rating audit-verify`` names the first broken entry or batch.
Database triggers refuse DELETE, and every UPDATE but a leaf's sealing (``seal_id`` from NULL to a seal).
"""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from rating.models.base import Base, UTCDateTime

GENESIS_HASH = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"

    __table_args__ = (
        #: A chained entry has a position and a predecessor and is never sealed; a leaf has neither.
        CheckConstraint(
            "(seq IS NULL AND prev_hash IS NULL) OR (seq IS NOT NULL AND prev_hash IS NOT NULL AND seal_id IS NULL)",
            name="chained_or_leaf",
        ),
        #: What the sealer looks for: leaves not yet sealed, oldest first.
        Index(
            "ix_audit_log_unsealed",
            "id",
            sqlite_where=text("seq IS NULL AND seal_id IS NULL"),
            postgresql_where=text("seq IS NULL AND seal_id IS NULL"),
        ),
        #: What the verifier reads: each seal's leaves in order.
        Index("ix_audit_log_seal_id", "seal_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Position in the chain, 1, 2, 3… without gaps: a gap means a deleted entry. None for a leaf.
    seq: Mapped[int | None] = mapped_column(Integer, unique=True)
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
    #: The hash of the chained entry before this one; None for a leaf.
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    #: A chained entry's hash covers its content and ``prev_hash``; a leaf's, its content alone.
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: The ``audit.seal`` entry whose Merkle root covers this leaf; None until the sealer's next run.
    seal_id: Mapped[int | None] = mapped_column(ForeignKey("audit_log.id", ondelete="RESTRICT"))

    @property
    def is_leaf(self) -> bool:
        return self.seq is None


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
