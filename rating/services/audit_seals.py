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
"""

import hashlib
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from itertools import groupby

from sqlalchemy import select, update

from rating.extensions import db
from rating.models.audit import AuditEntry
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
        after = entry.after or {}
        return cls(
            entry.id,
            entry.seq,
            entry.at,
            after.get("entries", -1),
            after.get("first", -1),
            after.get("last", -1),
            after.get("root", ""),
        )

    def name(self) -> str:
        return f"the seal at entry {self.seq} (entry ids {self.first}–{self.last})"


def _leaf_name(leaf) -> str:
    return f"entry id {leaf.id} ({leaf.action} {leaf.entity} {leaf.entity_id})"


def verify_leaves(report, seals: list[Seal], batch: int = 5000):
    """Check every seal's batch of leaves against it (count, first and last id, Merkle root), every leaf's own hash,
    and that no leaf came later than a seal it should have been in; ``report`` is the chain's, extended with the
    figures or the first break. Seals come in chain order, which is their id order, as their leaves are read."""
    waiting = iter(seals)  # the seals whose leaves have not been read yet, in order
    before, sealed = None, 0
    statement = select(*LEAF_COLUMNS).where(AuditEntry.seal_id.is_not(None)).order_by(AuditEntry.seal_id, AuditEntry.id)
    with closing(db.session.execute(statement).yield_per(batch)) as rows:
        for seal_id, group in groupby(rows, key=lambda row: row.seal_id):
            leaves = list(group)
            seal = next(waiting, None)
            if seal is not None and seal.id < seal_id:  # a seal whose leaves are all gone
                return _at_seal(report, seal, f"none of its {seal.entries} entries found (deleted)")
            if seal is None or seal.id != seal_id:
                return replace(
                    report,
                    reason=f"claims seal id {seal_id}, which is no seal (inserted)",
                    broken=_leaf_name(leaves[0]),
                )
            for leaf in leaves:
                if problem := _leaf_problem(leaf, before):
                    return replace(
                        report,
                        broken_seq=seal.seq,
                        reason=problem,
                        broken=f"{_leaf_name(leaf)}, sealed at entry {seal.seq}",
                    )
            if problem := _batch_problem(seal, leaves):
                return _at_seal(report, seal, problem)
            before, sealed = seal, sealed + len(leaves)
    if (seal := next(waiting, None)) is not None:
        return _at_seal(report, seal, f"none of its {seal.entries} entries found (deleted)")
    return _verify_unsealed(replace(report, sealed=sealed), seals[-1] if seals else None, batch)


def _at_seal(report, seal: Seal, reason: str):
    return replace(report, broken_seq=seal.seq, reason=reason, broken=seal.name())


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
    if (ids[0], ids[-1]) != (seal.first, seal.last):
        return f"entry ids {ids[0]}–{ids[-1]} found, {seal.first}–{seal.last} sealed (entries replaced)"
    if merkle_root([leaf.hash for leaf in leaves]) != seal.root:
        return "its entries do not match its Merkle root (an entry replaced or edited)"
    return ""


def _verify_unsealed(report, newest: Seal | None, batch: int):
    """Leaves waiting for the sealer: each must match its own hash and be younger than the newest seal."""
    statement = select(*LEAF_COLUMNS).where(AuditEntry.seq.is_(None), AuditEntry.seal_id.is_(None))
    unsealed = 0
    with closing(db.session.execute(statement.order_by(AuditEntry.id)).yield_per(batch)) as rows:
        for leaf in rows:
            if problem := _leaf_problem(leaf, newest):
                return replace(report, reason=problem, broken=f"{_leaf_name(leaf)}, not yet sealed")
            unsealed += 1
    return replace(report, unsealed=unsealed)
