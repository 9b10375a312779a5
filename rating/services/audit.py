"""Writing, reading and verifying the audit log. Every back-office service that changes a score-feeding record calls
``record`` (a chained entry); a citizen's own writes (a rating, a follow-up) call ``append`` (a leaf, sealed in a
batch later by ``rating.services.audit_seals``, so that citizens never queue on the chain's head row); every view
that shows a citizen's contact calls ``record_read``."""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, or_, select, update

from rating.extensions import db
from rating.models.audit import GENESIS_HASH, AuditEntry, AuditHead
from rating.models.base import utcnow


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user, the command line or the scheduler."""

    name: str
    user_id: int | None = None

    @classmethod
    def of(cls, user) -> "Actor":
        return cls(user.username, user.id)


CLI = Actor("cli")
SYSTEM = Actor("system")
#: A member of the public rating a post or a rectification: written as leaves (``append``).
CITIZEN = Actor("citizen")

#: A back-office user saw a citizen's contact (a complainant's, a rater's, an objector's): who, when, which record.
READ_ACTION = "personal_data.read"
#: What a unit-bound role (unit staff, HR officer) sees of its post's history: administrative changes only, never
#: ratings, complaints, follow-ups or reads of personal data, which its casework pages hide from it too.
ADMINISTRATIVE_ACTIONS = ("post.", "holder.", "codes.", "transfer.", "assessment.")


def _canonical_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(*, seq, at, actor, action, entity, entity_id, post_id, before, after, prev_hash) -> str:
    payload = json.dumps(
        [seq, _canonical_time(at), actor, action, entity, str(entity_id), post_id, before, after, prev_hash],
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _jsonable(value):
    """Round-trip through JSON so the hash is taken over exactly what the database will give back."""
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False, default=str))


def _fields(actor: Actor, action, entity, entity_id, before, after, post_id, *, seq, prev_hash) -> dict:
    """What an entry's hash covers, for a chained entry (its place and the hash before it) or a leaf (neither)."""
    return dict(
        seq=seq,
        at=utcnow(),
        actor=actor.name,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        post_id=post_id,
        before=_jsonable(before),
        after=_jsonable(after),
        prev_hash=prev_hash,
    )


def record(actor: Actor, action: str, entity: str, entity_id, *, before=None, after=None, post_id=None):
    """Append one entry to the chain. Flushes; the caller commits with the change it describes."""
    head = db.session.execute(
        update(AuditHead)
        .where(AuditHead.id == 1)
        .values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
        .execution_options(synchronize_session=False)
    ).one()  # the migration creates the single head row
    fields = _fields(actor, action, entity, entity_id, before, after, post_id, seq=head.seq, prev_hash=head.last_hash)
    entry = AuditEntry(**fields, actor_id=actor.user_id, hash=entry_hash(**fields))
    db.session.add(entry)
    db.session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(last_hash=entry.hash),
        execution_options={"synchronize_session": False},
    )
    db.session.flush()
    return entry


_LEAF_INSERT = insert(AuditEntry.__table__)


def append(actor: Actor, action: str, entity: str, entity_id, *, before=None, after=None, post_id=None) -> None:
    """Append one leaf: a single INSERT that touches no shared row, so that concurrent citizens never wait on each
    other. Its hash covers its content alone; the sealer's next run covers it with a chained seal. Flushes nothing
    itself (it is an INSERT statement); the caller commits with the change it describes."""
    fields = _fields(actor, action, entity, entity_id, before, after, post_id, seq=None, prev_hash=None)
    row = {**fields, "actor_id": actor.user_id, "hash": entry_hash(**fields)}
    db.session.connection().execute(_LEAF_INSERT, row)  # Core, built once: the busiest write of the site


def record_read(actor: Actor, entity: str, entity_id, fields: list[str], *, post_id=None) -> AuditEntry:
    """Record that ``actor`` was shown the named personal ``fields`` of one record (the values are not copied)."""
    return record(actor, READ_ACTION, entity, entity_id, after={"fields": fields}, post_id=post_id)


def post_history(post_id: int, role, limit: int = 50) -> list[AuditEntry]:
    """The newest entries about a post that ``role`` may see (``ADMINISTRATIVE_ACTIONS`` for unit-bound roles)."""
    statement = select(AuditEntry).where(AuditEntry.post_id == post_id)
    if role.unit_bound:
        statement = statement.where(or_(*(AuditEntry.action.startswith(p) for p in ADMINISTRATIVE_ACTIONS)))
    return list(db.session.scalars(statement.order_by(AuditEntry.id.desc()).limit(limit)))


#: The fields an entry's hash covers, besides its predecessor's hash.
HASHED = ("seq", "at", "actor", "action", "entity", "entity_id", "post_id", "before", "after")


def content_hash(entry) -> str:
    """The hash an entry (a model or a row with the same names) should carry."""
    return entry_hash(**{k: getattr(entry, k) for k in HASHED}, prev_hash=entry.prev_hash)


@dataclass(frozen=True)
class ChainReport:
    #: Chained entries verified (before the break, if any).
    entries: int
    #: The chained entry at which the chain or a batch broke (the batch's seal), if it is one.
    broken_seq: int | None = None
    reason: str = ""
    #: The first broken entry or batch in words: ``entry 5``, ``entry id 812 (rating.submit rating 77)``, ``the
    #: seal at entry 40``.
    broken: str = ""
    #: Leaves verified under their seals, seals verified, and leaves still waiting for the sealer.
    sealed: int = 0
    seals: int = 0
    unsealed: int = 0

    @property
    def ok(self) -> bool:
        return not self.reason


def verify_chain(batch: int = 5000) -> ChainReport:
    """Walk the chain in order, checking each seal's batch of leaves where the chain meets it, then the leaves
    outside any seal; return the first entry or batch that does not hold, if any (``rating.services.audit_seals``
    for the batches)."""
    from rating.services.audit_seals import SEAL_ACTION, SealedLeaves

    expected_prev, expected_seq, count, leaves = GENESIS_HASH, 1, 0, SealedLeaves()
    while True:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.seq >= expected_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return _broken(count, expected_seq, f"entry {expected_seq} is missing (next is {entry.seq})")
            if entry.prev_hash != expected_prev:
                return _broken(count, entry.seq, "does not link to the entry before it")
            if content_hash(entry) != entry.hash:
                return _broken(count, entry.seq, "content does not match its hash (edited)")
            if entry.action == SEAL_ACTION and (problem := leaves.check_seal(entry)):
                return ChainReport(count, entry.seq, problem.reason, broken=problem.where)
            expected_prev, expected_seq, count = entry.hash, entry.seq + 1, count + 1
        db.session.expunge_all()
    head = db.session.get(AuditHead, 1)
    if head is not None and (head.seq != count or head.last_hash != expected_prev):
        return _broken(count, count + 1 if head.seq > count else count, "newest entries were removed")
    if problem := leaves.check_rest(batch):
        return ChainReport(count, None, problem.reason, broken=problem.where)
    return ChainReport(count, sealed=leaves.sealed, seals=leaves.seals, unsealed=leaves.unsealed)


def _broken(count: int, seq: int, reason: str) -> ChainReport:
    return ChainReport(count, seq, reason, broken=f"entry {seq}")
