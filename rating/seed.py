"""Loading the demo data in ``seeds/`` (the Datong shape of the seed article): last year's published verdict
(rating.seed_history) and the current year's open cycle with its records and provisional standings. Idempotent: a
second run changes nothing. Called by ``flask --app rating seed``; later features add their own files and steps
here."""

import csv
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from rating.clock import local_today
from rating.extensions import db
from rating.imports import officials as official_rows
from rating.imports import posts as post_rows
from rating.imports.reader import Table, read_table
from rating.models.assessments import InspectionFinding
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Post
from rating.models.results import ResultKind, ResultSet
from rating.models.units import Unit
from rating.models.users import User
from rating.services import audit, officials
from rating.services.cycles import create_cycle
from rating.services.posts import import_posts
from rating.services.units import upsert_unit
from rating.services.users import create_user
from rating.services.verdict import lifecycle

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@dataclass
class SeedReport:
    lines: list[str] = field(default_factory=list)


def seed_rows(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Post.id)))


def load_units(actor) -> int:
    rows = seed_rows("units.csv")
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
    return [(row["username"], row["password"], row["role"]) for row in seed_rows("users.csv")]


def load_users(actor) -> None:
    for row in seed_rows("users.csv"):
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
        )


def load_cycles(actor, today: date) -> list[str]:
    """The current year's open cycle, with dates relative to today so the demo never goes stale."""
    created = []
    if not db.session.scalar(select(Cycle.id).where(Cycle.year == today.year)):
        ends_on = max(date(today.year, 12, 31), today + timedelta(days=30))
        create_cycle(actor, today.year, date(today.year, 1, 1), ends_on)
        created.append(str(today.year))
    return created


#: Days before today of the five inspection rounds in seeds/inspections.csv ("since August", five times).
INSPECTION_ROUND_DAYS_AGO = (120, 95, 70, 45, 20)


def official_table(columns: list[str], rows: list[dict[str, str]], known) -> Table:
    """Seed rows as the importers' Table (line numbers as in the file); rows naming a post or unit not ``known``
    (a demo post deactivated since) are left out rather than failing the whole seed."""
    return Table(
        columns,
        [
            (line, {column: row[column].strip() for column in columns})
            for line, row in enumerate(rows, start=2)
            if row[columns[0]].strip().upper() in known
        ],
    )


def _open_cycle(today: date) -> Cycle | None:
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == today.year))
    return cycle if cycle is not None and cycle.takes_entries else None


def load_assessments(actor, cycle: Cycle, rows: list[dict[str, str]] | None = None) -> dict:
    """``post_code, grade_or_score`` rows (seeds/assessments.csv by default) through the importer and service."""
    ctx = officials.import_context(cycle)
    table = official_table(official_rows.ASSESSMENT_COLUMNS, rows or seed_rows("assessments.csv"), ctx.posts)
    return officials.record_assessments(actor, cycle, official_rows.validate_assessments(table, ctx))


def load_inspection_scores(actor, cycle: Cycle, rows: list[dict[str, str]] | None = None) -> dict:
    """``post_code, score, round`` rows (seeds/inspection_scores.csv by default) through the importer and service."""
    ctx = officials.import_context(cycle)
    table = official_table(official_rows.SCORE_COLUMNS, rows or seed_rows("inspection_scores.csv"), ctx.posts)
    return officials.record_scores(actor, cycle, official_rows.validate_scores(table, ctx))


def inspection_round_date(round_: int, cycle: Cycle, today: date) -> date:
    """Round r of the demo inspections, dated relative to today and kept inside the cycle, never in the future."""
    day = today - timedelta(days=INSPECTION_ROUND_DAYS_AGO[round_ - 1])
    return min(max(day, cycle.starts_on), today, cycle.ends_on)


def load_findings(actor, cycle: Cycle, today: date) -> tuple[int, int]:
    """The five rounds of 明查暗访 once per cycle (recording always inserts); returns (findings, notified)."""
    seeded = db.session.scalar(
        select(func.count(InspectionFinding.id)).where(
            InspectionFinding.cycle_id == cycle.id, InspectionFinding.recorded_by == actor.name
        )
    )
    if seeded or today < cycle.starts_on:
        return 0, 0
    ctx = officials.import_context(cycle)
    raw = seed_rows("inspections.csv")
    # The file names rounds, not dates: fill in the importers' own columns (SPEC §7) from today.
    for row in raw:
        row["post_code"] = row["code"]
        row["date"] = inspection_round_date(int(row["round"]), cycle, today).isoformat()
    notified_lines = {line for line, row in enumerate(raw, start=2) if row["notified"].strip() == "1"}
    table = official_table(official_rows.FINDING_COLUMNS, raw, ctx.posts.keys() | ctx.units.keys())
    rows = official_rows.validate_findings(table, ctx)
    loud = [row for row in rows if row.line in notified_lines]
    officials.record_findings(actor, cycle, [row for row in rows if row.line not in notified_lines], notify=False)
    officials.record_findings(actor, cycle, loud, notify=True)
    return len(rows), len(loud)


def load_officials(actor, today: date) -> list[str]:
    """Assessments, comprehensive-inspection scores and inspection findings for the current year's cycle."""
    cycle = _open_cycle(today)
    if cycle is None:
        return [f"officials: the {today.year} cycle takes no more entries; skipped"]

    def counts(c: dict) -> str:
        return ", ".join(f"{key} {value}" for key, value in c.items())

    lines = [f"assessments: {counts(load_assessments(actor, cycle))}"]
    lines.append(f"inspection scores: {counts(load_inspection_scores(actor, cycle))}")
    findings, notified = load_findings(actor, cycle, today)
    lines.append(f"inspection findings: {findings} (notified {notified})")
    if today >= cycle.starts_on:
        from rating.seed_ratings import load_ratings

        lines.append(load_ratings(actor, cycle, today, seed_rows("ratings.csv")))
        from rating.seed_complaints import load_complaints

        lines.append(load_complaints(actor, cycle, today))
    return lines


def load_provisional(today: date) -> str:
    """The current cycle's provisional standings (实时排名), so the administrator sees them on first start; the
    scheduler recomputes them hourly afterwards."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == today.year, Cycle.status == CycleStatus.OPEN))
    if cycle is None:
        return f"provisional standings: no open {today.year} cycle; skipped"
    if db.session.scalar(
        select(ResultSet.id).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PROVISIONAL)
    ):
        return "provisional standings: already computed"
    standings = lifecycle.compute_provisional(cycle, by="seed")
    return f"provisional standings: {standings.ranked} posts ranked"


def run() -> SeedReport:
    """Load every seed file; flushes, the caller commits."""
    from rating.seed_history import load_history

    actor, today, report = audit.Actor("seed"), local_today(), SeedReport()
    report.lines.append(f"units changed: {load_units(actor)}")
    report.lines.append(f"posts: {load_posts(actor, today)}")
    load_users(actor)
    report.lines.extend(load_history(actor, today))
    report.lines.append(f"cycles created: {', '.join(load_cycles(actor, today)) or 'none'}")
    report.lines.extend(load_officials(actor, today))
    report.lines.append(load_provisional(today))
    return report
