"""Signing in safely (登录安全): sessions that end on the server, and a per-account back-off after failed attempts.

Called by the sign-in views (``rating.auth``), the user loader and the administrator's account actions. A session
carries the user's ``session_version`` from the moment it was signed in; raising the version ends every session of
that user, so a cookie copied before a logout, a password or role change or a second-factor reset opens nothing.
"""

from datetime import datetime, timedelta

from rating.models.base import utcnow
from rating.models.users import User
from rating.services import audit

#: Failed attempts allowed before the account waits.
FREE_ATTEMPTS = 4
#: The first wait; each further failure doubles it, up to ``MAX_WAIT``.
FIRST_WAIT = timedelta(minutes=1)
MAX_WAIT = timedelta(hours=24)


def session_valid(user: User, version) -> bool:
    """Whether a session signed in under ``version`` still belongs to ``user``."""
    return version == user.session_version


def end_sessions(actor: audit.Actor, user: User, reason: str) -> None:
    """End every session of ``user`` (logout, new password, new role, second factor reset, an administrator's
    decision). Audited; flushes."""
    user.session_version += 1
    audit.record(actor, "user.sessions_end", "user", user.id, after={"reason": reason})


def locked_until(user: User, now: datetime | None = None) -> datetime | None:
    """When the account may try again, if it must still wait."""
    now = now or utcnow()
    return user.locked_until if user.locked_until is not None and user.locked_until > now else None


def wait_after(failures: int) -> timedelta | None:
    """The wait after the ``failures``-th consecutive failure: none for the first few, then 1, 2, 4 … minutes."""
    if failures <= FREE_ATTEMPTS:
        return None
    return min(FIRST_WAIT * 2 ** (failures - FREE_ATTEMPTS - 1), MAX_WAIT)


def record_failure(user: User) -> datetime | None:
    """Count a failed attempt on the account (a wrong password or second-factor code); returns the new lock, if
    any. Flushes nothing itself: the caller commits."""
    user.failed_logins += 1
    wait = wait_after(user.failed_logins)
    user.locked_until = utcnow() + wait if wait else None
    return user.locked_until


def record_success(user: User) -> None:
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = utcnow()


def unlock(actor: audit.Actor, user: User) -> None:
    """An administrator lets a locked-out account try again at once. Audited."""
    before = {"failed_logins": user.failed_logins, "locked_until": user.locked_until}
    user.failed_logins, user.locked_until = 0, None
    audit.record(actor, "user.unlock", "user", user.id, before=before)
