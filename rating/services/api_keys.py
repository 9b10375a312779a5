"""Keys for the Open311 POST (GeoReport v2 ``api_key``): issued by the office to a partner system (a hotline's
case system, a city app), listed and revoked in the back office. Only a key's SHA-256 is kept: the key itself is
shown once, by ``flask create-api-key NAME``."""

import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.users import ApiKey
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput

PREFIX_LENGTH = 8


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(actor: audit.Actor, name: str) -> tuple[ApiKey, str]:
    """A new key for ``name``; returns the record and the key (never stored). Audited; flushes."""
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput(_("密钥名称须为 1–100 个字符"))
    if db.session.scalar(select(ApiKey.id).where(ApiKey.name == name)):
        raise Conflict(_("名称为 %(name)s 的密钥已存在", name=name))
    key = secrets.token_urlsafe(32)
    record = ApiKey(name=name, prefix=key[:PREFIX_LENGTH], key_hash=_digest(key), created_by=actor.name)
    db.session.add(record)
    db.session.flush()
    audit.record(actor, "api_key.issue", "api_key", record.id, after={"name": name, "prefix": record.prefix})
    return record, key


def revoke(actor: audit.Actor, record: ApiKey) -> None:
    """Refuse the key from now on; the record stays. Audited; flushes."""
    if record.revoked_at is None:
        record.revoked_at = utcnow()
        audit.record(actor, "api_key.revoke", "api_key", record.id, after={"name": record.name})
        db.session.flush()


def check(key: str | None) -> ApiKey | None:
    """The live key record for a presented key, marking its use; None for a missing, unknown or revoked key."""
    if not key or len(key) > 200:
        return None
    record = db.session.scalar(select(ApiKey).where(ApiKey.key_hash == _digest(key), ApiKey.revoked_at.is_(None)))
    if record is not None:
        record.last_used_at = utcnow()
    return record


def listing() -> list[ApiKey]:
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.revoked_at.is_not(None), ApiKey.name)))
