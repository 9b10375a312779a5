"""Phone verification of a rating (短信验证): a citizen without a rating code confirms a phone with a one-time SMS
code, and the rating counts as verified (weight 1.0, outside the network allowance). One rating per phone, post and
cycle; the number is kept only as a keyed hash (HMAC under PHONE_HASH_KEY, else SECRET_KEY).

Called by the rating blueprint (``send_code``) and by rating.services.ratings (``confirm``); texts go through the
pluggable gateway of rating.sms.
"""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, select, update

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.ratings import Rating
from rating.models.sources import PhoneChallenge
from rating.services.errors import Conflict, DomainError, InvalidInput
from rating.sms import SmsFailed, SmsGateway

CODE_LIFETIME = timedelta(minutes=10)
RESEND_AFTER = timedelta(seconds=60)
MAX_ATTEMPTS = 5
#: A mainland mobile number, after dropping spaces, dashes and a +86 / 0086 prefix.
MOBILE = re.compile(r"^1[3-9]\d{9}$")


class PhoneRefused(DomainError):
    """The SMS code cannot verify this rating; the citizen may try again or rate without it. The attempt is kept."""

    status_code = 409


def _key() -> bytes:
    return (current_app.config.get("PHONE_HASH_KEY") or current_app.config["SECRET_KEY"]).encode()


def normalise_phone(text: str) -> str:
    digits = re.sub(r"[\s\-()]", "", text or "")
    for prefix in ("+86", "0086"):
        digits = digits.removeprefix(prefix)
    return digits


def phone_hash(phone: str) -> str:
    return hmac.new(_key(), f"phone|{phone}".encode(), hashlib.sha256).hexdigest()


def _code_hash(challenge_phone_hash: str, code: str) -> str:
    return hmac.new(_key(), f"code|{challenge_phone_hash}|{code}".encode(), hashlib.sha256).hexdigest()


def _already_rated(cycle: Cycle, post: Post, hashed: str) -> bool:
    return bool(
        db.session.scalar(
            select(exists().where(Rating.cycle_id == cycle.id, Rating.post_id == post.id, Rating.phone_hash == hashed))
        )
    )


def send_code(cycle: Cycle, post: Post, phone_text: str, gateway: SmsGateway) -> PhoneChallenge:
    """Text a one-time code to verify a rating of ``post``. Refused for a bad number, a phone that already rated
    the post this cycle, or a code asked again within a minute."""
    phone = normalise_phone(phone_text)
    if not MOBILE.match(phone):
        raise InvalidInput(_("请填写正确的手机号码。"))
    hashed = phone_hash(phone)
    if _already_rated(cycle, post, hashed):
        raise Conflict(_("该手机号本评议周期已经评价过这个岗位(一机一岗一评)。"))
    recent = select(PhoneChallenge.id).where(
        PhoneChallenge.post_id == post.id,
        PhoneChallenge.phone_hash == hashed,
        PhoneChallenge.created_at > utcnow() - RESEND_AFTER,
    )
    if db.session.scalar(recent.limit(1)):
        raise Conflict(_("验证码已发送,请一分钟后再重新获取。"))
    code = f"{secrets.randbelow(10**6):06d}"
    now = utcnow()
    challenge = PhoneChallenge(
        post_id=post.id,
        phone_hash=hashed,
        code_hash=_code_hash(hashed, code),
        attempts=0,
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    db.session.add(challenge)
    db.session.flush()
    try:
        gateway.send(phone, _("您正在评价岗位 %(post)s,验证码 %(code)s,10 分钟内有效。", post=post.code, code=code))
    except SmsFailed:
        raise Conflict(_("短信发送失败,请稍后再试,或不验证手机直接评价。")) from None
    return challenge


def confirm(cycle: Cycle, post: Post, challenge_id: int | None, code: str) -> str:
    """Check the SMS code of a rating and use it up; returns the phone's hash. Each try counts against the code's
    attempts (the caller commits even a refused try, so guessing is bounded)."""
    challenge = db.session.get(PhoneChallenge, challenge_id) if challenge_id else None
    if challenge is None or challenge.post_id != post.id:
        raise PhoneRefused(_("请先获取短信验证码。"))
    if challenge.used_at is not None or challenge.expires_at <= utcnow() or challenge.attempts >= MAX_ATTEMPTS:
        raise PhoneRefused(_("短信验证码已失效,请重新获取,或不验证手机直接评价。"))
    challenge.attempts += 1
    db.session.flush()
    if not hmac.compare_digest(challenge.code_hash, _code_hash(challenge.phone_hash, code.strip())):
        raise PhoneRefused(_("短信验证码不正确,请核对后重新输入。"))
    if _already_rated(cycle, post, challenge.phone_hash):
        raise PhoneRefused(_("该手机号本评议周期已经评价过这个岗位(一机一岗一评)。"))
    used = db.session.execute(
        update(PhoneChallenge)
        .where(PhoneChallenge.id == challenge.id, PhoneChallenge.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if used.rowcount != 1:
        raise PhoneRefused(_("短信验证码已失效,请重新获取,或不验证手机直接评价。"))
    return challenge.phone_hash
