"""Loading the demo data in ``seeds/`` (the Datong shape of the seed article). Idempotent: a second run changes
nothing. Called by ``flask --app rating seed``; later features add their own files and steps here."""

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from rating.clock import local_today
from rating.extensions import db
from rating.imports import posts as post_rows
from rating.imports.reader import read_table
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.units import Unit
from rating.models.users import User
from rating.services import audit
from rating.services.cycles import create_cycle
from rating.services.posts import import_posts
from rating.services.units import upsert_unit
from rating.services.users import create_user

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass
class SeedReport:
    lines: list[str] = field(default_factory=list)


def _rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Post.id)))


def load_units(actor) -> int:
    rows = _rows("units.csv")
    changed = 0
    # Parents first: counties before their stations, departments before their windows.
    for row in sorted(rows, key=lambda r: bool(r["parent_code"])):
        parent = None
        if row["parent_code"]:
            parent = db.session.scalar(select(Unit).where(Unit.code == row["parent_code"]))
        _, was_changed = upsert_unit(actor, name=row["name"], kind=row["kind"], code=row["code"], parent=parent)
        changed += was_changed
    return changed


def load_posts(actor, today: date):
    data = (SEEDS / "posts.csv").read_bytes()
    rows = post_rows.validate_rows(read_table(data, "posts.csv", post_rows.COLUMNS))
    # Demo holders took office two years before the current cycle, so last year's cycle has them too.
    return import_posts(actor, rows, started_on=date(today.year - 2, 1, 1))


def demo_logins() -> list[tuple[str, str, str]]:
    return [(row["username"], row["password"], row["role"]) for row in _rows("users.csv")]


def load_users(actor) -> None:
    for row in _rows("users.csv"):
        if db.session.scalar(select(User.id).where(User.username == row["username"])):
            continue
        create_user(
            actor,
            username=row["username"],
            password=row["password"],
            role=row["role"],
            unit_code=row["unit_code"] or None,
            display_name=row["display_name"],
        )


def load_cycles(actor, today: date) -> list[str]:
    """The current year's open cycle, with dates relative to today so the demo never goes stale."""
    created = []
    if not db.session.scalar(select(Cycle.id).where(Cycle.year == today.year)):
        ends_on = max(date(today.year, 12, 31), today + timedelta(days=30))
        create_cycle(actor, today.year, date(today.year, 1, 1), ends_on)
        created.append(str(today.year))
    return created


def run() -> SeedReport:
    """Load every seed file; flushes, the caller commits."""
    actor, today, report = audit.Actor("seed"), local_today(), SeedReport()
    report.lines.append(f"units changed: {load_units(actor)}")
    report.lines.append(f"posts: {load_posts(actor, today)}")
    load_users(actor)
    report.lines.append(f"cycles created: {', '.join(load_cycles(actor, today)) or 'none'}")
    return report
