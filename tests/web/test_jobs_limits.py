"""Scheduled jobs run as plain functions, and rate limits can be shared through Redis."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from rating import jobs
from rating.extensions import db
from rating.models import RatingCode
from rating.models.base import utcnow
from tests.conftest import csrf_token, make_app, skip_without_redis

pytestmark = pytest.mark.bare


@pytest.fixture
def history(make_post):
    """Three posts with their units: six entries in the audit chain."""
    return [make_post() for _n in range(3)]


def test_expiry_job_removes_only_long_expired_unused_codes(app, make_post, make_codes):
    issued = make_codes(make_post(), 3, valid_days=1)
    with app.app_context():
        codes = db.session.scalars(db.select(RatingCode).where(RatingCode.code.in_(issued))).all()
        codes[0].expires_at = utcnow() - timedelta(days=40)  # long expired, unused: removed
        codes[1].expires_at = utcnow() - timedelta(days=40)
        codes[1].used_at = utcnow() - timedelta(days=45)  # used: kept, a rating may refer to it
        db.session.commit()
        kept_ids = {codes[1].id, codes[2].id}
    assert jobs.expire_rating_codes(app) == 1
    with app.app_context():
        left = set(db.session.scalars(db.select(RatingCode.id)))
    assert left == kept_ids


def test_audit_job_reports_an_intact_chain(app, history):
    assert jobs.verify_audit_chain(app) is True


def test_audit_job_fails_on_a_broken_chain_so_the_run_log_shows_an_error(app, history):
    from tests.web.test_audit import _bypass_triggers

    with app.app_context():
        _bypass_triggers(db.session.connection())
        db.session.execute(sa.text("UPDATE audit_log SET actor = 'intruder' WHERE seq = 5"))
        db.session.commit()
    with pytest.raises(jobs.AuditChainBroken, match="审计链在第 5 条记录处断裂"):
        jobs.verify_audit_chain(app)


def test_login_limit_is_shared_through_redis(tmp_path, sqlite_bare_template):
    skip_without_redis()
    import shutil
    import uuid

    path = tmp_path / "r.db"
    shutil.copyfile(sqlite_bare_template, path)
    prefix = f"test-{uuid.uuid4().hex}"
    settings = {
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "RATELIMIT_KEY_PREFIX": prefix,
        "LOGIN_RATE_LIMIT": "2 per minute",
    }

    def attempt(app):
        client = app.test_client()
        token = csrf_token(client, "/login")
        data = {"username": "admin", "password": "wrong-password", "csrf_token": token}
        return client.post("/login", data=data).status_code

    first = make_app(f"sqlite:///{path}", **settings)
    assert [attempt(first), attempt(first)] == [200, 200]
    # A second worker starts with fresh in-process state: only a shared store remembers the two attempts.
    second = make_app(f"sqlite:///{path}", **settings)
    assert attempt(second) == 429
    for app in (first, second):
        with app.app_context():
            db.engine.dispose()


def test_a_lease_too_short_to_renew_safely_is_refused_at_start(tmp_path, monkeypatch):
    from rating.config import ConfigError, load

    monkeypatch.setenv("SCHEDULER_LEASE_SECONDS", "5")
    with pytest.raises(ConfigError, match="at least 30"):
        load(tmp_path)
    monkeypatch.setenv("SCHEDULER_LEASE_SECONDS", "45")
    assert load(tmp_path)["SCHEDULER_LEASE_SECONDS"] == 45
