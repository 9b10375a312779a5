"""The bare insert baseline: a Flask app (no project code) whose one POST endpoint inserts one row with SQLAlchemy Core.

    DATABASE_URL=... gunicorn -w 2 'bench.bare_insert:create_app()'

Uses the same database as the app (DATABASE_URL; postgresql:// goes through psycopg 3) and its own table
``bench_bare``, created on startup if missing. SQLite is opened like the app opens it: WAL, foreign keys on,
busy_timeout 30 s. POST /insert with form fields ``post`` and ``level`` answers 201.
"""

import os
from datetime import UTC, datetime

from flask import Flask, abort, request
from sqlalchemy import Column, DateTime, Integer, MetaData, Table, Text, create_engine, event, insert, inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError

metadata = MetaData()
bench_bare = Table(
    "bench_bare",
    metadata,
    Column("id", Integer, primary_key=True),  # INTEGER PRIMARY KEY on SQLite, SERIAL on PostgreSQL
    Column("post", Text, nullable=False),
    Column("level", Integer, nullable=False),
    Column("created_at", DateTime, nullable=False),
)


def sqlalchemy_url(url: str) -> str:
    """postgres:// and postgresql:// use psycopg 3, as the app does."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str) -> Engine:
    url = sqlalchemy_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def ensure_table(engine: Engine) -> None:
    """Create ``bench_bare`` if missing; tolerate another worker creating it at the same moment."""
    try:
        metadata.create_all(engine, checkfirst=True)
    except DBAPIError:
        if not inspect(engine).has_table("bench_bare"):
            raise


def create_app() -> Flask:
    engine = make_engine(os.environ["DATABASE_URL"])
    ensure_table(engine)
    app = Flask(__name__)

    @app.get("/")
    def alive():
        return "ok"

    @app.post("/insert")
    def insert_one():
        try:
            level = int(request.form["level"])
        except (KeyError, ValueError):
            abort(422)
        now = datetime.now(UTC).replace(tzinfo=None)  # naive UTC in a plain timestamp column
        row = {"post": request.form.get("post", "")[:20], "level": level, "created_at": now}
        with engine.begin() as conn:
            conn.execute(insert(bench_bare).values(**row))
        return "ok", 201

    return app
