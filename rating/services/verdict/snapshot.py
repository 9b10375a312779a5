"""Result sets as written (评议结果快照): the rows of a computation and how a set is stored, copied or replaced.

Called by rating.services.verdict.lifecycle. A set is written whole inside the caller's transaction, so a
computation that dies leaves nothing behind; the database refuses to change a row once written.
"""

from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from psycopg.types.json import Json
from sqlalchemy import delete, func, insert, select

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.results import Result, ResultKind, ResultSet
from rating.scoring import verdict
from rating.scoring.method import MethodSettings
from rating.services.verdict.export import canonical_hash, result_lines
from rating.services.verdict.gather import CycleInputs, Gathered


@dataclass(frozen=True)
class _Figures:
    """What every row of one computation shares: the method, μ and the cycle's spread of v (each worked out once)."""

    method: MethodSettings
    mu: float
    spread: float

    @classmethod
    def of(cls, inputs: CycleInputs, method: MethodSettings) -> "_Figures":
        return cls(method, inputs.mu(method), inputs.spread(method))


def rows(inputs: CycleInputs, method: MethodSettings, provisional: bool = False) -> list[dict]:
    """The rows of a set in order: the ranked lines by rank; in provisional standings, the ranked lines still
    missing a component; then the holders whose tenure was too short to be ranked, with their own figures."""
    figures = _Figures.of(inputs, method)
    ranked, short = [], []
    for line in inputs.posts:
        (ranked if line.ranked(method) else short).append(line)
    result = _ranked_rows(figures, [line for line in ranked if not line.missing])
    if provisional:
        missing = [line for line in ranked if line.missing]
        result += _partial_rows(figures, missing, verdict.Rule.MISSING, len(result), ranked=True)
    return result + _partial_rows(figures, short, verdict.Rule.SHORT_TENURE, len(result), ranked=False)


def _ranked_rows(figures: _Figures, complete: list[Gathered]) -> list[dict]:
    """The rows of the ranked lines, in rank order."""
    method = figures.method
    weighted = [line.tally.weighted(method) for line in complete]  # once a line: the input and the row share it
    post_inputs = [line.input(method, w) for line, w in zip(complete, weighted, strict=True)]
    by_key = {p.key: (line, w) for p, line, w in zip(post_inputs, complete, weighted, strict=True)}
    rows = []
    for r in verdict.compute(post_inputs, method, mu=figures.mu):
        line, w = by_key[r.key]
        scores = (r.service, r.assessment, r.conduct, r.inspection, r.composite, r.rank, r.title, r.rule, r.eligible)
        rows.append(_row(line, w, figures, r.rank, True, scores))
    return rows


def _partial_rows(figures: _Figures, lines: list[Gathered], rule: verdict.Rule, after: int, ranked: bool) -> list[dict]:
    """Rows without a rank: what is known of each line, its composite when every component is there."""
    rows = []
    for i, line in enumerate(lines, 1):
        weighted = line.tally.weighted(figures.method)
        rows.append(_row(line, weighted, figures, after + i, ranked, _partial(line, weighted, figures, rule)))
    return rows


def _partial(line: Gathered, weighted: verdict.Weighted, figures: _Figures, rule: verdict.Rule) -> tuple:
    """The scores of a line without a rank, in the order of ``_row``'s ``scores``."""
    method = figures.method
    post_input = line.input(method, weighted)
    missing = line.missing
    values = {
        "service": verdict.service_score(post_input, figures.mu, method.prior_weight),
        "assessment": None if "assessment" in missing else verdict.assessment_score(post_input, method),
        "conduct": verdict.conduct_score(post_input, method),
        "inspection": None if "inspection" in missing else post_input.inspection_mean,
    }
    composite = None if missing else verdict.composite(values, method)
    eligible = verdict.is_eligible(line.grade, line.complaints.veto)
    return (*values.values(), composite, None, None, rule, eligible)


def _row(
    line: Gathered, weighted: verdict.Weighted, figures: _Figures, position: int, ranked: bool, scores: tuple
) -> dict:
    """A result row; ``scores`` are its service, assessment, conduct, inspection, composite, rank, title, rule and
    eligibility. Every row has the same columns in the same order (insert_rows reads the first row's)."""
    service, assessment, conduct, inspection, composite, rank, title, rule, eligible = scores
    if weighted.count >= 2:
        spread = verdict.weighted_spread(weighted.weight, weighted.value_sum, weighted.squares)
    else:
        spread = figures.spread
    post, complaints = line.post, line.complaints
    return {
        "position": position,
        "post_id": post.post_id,
        "holder_id": post.holder_id,
        "post_code": post.code,
        "post_title": post.title,
        "unit_code": post.unit_code,
        "unit_name": post.unit_name,
        "holder_name": post.holder_name,
        "ranked": ranked,
        "tenure_days": post.tenure_days,
        "ratings": weighted.count,
        "verified_ratings": line.tally.verified_count,
        "rating_weight": weighted.weight,
        "rating_value_sum": weighted.value_sum,
        "rating_spread": spread,
        "grade": line.grade,
        "inspection_deductions": line.deductions,
        "complaints_substantiated": complaints.substantiated,
        "complaints_partly": complaints.partly,
        "complaints_reopened": complaints.reopened,
        "discipline_veto": complaints.veto,
        "inspection_rounds": line.scores.rounds,
        "service": service,
        "assessment": assessment,
        "conduct": conduct,
        "inspection": inspection,
        "composite": composite,
        "rank": rank,
        "title": title,
        "rule": rule,
        "eligible": eligible,
    }


def next_version(cycle: Cycle, kind: ResultKind) -> int:
    latest = db.session.scalar(
        select(func.max(ResultSet.version)).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == kind)
    )
    return (latest or 0) + 1


def _insert_rows(rows: list[dict], result_set_id: int) -> None:
    """Insert result rows in the session's transaction (see ``insert_rows``)."""
    insert_rows(Result.__table__, rows, _CONVERT, result_set_id=result_set_id)


def insert_rows(table, rows: list[dict], convert: dict | None = None, **same) -> None:
    """Insert the rows of a set in the session's transaction: COPY on PostgreSQL (a provincial result has tens of
    thousands of rows, and one COPY beats as many INSERTs), a plain executemany elsewhere. ``same`` gives columns
    every row shares (the set's id), so the rows need not be copied to carry it; ``convert`` turns the values COPY
    cannot send as they are (enums, JSON) by column. Also used by the rankings' sets."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(table), [{**row, **same} for row in rows])
        return
    columns = list(rows[0])
    names = ", ".join(f'"{table.c[name].name}"' for name in [*same, *columns])
    shared = tuple(same.values())
    values_of = itemgetter(*columns) if len(columns) > 1 else lambda row: (row[columns[0]],)  # one C call a row
    converters = [(index, convert[name]) for index, name in enumerate(columns, len(same)) if name in (convert or {})]
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                values = shared + values_of(row)
                copy.write_row(_plain(values, converters) if converters else values)


#: COPY sends values as they are; the withheld counts go as JSON. The title and rule enums need no converting: they
#: are str subclasses, which psycopg dumps as their text (their value), as it does any str.
_CONVERT = {"withheld": Json}


def _plain(values: tuple, converters: list[tuple[int, object]]) -> list:
    values = list(values)
    for index, convert in converters:
        if values[index] is not None:
            values[index] = convert(values[index])
    return values


def write(
    cycle: Cycle,
    kind: ResultKind,
    method: MethodSettings,
    inputs: CycleInputs,
    rows: list[dict],
    by: str,
    version: int | None = None,
    **extra,
) -> ResultSet:
    """Store a computed set with its frozen method, μ, the posts still missing a component and its content hash."""
    version = version or next_version(cycle, kind)
    method_dict = method.to_dict()
    result_set = ResultSet(
        cycle_id=cycle.id,
        kind=kind,
        version=version,
        computed_by=by,
        method=method_dict,
        mean=inputs.mu(method),
        ranked=sum(1 for row in rows if row["rank"] is not None),
        missing=[{"post_code": code, "missing": parts} for code, parts in inputs.missing(method)],
        content_hash=canonical_hash(cycle.year, str(kind), version, method_dict, result_lines(rows, method_dict)),
        **extra,
    )
    db.session.add(result_set)
    db.session.flush()
    _insert_rows(rows, result_set.id)
    return result_set


def replace_provisional(cycle: Cycle) -> int:
    """Drop the cycle's provisional standings; returns the version the next one takes, numbered on from the one
    it replaces, so that "standings no. N" always means one computation."""
    version = next_version(cycle, ResultKind.PROVISIONAL)
    old = select(ResultSet.id).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PROVISIONAL)
    old_ids = list(db.session.scalars(old))
    if old_ids:
        db.session.execute(delete(Result).where(Result.result_set_id.in_(old_ids)))
        db.session.execute(delete(ResultSet).where(ResultSet.id.in_(old_ids)))
    return version


def publish_copy(source: ResultSet, cycle: Cycle, reason: str = "", at: datetime | None = None) -> ResultSet:
    """Publish a draft as it stands: a new published version with the draft's rows, method and μ."""
    version = next_version(cycle, ResultKind.PUBLISHED)
    lines = result_lines(source.rows, source.method)
    published = ResultSet(
        cycle_id=cycle.id,
        kind=ResultKind.PUBLISHED,
        version=version,
        computed_at=source.computed_at,
        computed_by=source.computed_by,
        method=source.method,
        mean=source.mean,
        ranked=source.ranked,
        missing=[],
        content_hash=canonical_hash(cycle.year, str(ResultKind.PUBLISHED), version, source.method, lines),
        published_at=at or utcnow(),
        reason=reason,
        source_id=source.id,
    )
    db.session.add(published)
    db.session.flush()
    skip = {"id", "result_set_id"}
    columns = [c.key for c in Result.__table__.columns if c.key not in skip]
    _insert_rows([{c: getattr(row, c) for c in columns} for row in source.rows], published.id)
    return published
