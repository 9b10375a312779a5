"""Sealing citizens' audit entries in batches (审计记录封存), as transparency logs do, and verifying the seals.

A citizen's rating or follow-up is appended as a *leaf* (``audit.append``): one INSERT, no shared row, so writers
never queue behind each other. Every minute the scheduler (``rating.jobs.seal_audit_log``, or ``flask audit-seal``)
takes the leaves not yet sealed, in id order, computes their Merkle root (RFC 6962: a leaf node is
SHA-256(0x00 ‖ entry hash), an inner node SHA-256(0x01 ‖ left ‖ right)) and records it in one *chained* entry,
``audit.seal``, whose ``after`` names the batch: ``{"entries", "first", "last", "root"}``. The leaves then point to
that seal (``seal_id``), the only UPDATE the database triggers allow on the log.

A seal is an ordinary link of the chain, so it is chained to the seal before it through every back-office entry in
between, and the chain's head row covers the newest one. Altering a sealed leaf therefore means recomputing its
seal, every later chained entry and the head; what that does and does not protect is written down in
docs/threat-model.md ("The sealed audit log").

Only committed leaves are visible to the sealer: a leaf whose transaction commits after a seal was taken goes into
the next one. A leaf older than the seal before its own (or, unsealed, older than the newest seal) by more than
``LATE_MARGIN`` cannot be explained by a slow transaction and is reported as inserted after sealing.

Unlike most services, ``seal_pending`` commits, one seal at a time, so that a backlog never becomes one long
transaction holding the head row; only the job and the command, which own their sessions, call it.
"""

import hashlib
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select, update
from sqlalchemy.orm import aliased

from rating.extensions import db
from rating.models.audit import AuditEntry, AuditHead
from rating.services import audit
from rating.services.lookups import chunks

SEAL_ACTION = "audit.seal"
#: Leaves per seal: a backlog (the scheduler was down) is sealed in several seals, each its own short transaction.
SEAL_BATCH = 10_000
#: How long a citizen's transaction may take between writing its leaf and committing, with clock drift between
#: the web hosts and the scheduler's: a leaf older than a seal by more than this should have been in it.
LATE_MARGIN = timedelta(minutes=5)
LEAF_COLUMNS = (AuditEntry.id, AuditEntry.seal_id, AuditEntry.prev_hash, AuditEntry.hash) + tuple(
    getattr(AuditEntry, name) for name in audit.HASHED
)


def merkle_root(hashes: list[str]) -> str:
    """The RFC 6962 Merkle tree hash of the entries' hashes (hex), in order. Pairing level by level and carrying an
    odd last node up unchanged builds the same left-balanced tree as the RFC's recursive definition."""
    if not hashes:
        return hashlib.sha256(b"").hexdigest()
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(h)).digest() for h in hashes]
    while len(level) > 1:
        paired = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        level = paired + level[len(paired) * 2 :]
    return level[0].hex()


def seal_next(actor: audit.Actor, limit: int = SEAL_BATCH) -> AuditEntry | None:
    """Seal up to ``limit`` unsealed leaves, oldest first, under one new chained seal; None if none waits.
    Flushes; the caller commits (one seal per transaction keeps each short)."""
    # Two sealers (the scheduler and a hand-run audit-seal) take turns: a no-op write to the head row locks it (and
    # takes SQLite's write lock) before the leaves are read, so the second waits, then finds them sealed.
    db.session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    leaves = db.session.execute(
        select(AuditEntry.id, AuditEntry.hash)
        .where(AuditEntry.seq.is_(None), AuditEntry.seal_id.is_(None))
        .order_by(AuditEntry.id)
        .limit(limit)
    ).all()
    if not leaves:
        return None
    ids = [leaf.id for leaf in leaves]
    after = {"entries": len(ids), "first": ids[0], "last": ids[-1], "root": merkle_root([leaf.hash for leaf in leaves])}
    seal = audit.record(actor, SEAL_ACTION, "audit_log", f"{ids[0]}-{ids[-1]}", after=after)
    sealed = 0
    for part in chunks(ids):
        sealed += db.session.execute(
            update(AuditEntry)
            .where(AuditEntry.id.in_(part), AuditEntry.seal_id.is_(None))
            .values(seal_id=seal.id)
            .execution_options(synchronize_session=False)
        ).rowcount
    if sealed != len(ids):  # another sealer took some of them first: this transaction must not commit
        raise RuntimeError(f"sealing raced with another sealer: {sealed} of {len(ids)} leaves sealed")
    return seal


def seal_pending(actor: audit.Actor, limit: int = SEAL_BATCH) -> int:
    """Seal every leaf waiting, one committed seal per ``limit`` leaves; returns how many were sealed. For the
    scheduler's job and ``flask audit-seal``, which own their transactions."""
    total = 0
    while (seal := seal_next(actor, limit)) is not None:
        total += seal.after["entries"]
        db.session.commit()
    return total


@dataclass(frozen=True)
class Seal:
    """A seal as the chain recorded it."""

    id: int
    seq: int
    at: datetime
    entries: int
    first: int
    last: int
    root: str

    @classmethod
    def of(cls, entry: AuditEntry) -> "Seal":
        after = entry.after if isinstance(entry.after, dict) else {}
        fields = [after.get(name, -1) for name in ("entries", "first", "last")]
        return cls(entry.id, entry.seq, entry.at, *fields, after.get("root", ""))

    def name(self) -> str:
        return f"the seal at entry {self.seq} (entry ids {self.first}–{self.last})"


@dataclass(frozen=True)
class Problem:
    where: str
    reason: str


class SealedLeaves:
    """The leaves' side of ``audit.verify_chain``: each seal's batch checked when the chain walk meets the seal
    (count, first and last id, Merkle root, each leaf's own hash, no leaf later than the seal before), so the first
    break named is the first in the chain's order and memory stays one batch; then the leaves outside any seal."""

    def __init__(self):
        self.previous: Seal | None = None
        self.sealed = self.seals = self.unsealed = 0

    def check_seal(self, entry: AuditEntry) -> Problem | None:
        seal = Seal.of(entry)
        statement = select(*LEAF_COLUMNS).where(AuditEntry.seal_id == seal.id).order_by(AuditEntry.id)
        leaves = db.session.execute(statement).all()
        for leaf in leaves:
            if problem := _leaf_problem(leaf, self.previous):
                return Problem(f"{_leaf_name(leaf)}, sealed at entry {seal.seq}", problem)
        if problem := _batch_problem(seal, leaves):
            return Problem(seal.name(), problem)
        self.previous, self.sealed, self.seals = seal, self.sealed + len(leaves), self.seals + 1
        return None

    def check_rest(self, batch: int = 5000) -> Problem | None:
        """Leaves pointing to something that is no seal of the chain, then the leaves waiting for the sealer: each
        must match its own hash and be younger than the newest seal."""
        seal = aliased(AuditEntry)
        is_seal = exists().where(seal.id == AuditEntry.seal_id, seal.action == SEAL_ACTION, seal.seq.is_not(None))
        stray = db.session.execute(
            select(*LEAF_COLUMNS).where(AuditEntry.seal_id.is_not(None), ~is_seal).order_by(AuditEntry.id).limit(1)
        ).first()
        if stray is not None:
            return Problem(_leaf_name(stray), f"claims seal id {stray.seal_id}, which is no seal (inserted)")
        waiting = select(*LEAF_COLUMNS).where(AuditEntry.seq.is_(None), AuditEntry.seal_id.is_(None))
        with closing(db.session.execute(waiting.order_by(AuditEntry.id)).yield_per(batch)) as rows:
            for leaf in rows:
                if problem := _leaf_problem(leaf, self.previous):
                    return Problem(f"{_leaf_name(leaf)}, not yet sealed", problem)
                self.unsealed += 1
        return None


def _leaf_name(leaf) -> str:
    return f"entry id {leaf.id} ({leaf.action} {leaf.entity} {leaf.entity_id})"


def _leaf_problem(leaf, seal_before: Seal | None) -> str:
    if leaf.seq is not None:
        return "a chained entry cannot be sealed"
    if audit.content_hash(leaf) != leaf.hash:
        return "content does not match its hash (edited)"
    if seal_before is not None and leaf.at < seal_before.at - LATE_MARGIN:
        return f"dated before the seal at entry {seal_before.seq} but not in it (inserted after sealing)"
    return ""


def _batch_problem(seal: Seal, leaves) -> str:
    ids = [leaf.id for leaf in leaves]
    if len(ids) < seal.entries:
        return f"{len(ids)} entries found, {seal.entries} sealed (an entry was deleted)"
    if len(ids) > seal.entries:
        return f"{len(ids)} entries found, {seal.entries} sealed (an entry was inserted)"
    if not ids or (ids[0], ids[-1]) != (seal.first, seal.last):
        return f"entry ids {ids[0] if ids else '-'}–{ids[-1] if ids else '-'} found, {seal.first}–{seal.last} sealed"
    if merkle_root([leaf.hash for leaf in leaves]) != seal.root:
        return "its entries do not match its Merkle root (an entry replaced or edited)"
    return ""
