"""The units' scores of a cycle (部门考核分数): targets, responsibility, conduct and targets_met, entered on the
office's grid or by ``import-unit-scores``; every change audited. The department ranking reads them.
"""

from sqlalchemy import select

from rating.extensions import db
from rating.imports.units import UnitScoreRow
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.rankings import UnitScore
from rating.models.units import Unit
from rating.services import audit
from rating.services.officials import Amendment, check_open_for_entries

FIELDS = ("targets", "responsibility", "conduct", "targets_met")


def _values(score: UnitScore | UnitScoreRow) -> dict:
    return {name: getattr(score, name) for name in FIELDS}


def units_by_code() -> dict[str, int]:
    return dict(db.session.execute(select(Unit.code, Unit.id)).all())


def record_unit_scores(actor: audit.Actor, cycle: Cycle, rows: list[UnitScoreRow], amendment=None) -> str:
    """Set each row's scores; unchanged rows write nothing. The cycle must take entries (until notice)."""
    check_open_for_entries(cycle, amendment or Amendment())
    existing = {
        score.unit_id: score
        for score in db.session.scalars(
            select(UnitScore).where(UnitScore.cycle_id == cycle.id, UnitScore.unit_id.in_([r.unit_id for r in rows]))
        )
    }
    created = changed = 0
    for row in rows:
        score = existing.get(row.unit_id)
        before = _values(score) if score is not None else None
        if before == _values(row):
            continue
        if score is None:
            score = UnitScore(cycle_id=cycle.id, unit_id=row.unit_id)
            db.session.add(score)
            created += 1
        else:
            changed += 1
        for name, value in _values(row).items():
            setattr(score, name, value)
        score.entered_by, score.updated_at = actor.name, utcnow()
        db.session.flush()
        audit.record(
            actor,
            "unit_score.set",
            "unit_score",
            score.id,
            before=before,
            after={**_values(row), "unit": row.unit_code, "cycle": cycle.year},
        )
    return f"{created} new, {changed} changed"


def scores_of(cycle: Cycle) -> dict[int, UnitScore]:
    """The cycle's scores by unit id (the grid)."""
    return {s.unit_id: s for s in db.session.scalars(select(UnitScore).where(UnitScore.cycle_id == cycle.id))}
