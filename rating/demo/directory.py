"""The demo's directory (seeds/units.csv, posts.csv, users.csv): units, key posts with their holders, the demo
logins and the current year's open cycle, each through its service. Called by rating.demo.run()."""

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select

from rating.demo import files
from rating.extensions import db
from rating.imports import posts as post_rows
from rating.imports.reader import read_table
from rating.models.posts import Holder, Post, Tenure
from rating.models.units import Unit
from rating.models.users import User
from rating.services import audit
from rating.services.complaints import centres
from rating.services.cycles import create_cycle, find_cycle
from rating.services.posts import import_posts
from rating.services.units import upsert_unit
from rating.services.users import create_user


def load_units(actor: audit.Actor) -> int:
    """Every unit, parents first (counties before their stations, departments before their windows); then the
    complaint centres, the city's and one per county, so each is listed even before it has a case."""
    changed = 0
    for row in sorted(files.rows("units.csv"), key=lambda r: bool(r["parent_code"])):
        parent = None
        if row["parent_code"]:
            parent = db.session.scalar(select(Unit).where(Unit.code == row["parent_code"]))
        _, was_changed = upsert_unit(actor, name=row["name"], kind=row["kind"], code=row["code"], parent=parent)
        changed += was_changed
    centres.ensure_all()
    return changed


def load_posts(actor: audit.Actor, today: date):
    """The 100 key posts through the posts importer and service. The file names each post's first holder; a post
    the demo has since transferred (rating.demo.follow_through, rotations) keeps its current holder, so that a
    second run changes nothing."""
    data = (files.SEEDS / "posts.csv").read_bytes()
    rows = post_rows.validate_rows(read_table(data, "posts.csv", post_rows.COLUMNS))
    current = dict(
        db.session.execute(
            select(Post.code, Holder.name)
            .join(Tenure, Tenure.post_id == Post.id)
            .join(Holder, Holder.id == Tenure.holder_id)
            .where(Tenure.ended_on.is_(None))
        ).all()
    )
    rows = [replace(row, holder=current.get(row.code, row.holder)) for row in rows]
    # Demo holders took office two years before the current cycle, so last year's cycle has them too.
    return import_posts(actor, rows, started_on=date(today.year - 2, 1, 1))


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, TOTP secret or "") of the demo accounts, printed by ``flask seed``. The secrets
    are published with the demo, like its passwords: demo only (``flask seed`` refuses production)."""
    return [
        (row["username"], row["password"], row["role"], row.get("totp_secret") or "") for row in files.rows("users.csv")
    ]


def load_users(actor: audit.Actor) -> None:
    """The demo accounts that do not exist yet."""
    for row in files.rows("users.csv"):
        if db.session.scalar(select(User.id).where(User.username == row["username"])):
            continue
        create_user(
            actor,
            username=row["username"],
            password=row["password"],
            role=row["role"],
            unit_code=row["unit_code"] or None,
            display_name=row["display_name"],
            email=(row.get("email") or "").strip() or None,
            centre_code=row.get("centre_code") or None,
        ).totp_secret = row.get("totp_secret") or None


def load_cycle(actor: audit.Actor, today: date) -> list[str]:
    """The current year's open cycle, with dates relative to today so the demo never goes stale, and next year's,
    created in advance as offices do in November (scheduled until it starts the day after this one ends)."""
    created = []
    current = find_cycle(today.year)
    if current is None:
        ends_on = max(date(today.year, 12, 31), today + timedelta(days=30))
        current = create_cycle(actor, today.year, date(today.year, 1, 1), ends_on)
        created.append(str(today.year))
    if find_cycle(today.year + 1) is None:
        starts_on = max(date(today.year + 1, 1, 1), current.ends_on + timedelta(days=1))
        create_cycle(actor, today.year + 1, starts_on, max(starts_on, date(today.year + 1, 12, 31)))
        created.append(str(today.year + 1))
    return created
