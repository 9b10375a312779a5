"""One-time rating codes (评价码, 一次一评): unit staff print sheets of them for their own posts."""

import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import delete, select

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.posts import Post
from rating.models.ratings import RatingCode
from rating.services import audit
from rating.services.errors import InvalidInput

#: No 0/O, 1/I/L: codes are also typed by hand from the printed card.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10
MAX_PER_SHEET = 200


def issue_codes(actor: audit.Actor, post: Post, count: int, valid_days: int) -> str:
    """Create ``count`` codes for a post, valid for ``valid_days``; returns the batch id for the printable sheet."""
    if not 1 <= count <= MAX_PER_SHEET:
        raise InvalidInput(_("每次可生成 1–%(n)d 个评价码。", n=MAX_PER_SHEET))
    if not 1 <= valid_days <= 365:
        raise InvalidInput(_("有效期须为 1–365 天。"))
    if not post.active:
        raise InvalidInput(_("该岗位已停用。"))
    batch, now = secrets.token_hex(8), utcnow()
    expires = now + timedelta(days=valid_days)
    for _n in range(count):
        code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
        db.session.add(
            RatingCode(
                code=code, post_id=post.id, batch=batch, created_by=actor.name, created_at=now, expires_at=expires
            )
        )
    db.session.flush()
    audit.record(
        actor,
        "codes.issue",
        "post",
        post.id,
        post_id=post.id,
        after={"batch": batch, "count": count, "expires_at": expires.isoformat()},
    )
    return batch


def batch_codes(batch: str) -> list[RatingCode]:
    return db.session.scalars(select(RatingCode).where(RatingCode.batch == batch).order_by(RatingCode.id)).all()


def expire_unused(now=None) -> int:
    """Scheduled: unused codes past their expiry are removed (they were never used, so nothing refers to them)."""
    now = now or utcnow()
    result = db.session.execute(
        delete(RatingCode).where(RatingCode.used_at.is_(None), RatingCode.expires_at < now - timedelta(days=30))
    )
    return result.rowcount
