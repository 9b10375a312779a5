"""The officials' components of the demo (seeds/assessments.csv, inspection_scores.csv, inspections.csv, and last
year's profile): annual assessments (年度考核), comprehensive-inspection scores (综合检查评议) and the findings of
明查暗访, each through the importers' validation and the officials' service. Called by rating.demo.run() for the
current cycle and by rating.demo.history for last year's."""

from datetime import date, timedelta

from sqlalchemy import func, select

from rating.demo import files
from rating.extensions import db
from rating.imports import officials as official_rows
from rating.models.assessments import InspectionFinding
from rating.models.cycles import Cycle
from rating.services import audit, officials

#: Days before today of the five inspection rounds in seeds/inspections.csv ("since August", five times).
INSPECTION_ROUND_DAYS_AGO = (120, 95, 70, 45, 20)


def load_assessments(actor: audit.Actor, cycle: Cycle, rows: list[dict[str, str]] | None = None) -> dict:
    """``post_code, grade_or_score`` rows (seeds/assessments.csv by default) through the importer and service."""
    ctx = officials.import_context(cycle)
    table = files.official_table(official_rows.ASSESSMENT_COLUMNS, rows or files.rows("assessments.csv"), ctx.posts)
    return officials.record_assessments(actor, cycle, official_rows.validate_assessments(table, ctx))


def load_inspection_scores(actor: audit.Actor, cycle: Cycle, rows: list[dict[str, str]] | None = None) -> dict:
    """``post_code, score, round`` rows (seeds/inspection_scores.csv by default) through the importer and service."""
    ctx = officials.import_context(cycle)
    table = files.official_table(official_rows.SCORE_COLUMNS, rows or files.rows("inspection_scores.csv"), ctx.posts)
    return officials.record_scores(actor, cycle, official_rows.validate_scores(table, ctx))


def record_findings(actor: audit.Actor, cycle: Cycle, raw: list[dict[str, str]]) -> tuple[int, int]:
    """Findings in the importers' columns plus ``notified`` (0/1): the quiet ones, then those notified publicly
    (通报). Returns (findings, notified)."""
    ctx = officials.import_context(cycle)
    loud = {line for line, row in enumerate(raw, start=2) if row["notified"].strip() == "1"}
    table = files.official_table(official_rows.FINDING_COLUMNS, raw, ctx.posts.keys() | ctx.units.keys())
    rows = official_rows.validate_findings(table, ctx)
    officials.record_findings(actor, cycle, [row for row in rows if row.line not in loud], notify=False)
    officials.record_findings(actor, cycle, [row for row in rows if row.line in loud], notify=True)
    return len(rows), sum(row.line in loud for row in rows)


def inspection_round_date(round_: int, cycle: Cycle, today: date) -> date:
    """Round r of the demo inspections, dated relative to today and kept inside the cycle, never in the future."""
    day = today - timedelta(days=INSPECTION_ROUND_DAYS_AGO[round_ - 1])
    return min(max(day, cycle.starts_on), today, cycle.ends_on)


def load_findings(actor: audit.Actor, cycle: Cycle, today: date) -> tuple[int, int]:
    """The five rounds of 明查暗访 once per cycle (recording always inserts); returns (findings, notified)."""
    seeded = db.session.scalar(
        select(func.count(InspectionFinding.id)).where(
            InspectionFinding.cycle_id == cycle.id, InspectionFinding.recorded_by == actor.name
        )
    )
    if seeded or today < cycle.starts_on:
        return 0, 0
    raw = files.rows("inspections.csv")
    # The file names rounds, not dates: fill in the importers' own columns (SPEC §7) from today.
    for row in raw:
        row["post_code"] = row["code"]
        row["date"] = inspection_round_date(int(row["round"]), cycle, today).isoformat()
    return record_findings(actor, cycle, raw)


def load_officials(actor: audit.Actor, cycle: Cycle, today: date) -> list[str]:
    """Assessments, comprehensive-inspection scores and inspection findings for the current year's cycle."""

    def counts(c: dict) -> str:
        return ", ".join(f"{key} {value}" for key, value in c.items())

    lines = [f"assessments: {counts(load_assessments(actor, cycle))}"]
    lines.append(f"inspection scores: {counts(load_inspection_scores(actor, cycle))}")
    findings, notified = load_findings(actor, cycle, today)
    lines.append(f"inspection findings: {findings} (notified {notified})")
    return lines
