"""The second factor (双因素认证): a TOTP app (RFC 6238, 30-second codes) and one-time recovery codes.

Required for the roles that see personal data or change scores (``REQUIRED_ROLES``), enrolled at their first
sign-in; any account that has enrolled is asked for it. Recovery codes are shown once and kept as SHA-256 only; an
administrator's reset (audited) clears the factor and ends the user's sessions, and the user enrols again.
"""

import hashlib
import secrets

import pyotp
import segno
from sqlalchemy import delete, select, update

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.users import RecoveryCode, Role, User
from rating.services import audit
from rating.services.signin import end_sessions

REQUIRED_ROLES = frozenset({Role.ADMIN, Role.AUDITOR, Role.COMPLAINT_HANDLER})
ISSUER = "关键岗位评议平台"
RECOVERY_CODES = 10


def required(user: User) -> bool:
    """Whether signing in as ``user`` needs a second factor (enrolled, or to be enrolled now)."""
    return user.totp_secret is not None or user.role in REQUIRED_ROLES


def new_secret() -> str:
    return pyotp.random_base32()


def enrolment_qr(user: User, secret: str) -> str:
    """The otpauth:// URI as a QR code, an SVG data URI (drawn here: the CSP allows ``data:`` images only)."""
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return segno.make(uri, error="m").svg_data_uri(scale=4)


def _step(secret: str, code: str) -> int | None:
    """The time step whose code ``code`` is (this one or the one either side, for clocks a little apart)."""
    code = code.strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = utcnow()
    current = totp.timecode(now)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(user: User, code: str) -> bool:
    """A TOTP code of the user's secret, not used before (each step signs in once)."""
    step = _step(user.totp_secret or "", code) if user.totp_secret else None
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def enrol(actor: audit.Actor, user: User, secret: str, code: str) -> list[str] | None:
    """Confirm an enrolment with a first code of ``secret``; returns the new recovery codes (shown once), or None
    when the code is wrong. Audited; flushes."""
    step = _step(secret, code)
    if step is None:
        return None
    user.totp_secret, user.totp_last_step = secret, step
    audit.record(actor, "user.totp_enrol", "user", user.id)
    return issue_recovery_codes(user)


def _digest(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def issue_recovery_codes(user: User) -> list[str]:
    """Ten fresh one-time codes (xxxxx-xxxxx), replacing any earlier ones; only their hashes are kept."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [f"{secrets.token_hex(3)[:5]}-{secrets.token_hex(3)[:5]}" for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_digest(code)) for code in codes)
    db.session.flush()
    return codes


def use_recovery_code(user: User, code: str) -> bool:
    """Spend one recovery code: a conditional UPDATE, so the same code works once, even twice at the same moment."""
    spent = db.session.execute(
        update(RecoveryCode)
        .where(
            RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _digest(code), RecoveryCode.used_at.is_(None)
        )
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    return spent == 1


def recovery_codes_left(user: User) -> int:
    return len(
        db.session.scalars(
            select(RecoveryCode.id).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        ).all()
    )


def reset(actor: audit.Actor, user: User) -> None:
    """An administrator clears a user's second factor (a lost phone): the user enrols again at the next sign-in.
    Audited; ends the user's sessions."""
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    audit.record(actor, "user.totp_reset", "user", user.id)
    end_sessions(actor, user, "totp_reset")
