"""Fixtures in the flaskr style: ``app``, ``client``, ``runner``, ``login_as(role or user)``, and the factories of
``tests/factories.py`` (``make_unit``, ``make_post``, ``make_rating``…).

Every database test runs on SQLite and, when TEST_DATABASE_URL names a PostgreSQL server (``.ci/run`` sets it), on
PostgreSQL too. Two databases are built once per engine by running the Alembic migrations: one seeded with the demo
data, one left empty (a *bare* database). A test, or a module through ``pytestmark``, marked ``@pytest.mark.bare``
gets the bare one and builds the few records it needs with the factories; any other test gets the demo. Each SQLite
test gets its own copy of the file; each PostgreSQL test runs inside a transaction that is rolled back, so tests never
see each other's writes.
"""

import csv
import os
import re
import shutil
import socket
import uuid
from pathlib import Path

import pyotp
import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from rating import create_app
from rating.extensions import db

pytest_plugins = ("tests.factories",)

ROOT = Path(__file__).resolve().parent.parent
with (ROOT / "seeds" / "users.csv").open(encoding="utf-8") as _users:
    #: The first demo account of each role (the city centre's handler before the county centres').
    DEMO_USERS = {}
    for _row in csv.DictReader(_users):
        DEMO_USERS.setdefault(_row["role"], _row)
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "SCHEDULER_IN_PROCESS": False,
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "bare: the test runs on a migrated database without the demo data; it builds its records itself"
    )
    config.addinivalue_line(
        "markers", "postgresql_only: the test is of something PostgreSQL alone has (partitions, its planner)"
    )


def pytest_collection_modifyitems(config, items):
    """A ``postgresql_only`` test has no SQLite variant: it is deselected there rather than skipped, so that a skip
    in the summary always means a test that could not run."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("postgresql_only")
        and getattr(item, "callspec", None) is not None
        and item.callspec.params.get("engine_name") == "sqlite"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in set(dropped)]


def is_bare(request) -> bool:
    """Whether the requesting test asked for the bare (demo-free) database."""
    return request.node.get_closest_marker("bare") is not None


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


def skip_without_redis() -> None:
    """Skip the calling test unless Redis listens on 127.0.0.1:6379 (``.ci/run`` starts it)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return
    except OSError:
        pytest.skip("Redis tests skipped: nothing listens on 127.0.0.1:6379")


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
def sqlite_bare_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "bare.db"
    build_database(f"sqlite:///{path}", seed=False)
    return path


@pytest.fixture(scope="session")
def postgres_seeded(fresh_postgres_database) -> str:
    url = fresh_postgres_database()
    build_database(url)
    return url


@pytest.fixture(scope="session")
def postgres_bare(fresh_postgres_database) -> str:
    url = fresh_postgres_database()
    build_database(url, seed=False)
    return url


def sqlite_copy(request, path: Path) -> str:
    """A fresh copy of the bare or seeded SQLite template, as a database URL."""
    template = "sqlite_bare_template" if is_bare(request) else "sqlite_template"
    shutil.copyfile(request.getfixturevalue(template), path)
    return f"sqlite:///{path}"


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
        app = make_app(sqlite_copy(request, tmp_path / "test.db"))
        yield app
        with app.app_context():
            db.engine.dispose()
        return
    app = make_app(request.getfixturevalue("postgres_bare" if is_bare(request) else "postgres_seeded"))
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


def totp_code(app, username: str) -> str:
    """The current code of the user's second factor, as the user's authenticator app would show it. The replay
    guard (a code signs in once) is reset first, so a test may sign the same user in on several clients."""
    from rating.models.users import User

    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.username == username))
        user.totp_last_step = None
        db.session.commit()
        return pyotp.TOTP(user.totp_secret).now()


def sign_in(client, username: str, password: str):
    """Sign in through the login form, completing the second factor when the account has one."""
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    if response.headers["Location"] == "/login/code":
        token = csrf_token(client, "/login/code")
        code = totp_code(client.application, username)
        response = client.post("/login/code", data={"code": code, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def login_as(client, request):
    """Sign a client in and return it: ``login_as(user)`` for a user made by ``make_user``; ``login_as(role)`` for
    the demo user of that role or, on a bare database, a new user of that role (``unit=`` binds it to a unit, else
    a unit-bound role gets a new unit of its own). ``client=`` signs in another test client than the default one."""

    def login(who, *, unit=None, client=client):
        if not isinstance(who, str):
            return sign_in(client, who.username, request.getfixturevalue("user_password"))
        if is_bare(request):
            user = request.getfixturevalue("make_user")(who, unit=unit)
            return sign_in(client, user.username, request.getfixturevalue("user_password"))
        assert unit is None, "the demo users' units are fixed; make a user with make_user instead"
        return sign_in(client, DEMO_USERS[who]["username"], DEMO_USERS[who]["password"])

    return login


def pytest_terminal_summary(terminalreporter):
    """Say once, plainly, what did not run here and why."""
    reasons = {str(report.longrepr[2]) for report in terminalreporter.stats.get("skipped", [])}
    for reason in sorted(reasons):
        terminalreporter.write_line(f"NOTE: {reason.removeprefix('Skipped: ')}", yellow=True)


@pytest.fixture
def committed_app(engine_name, request, tmp_path):
    """An app on its own migrated database (seeded unless the test is marked ``bare``) whose commits are real, for
    tests with several threads or connections (the ``app`` fixture's PostgreSQL transaction cannot be shared between
    threads)."""
    if engine_name == "sqlite":
        url = sqlite_copy(request, tmp_path / "committed.db")
    else:
        url = request.getfixturevalue("fresh_postgres_database")()
        build_database(url, seed=not is_bare(request))
    app = make_app(url)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
