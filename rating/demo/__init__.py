"""The demo (演示数据): the Datong shape of the 2008 article, loaded from the files in ``seeds/`` through the
services, so that every record passes the same rules and leaves the same audit trail as one entered by hand.

- directory: units, key posts and holders, demo logins, the current year's cycle;
- history: last year's cycle, with its records, computed, noticed and published;
- follow_through: last year's warned holders transferred out (on time, late, still open);
- rotations: two posts change hands during the current cycle (a line per holder);
- officials: assessments, inspection scores and findings of the current cycle;
- ratings and followups: the current cycle's ratings, held and excluded ones, bad reviews at every stage;
- complaints: the article's 196 cases, at every stage of the closed loop.

Idempotent: a second run changes nothing. Called by ``flask --app rating seed``, the test suite and the benchmarks.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from rating.clock import local_today
from rating.demo.complaints import load_complaints
from rating.demo.directory import demo_logins, load_cycle, load_posts, load_units, load_users
from rating.demo.follow_through import load_ledger, load_transfers
from rating.demo.history import load_history
from rating.demo.officials import load_officials
from rating.demo.rankings import load_rankings
from rating.demo.ratings import load_ratings
from rating.demo.rotations import assess_earlier_holders, load_rotations
from rating.extensions import db
from rating.models.cycles import CycleStatus
from rating.models.posts import Post
from rating.models.results import ResultKind, ResultSet
from rating.services import audit
from rating.services.cycles import find_cycle
from rating.services.verdict import lifecycle

__all__ = ["DemoReport", "database_is_empty", "demo_logins", "run"]


@dataclass
class DemoReport:
    """What the run did, one line per step, printed by ``flask seed``."""

    lines: list[str] = field(default_factory=list)


def database_is_empty() -> bool:
    return not db.session.scalar(select(func.count(Post.id)))


def run() -> DemoReport:
    """Load every demo file; flushes, the caller commits."""
    actor, today, report = audit.Actor("seed"), local_today(), DemoReport()
    report.lines.append(f"units changed: {load_units(actor)}")
    report.lines.append(f"posts: {load_posts(actor, today)}")
    load_users(actor)
    report.lines.extend(load_history(actor, today))
    report.lines.append(f"cycles created: {', '.join(load_cycle(actor, today)) or 'none'}")
    report.lines.extend(_load_current(actor, today))
    report.lines.extend(load_rankings(actor, today))
    report.lines.append(_load_provisional(today))
    return report


def _load_current(actor: audit.Actor, today: date) -> list[str]:
    """The current cycle's records, while it takes entries."""
    cycle = find_cycle(today.year)
    if cycle is None or not cycle.takes_entries:
        return [f"officials: the {today.year} cycle takes no more entries; skipped"]
    lines = [load_transfers(actor, today), load_rotations(actor, cycle, today)] if today > cycle.starts_on else []
    lines += load_officials(actor, cycle, today)
    lines.append(assess_earlier_holders(actor, cycle))
    if today >= cycle.starts_on:
        lines.append(load_ratings(actor, cycle, today))
        lines.append(load_complaints(actor, cycle, today))
        lines.append(load_ledger(actor, today))
    return lines


def _load_provisional(today: date) -> str:
    """The current cycle's provisional standings (实时排名), so the administrator sees them on first start; the
    scheduler recomputes them hourly afterwards."""
    cycle = find_cycle(today.year)
    if cycle is None or cycle.status != CycleStatus.OPEN:
        return f"provisional standings: no open {today.year} cycle; skipped"
    if db.session.scalar(
        select(ResultSet.id).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PROVISIONAL)
    ):
        return "provisional standings: already computed"
    standings = lifecycle.compute_provisional(cycle, by="seed")
    return f"provisional standings: {standings.ranked} posts ranked"
