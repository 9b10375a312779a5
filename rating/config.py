"""Settings from the environment, validated when the app starts.

DATABASE_URL            SQLAlchemy URL; default SQLite under instance/ (WAL, foreign keys on)
SECRET_KEY              session signing key; without it one is generated once and kept in instance/secret_key
RATING_ENV              production (default) or development: development allows cookies over plain http
RATELIMIT_STORAGE_URI   memory:// (default) or redis://127.0.0.1:6379/0 for several workers
SCHEDULER_IN_PROCESS    1 to run the scheduler inside the web process (make run); 0 in production (default)
MAIL_SERVER             SMTP host for reminder emails; empty (default) turns email off, in-app notifications remain
MAIL_PORT               SMTP port (default 25)
MAIL_USE_TLS            1 to upgrade the connection with STARTTLS; 0 (default) for a plain local relay
MAIL_USERNAME           SMTP login; empty (default) sends without logging in
MAIL_PASSWORD           SMTP password, used with MAIL_USERNAME
MAIL_FROM               sender address (default noreply@example.org)
OBJECTION_RATE_LIMIT    objections and holder replies during public notice, per network (default 5 per hour)
SMS_GATEWAY             log (default) or http; with SMS_HTTP_URL, SMS_HTTP_TOKEN, SMS_SIGN, SMS_TIMEOUT (rating.sms)
PHONE_HASH_KEY          key of the HMAC that keeps phone numbers as hashes (default: SECRET_KEY)
SMS_RATE_LIMIT          SMS codes requested per network (default 5 per hour;20 per day)
COMPLAINT_TEXT_PUBLIC   reviewed (default): a complaint's text is public once a handler publishes it masked; never:
                        no complaint text is ever public (违规违纪 reports are never public either way)
CACHE_REDIS_URL         redis://127.0.0.1:6379/1 to share the public pages' cache (rating.cache) between workers and
                        hosts; empty (default): each process keeps its own (SimpleCache)
CACHE_DEFAULT_TIMEOUT   seconds a cached public page is kept at most (default 60): how old a post page's rating
                        tally may be, and without Redis how late another process shows a change
SCHEDULER_LEASE_SECONDS how long the scheduler's lease lasts without renewal before another may take over (120)
PROXY_HOPS              how many trusted proxies (TLS proxy, load balancer) stand before the app (default 0): the
                        client's address, for every per-network limit and a rating's source, is then read from the
                        X-Forwarded-For they add; 0 trusts no header, so a direct client cannot forge its address
"""

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url


class ConfigError(RuntimeError):
    pass


def _secret_key(instance_path: Path) -> str:
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = instance_path / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _int_setting(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None


def _choice(name: str, allowed: tuple[str, ...]) -> str:
    """One of ``allowed`` (the first by default)."""
    value = os.environ.get(name, "").strip() or allowed[0]
    if value not in allowed:
        raise ConfigError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
    return value


def database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'rating.db'}"
    # Accept the common postgres:// and postgresql:// forms and use psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def engine_options(url: str) -> dict:
    if make_url(url).get_backend_name() == "sqlite":
        # Writers wait for the lock instead of failing at once.
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}


def _environment() -> str:
    env = os.environ.get("RATING_ENV", "production")
    if env not in ("production", "development"):
        raise ConfigError(f"RATING_ENV must be production or development, not {env!r}")
    return env


def _checked_database_url(url: str) -> str:
    try:
        backend = make_url(url).get_backend_name()
    except Exception as exc:
        raise ConfigError(f"DATABASE_URL is not a valid database URL: {exc}") from exc
    if backend not in ("sqlite", "postgresql"):
        raise ConfigError(f"DATABASE_URL must be SQLite or PostgreSQL, not {backend}")
    return url


def _lease_seconds() -> int:
    lease_seconds = _int_setting("SCHEDULER_LEASE_SECONDS", 120)
    if lease_seconds < 30:
        # The lease is renewed every third of its length; shorter than this, a slow database could lose it.
        raise ConfigError(f"SCHEDULER_LEASE_SECONDS must be at least 30, not {lease_seconds}")
    return lease_seconds


def load(instance_path: Path, overrides: dict | None = None) -> dict:
    instance_path.mkdir(parents=True, exist_ok=True)
    overrides = overrides or {}
    env = _environment()
    url = _checked_database_url(overrides.get("SQLALCHEMY_DATABASE_URI") or database_url(instance_path))
    lease_seconds = _lease_seconds()
    secure_cookies = env == "production"
    config = {
        "RATING_ENV": env,
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url),
        **_mail_settings(),
        **_sms_settings(),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_SECURE": secure_cookies,
        "SESSION_COOKIE_NAME": "rating_session",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Strict",
        "REMEMBER_COOKIE_SECURE": secure_cookies,
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "MAX_CONTENT_LENGTH": 60 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "zh",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Shanghai",
        "LANGUAGES": {"zh": "中文", "en": "English"},
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        #: A service hall's Wi-Fi is one network for many honest citizens: the network limit is generous,
        #: the per-device limit tight.
        "RATING_NETWORK_LIMIT": os.environ.get("RATING_NETWORK_LIMIT", "120 per minute;2000 per day"),
        "RATING_DEVICE_LIMIT": os.environ.get("RATING_DEVICE_LIMIT", "6 per minute;60 per day"),
        "COMPLAINT_RATE_LIMIT": os.environ.get("COMPLAINT_RATE_LIMIT", "10 per hour"),
        "COMPLAINT_TRACK_RATE_LIMIT": os.environ.get("COMPLAINT_TRACK_RATE_LIMIT", "10 per minute"),
        "OBJECTION_RATE_LIMIT": os.environ.get("OBJECTION_RATE_LIMIT", "5 per hour"),
        "SCHEDULER_IN_PROCESS": os.environ.get("SCHEDULER_IN_PROCESS", "0") == "1",
        "PROXY_HOPS": _int_setting("PROXY_HOPS", 0),
        #: A scheduler that stops renewing its lease (crashed, frozen) is replaced after this many seconds.
        "SCHEDULER_LEASE_SECONDS": lease_seconds,
        **_cache_settings(overrides),
        "POSTS_PER_PAGE": 20,
        #: Personal contact data of concluded complaints is erased after this many days (default 2 years).
        "COMPLAINT_TEXT_PUBLIC": _choice("COMPLAINT_TEXT_PUBLIC", ("reviewed", "never")),
        "COMPLAINT_RETENTION_DAYS": int(os.environ.get("COMPLAINT_RETENTION_DAYS", "730")),
        "IMPORT_MAX_BYTES": 50 * 1024 * 1024,
        "IMPORT_MAX_ROWS": 100_000,
        "IMPORT_MAX_UNPACKED_BYTES": 100 * 1024 * 1024,
    }
    config.update(overrides)
    return config


def _cache_settings(overrides: dict) -> dict:
    """Flask-Caching's settings: Redis when CACHE_REDIS_URL is set (shared by every process), else in-process."""
    url = overrides.get("CACHE_REDIS_URL", os.environ.get("CACHE_REDIS_URL", "")).strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"CACHE_REDIS_URL must be a redis:// URL, not {url!r}")
    timeout = _int_setting("CACHE_DEFAULT_TIMEOUT", 60)
    if timeout < 1:
        raise ConfigError(f"CACHE_DEFAULT_TIMEOUT must be at least 1 second, not {timeout}")
    return {
        "CACHE_TYPE": "RedisCache" if url else "SimpleCache",
        "CACHE_REDIS_URL": url,
        "CACHE_DEFAULT_TIMEOUT": timeout,
        "CACHE_KEY_PREFIX": "rating:",
        #: A Redis that hangs must not hang every public page and commit: give up after half a second and render
        #: fresh (rating.cache), as when it refuses.
        "CACHE_OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5} if url else None,
        #: Without Redis, pages kept per process (each at most about 60 KB, so some 30 MB per worker).
        "CACHE_THRESHOLD": 500,
    }


def _mail_settings() -> dict:
    """The SMTP server for reminders; no server means no email is sent."""
    return {
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", "").strip(),
        "MAIL_PORT": _int_setting("MAIL_PORT", 25),
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "") or "noreply@example.org",
    }


def _sms_settings() -> dict:
    """The SMS gateway for phone verification (rating.sms); the log sink unless a provider is configured."""
    from rating import sms

    try:
        config = sms.settings(os.environ)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    config["PHONE_HASH_KEY"] = os.environ.get("PHONE_HASH_KEY", "")
    config["SMS_RATE_LIMIT"] = os.environ.get("SMS_RATE_LIMIT", "5 per hour;20 per day")
    return config
