"""Security as structure: password hashing, the access rule of every endpoint, response headers and the signed session
cookie.

Deny by default: every view declares who may use it with ``@public`` or ``@roles(...)``; a request to a view that
declares nothing is refused, and the test suite fails on any such endpoint.
"""

from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from rating.models.users import Role

_hasher = PasswordHasher()  # argon2id with the library's current parameters

#: Every back-office role.
STAFF = tuple(Role)
#: Endpoints outside our blueprints that are public.
PUBLIC_BUILTINS = {"static"}

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SignedCookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, their signing serializer made once per key rather than twice per request."""

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        kept = app.extensions.get("session_serializer")
        if kept is None or kept[0] != keys:  # a key set or rotated since: made again
            kept = app.extensions["session_serializer"] = (keys, super().get_signing_serializer(app))
        return kept[1]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def public(view):
    """Anyone may use this view, signed in or not."""
    view.access = "public"
    return view


def roles(*allowed: Role):
    """Only signed-in users with one of these roles may use this view; others get 403, strangers go to login."""

    def decorate(view):
        view.access = frozenset(allowed)
        return view

    return decorate


def access_of(endpoint: str):
    """The declared access of an endpoint: ``"public"``, a frozenset of roles, or None (undeclared)."""
    if endpoint in PUBLIC_BUILTINS:
        return "public"
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def enforce_access():
    """``before_request`` hook: applies the endpoint's declared access before the view runs."""
    if request.endpoint is None:  # 404 and 405 are handled by Flask
        return None
    access = access_of(request.endpoint)
    if access == "public":
        return None
    if access is None:
        current_app.logger.error("endpoint %s declares no access rule; refused", request.endpoint)
        abort(403)
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role not in access:
        abort(403)
    return None


#: The headers every response carries unless its view set its own; Strict-Transport-Security on an https site.
SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")
_SECURITY_HEADERS = {
    secure: [(name.lower(), name, value) for name, value in SECURITY_HEADERS + ((HSTS,) if secure else ())]
    for secure in (False, True)
}


def set_security_headers(response):
    """``after_request``: ``SECURITY_HEADERS`` on every response, unless its view set one of its own. One pass over the
    response's headers, then the missing ones added: six look-ups by name had cost a cached public page a tenth of
    its time."""
    present = {name.lower() for name in response.headers.keys()}
    wanted = _SECURITY_HEADERS[bool(current_app.config.get("SESSION_COOKIE_SECURE"))]
    response.headers.extend([(name, value) for lower, name, value in wanted if lower not in present])
    if current_user and getattr(current_user, "is_authenticated", False):
        # Back-office pages may show unpublished figures: never store them in a shared cache.
        response.headers["Cache-Control"] = "private, no-store"
    return response


def safe_next(target: str | None, fallback: str) -> str:
    """The redirect target of a ``next`` parameter if it is a path on this site, else ``fallback``.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so a slash, a tab and
    ``/evil.example`` lead off-site: the target is judged after removing control characters and whitespace and
    turning backslashes into slashes, and must then be a path with neither a scheme nor a host.
    """
    if not target:
        return fallback
    normalised = "".join(ch for ch in target if ch.isprintable() and not ch.isspace()).replace("\\", "/")
    parts = urlsplit(normalised)
    if not normalised.startswith("/") or normalised.startswith("//") or parts.scheme or parts.netloc:
        return fallback
    return normalised


def require_unit_access(unit_id: int) -> None:
    """HR officers and unit staff may only touch their own unit; everyone else the role allows may touch all."""
    if current_user.role.unit_bound and current_user.unit_id != unit_id:
        abort(403)
