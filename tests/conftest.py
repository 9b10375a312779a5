"""Fixtures in the flaskr style: ``app``, ``client``, ``runner``, ``login_as(role)``.

Every database test runs on SQLite and, when TEST_DATABASE_URL names a PostgreSQL server (``.ci/run`` sets it), on
PostgreSQL too. The schema is built once per engine by running the Alembic migrations, then seeded with the demo
data. Each SQLite test gets its own copy of that file; each PostgreSQL test runs inside a transaction that is rolled
back, so tests never see each other's writes.
"""

import csv
import os
import re
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from rating import create_app
from rating.extensions import db

ROOT = Path(__file__).resolve().parent.parent
with (ROOT / "seeds" / "users.csv").open(encoding="utf-8") as _users:
    DEMO_USERS = {row["role"]: row for row in csv.DictReader(_users)}
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "SCHEDULER_IN_PROCESS": False,
}


def make_app(url: str, **extra):
    return create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": url, **extra})


def build_database(url: str, seed: bool = True) -> None:
    """Migrate an empty database to head and load the demo seeds, committing."""
    from rating import demo

    app = make_app(url)
    with app.app_context():
        upgrade()
        if seed:
            demo.run()
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def postgres_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return None
    return url.replace("postgresql://", "postgresql+psycopg://", 1) if "+psycopg" not in url else url


@pytest.fixture(scope="session")
def fresh_postgres_database():
    """A callable making new empty PostgreSQL databases, dropped at the end of the session."""
    admin_url = postgres_admin_url()
    made = []
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT") if admin_url else None

    def make() -> str:
        name = f"rating_test_{uuid.uuid4().hex[:10]}"
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        made.append(name)
        return sa.engine.make_url(admin_url).set(database=name).render_as_string(hide_password=False)

    yield make
    if engine is not None:
        with engine.connect() as conn:
            for name in made:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    build_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_seeded(fresh_postgres_database) -> str:
    url = fresh_postgres_database()
    build_database(url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def engine_name(request) -> str:
    if request.param == "postgresql" and postgres_admin_url() is None:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL does not name a PostgreSQL database")
        pytest.skip("PostgreSQL tests skipped: set TEST_DATABASE_URL=postgresql://… (.ci/run does)")
    return request.param


@pytest.fixture
def app(engine_name, request, tmp_path, monkeypatch):
    if engine_name == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        app = make_app(f"sqlite:///{path}")
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    app = make_app(request.getfixturevalue("postgres_seeded"))
    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
    # Every session of this test joins the outer transaction; their commits become savepoints.
    monkeypatch.setattr(FlaskSession, "get_bind", lambda self, *a, **k: connection)
    saved = dict(db.session.session_factory.kw)
    with app.app_context():
        db.session.remove()
    db.session.session_factory.kw["join_transaction_mode"] = "create_savepoint"
    yield app
    with app.app_context():
        db.session.remove()
    db.session.session_factory.kw.clear()
    db.session.session_factory.kw.update(saved)
    transaction.rollback()
    connection.close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    match = CSRF_FIELD.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


@pytest.fixture
def login_as(client):
    """Sign the test client in as the demo user of a role; returns the client."""

    def login(role: str):
        user = DEMO_USERS[role]
        token = csrf_token(client, "/login")
        response = client.post(
            "/login", data={"username": user["username"], "password": user["password"], "csrf_token": token}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return login


def pytest_terminal_summary(terminalreporter):
    """Say once, plainly, what did not run here and why."""
    reasons = {str(report.longrepr[2]) for report in terminalreporter.stats.get("skipped", [])}
    for reason in sorted(reasons):
        terminalreporter.write_line(f"NOTE: {reason.removeprefix('Skipped: ')}", yellow=True)


@pytest.fixture
def committed_app(engine_name, request, tmp_path):
    """An app on its own migrated and seeded database whose commits are real, for tests with several threads or
    connections (the ``app`` fixture's PostgreSQL transaction cannot be shared between threads)."""
    if engine_name == "sqlite":
        path = tmp_path / "committed.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("fresh_postgres_database")()
        build_database(url)
    app = make_app(url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
