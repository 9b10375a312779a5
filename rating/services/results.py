"""The verdict's use cases: gather the four components in SQL, compute, and carry the result from draft through
public notice (公示) to publication, with corrections as new versions.

Each component is one grouped query over its table; nothing loops over ratings in Python. The arithmetic of
SPEC §3 is ``rating.scoring.verdict``; this module only feeds it and keeps what it returns. Every result set is
written whole inside the caller's transaction, so a computation that dies leaves nothing behind.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import String, and_, case, delete, func, insert, or_, select, type_coerce

from rating.clock import local_today
from rating.extensions import db
from rating.models.assessments import Assessment, InspectionFinding, InspectionScore
from rating.models.base import utcnow
from rating.models.complaints import Category, Complaint, ComplaintStatus, Finding
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Holder, Post, Tenure
from rating.models.ratings import Rating, RatingStatus
from rating.models.results import Objection, Result, ResultKind, ResultSet
from rating.models.units import Unit
from rating.scoring import verdict
from rating.scoring.method import MethodSettings
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput, NotFound

COMPONENTS = ("assessment", "inspection")


class MissingComponents(Conflict):
    """Final computation refused: some posts lack an assessment or an inspection score."""

    def __init__(self, missing: list[tuple[str, list[str]]]):
        self.missing = missing
        names = {"assessment": _("年度考核"), "inspection": _("综合检查评议")}
        listed = "; ".join(f"{code}: {', '.join(names[c] for c in parts)}" for code, parts in missing)
        super().__init__(_("%(n)d 个岗位缺少评议数据,不能计算:%(list)s", n=len(missing), list=listed))


@dataclass
class _PostLine:
    post_id: int
    code: str
    title: str
    unit_code: str
    unit_name: str
    holder_id: int | None = None
    holder_name: str = ""
    verified_count: int = 0
    verified_sum: int = 0
    verified_squares: int = 0
    unverified_count: int = 0
    unverified_sum: int = 0
    unverified_squares: int = 0
    grade: str | None = None
    assessment_score: float | None = None
    has_assessment: bool = False
    deductions: float = 0.0
    substantiated: int = 0
    partly: int = 0
    veto: bool = False
    score_sum: float = 0.0
    score_rounds: int = 0
    missing: list[str] = field(default_factory=list)


@dataclass
class Gathered:
    lines: list[_PostLine]
    mu: float
    spread: float  #: σ of v over the whole cycle, for posts with fewer than two ratings

    @property
    def missing(self) -> list[tuple[str, list[str]]]:
        return [(line.code, line.missing) for line in self.lines if line.missing]


def _weights(method: MethodSettings, line: _PostLine) -> tuple[float, float, float, int]:
    """(Σw, Σw·v, Σw·v², count) from the integer sums, so that every engine gives the same figures."""
    vw, uw = method.verified_weight, method.unverified_weight
    return (
        vw * line.verified_count + uw * line.unverified_count,
        vw * line.verified_sum + uw * line.unverified_sum,
        vw * line.verified_squares + uw * line.unverified_squares,
        line.verified_count + line.unverified_count,
    )


def _reference_day(cycle: Cycle) -> date:
    return min(local_today(), cycle.ends_on)


def gather(cycle: Cycle, method: MethodSettings, post_ids: list[int] | None = None) -> Gathered:
    """The four components' inputs for every active post (or for the given posts: a correction ranks the posts
    that were ranked when it was published), one grouped query per component."""
    day = _reference_day(cycle)
    holder_at = (
        select(Tenure.post_id, Tenure.holder_id, Holder.name)
        .join(Holder, Holder.id == Tenure.holder_id)
        .where(Tenure.started_on <= day, or_(Tenure.ended_on.is_(None), Tenure.ended_on >= day))
        .subquery()
    )
    current = (
        select(Tenure.post_id, Tenure.holder_id, Holder.name)
        .join(Holder, Holder.id == Tenure.holder_id)
        .where(Tenure.ended_on.is_(None))
        .subquery()
    )
    posts = db.session.execute(
        select(
            Post.id,
            Post.code,
            Post.title,
            Unit.code,
            Unit.name,
            func.coalesce(holder_at.c.holder_id, current.c.holder_id),
            func.coalesce(holder_at.c.name, current.c.name, ""),
        )
        .join(Unit, Unit.id == Post.unit_id)
        .outerjoin(holder_at, holder_at.c.post_id == Post.id)
        .outerjoin(current, current.c.post_id == Post.id)
        .where(Post.active.is_(True) if post_ids is None else Post.id.in_(post_ids))
        .order_by(Post.code)
    ).all()
    lines: dict[int, _PostLine] = {}
    for post_id, code, title, unit_code, unit_name, holder_id, holder_name in posts:
        lines.setdefault(post_id, _PostLine(post_id, code, title, unit_code, unit_name, holder_id, holder_name or ""))

    # S: counts of counted ratings by post, verified flag and level (at most ten groups a post), read from the
    # covering index ix_ratings_tally; the integer sums of v = (level − 1) × 25 and v² follow from them exactly.
    rating_rows = db.session.execute(
        select(Rating.post_id, Rating.verified, Rating.level, func.count())
        .where(Rating.cycle_id == cycle.id, Rating.status == RatingStatus.COUNTED)
        .group_by(Rating.post_id, Rating.verified, Rating.level)
    ).all()
    total_w = total_wv = total_wv2 = 0.0
    for post_id, is_verified, level, count in rating_rows:
        v = (level - 1) * 25
        weight = method.verified_weight if is_verified else method.unverified_weight
        # μ is over all counted ratings of all posts in the cycle, ranked or not (SPEC §3).
        total_w += weight * count
        total_wv += weight * count * v
        total_wv2 += weight * count * v * v
        line = lines.get(post_id)
        if line is None:
            continue
        if is_verified:
            line.verified_count += count
            line.verified_sum += count * v
            line.verified_squares += count * v * v
        else:
            line.unverified_count += count
            line.unverified_sum += count * v
            line.unverified_squares += count * v * v

    # A: one assessment per post and cycle (a grade or a score).
    for post_id, grade, score in db.session.execute(
        # The grade as its stored code: no enum conversion per post.
        select(Assessment.post_id, type_coerce(Assessment.grade, String), Assessment.score).where(
            Assessment.cycle_id == cycle.id
        )
    ):
        line = lines.get(post_id)
        if line is not None:
            line.has_assessment = True
            line.grade = str(grade) if grade is not None else None
            line.assessment_score = score

    # C, first half: deduction points of the cycle's findings on the post (withdrawn findings count for nothing).
    for post_id, deductions in db.session.execute(
        select(InspectionFinding.post_id, func.sum(InspectionFinding.deduction))
        .where(
            InspectionFinding.cycle_id == cycle.id,
            InspectionFinding.post_id.is_not(None),
            InspectionFinding.withdrawn.is_(False),
        )
        .group_by(InspectionFinding.post_id)
    ):
        if post_id in lines:
            lines[post_id].deductions = float(deductions or 0)

    # C, second half: complaints concluded in the cycle, by finding; a substantiated 违规违纪 one vetoes titles.
    substantiated = Complaint.finding == Finding.SUBSTANTIATED
    for post_id, n_sub, n_partly, n_veto in db.session.execute(
        select(
            Complaint.post_id,
            func.sum(case((substantiated, 1), else_=0)),
            func.sum(case((Complaint.finding == Finding.PARTLY, 1), else_=0)),
            func.sum(case((and_(substantiated, Complaint.category == Category.DISCIPLINE), 1), else_=0)),
        )
        .where(
            Complaint.cycle_id == cycle.id,
            Complaint.status == ComplaintStatus.CONCLUDED,
            Complaint.post_id.is_not(None),
            Complaint.merged_into_id.is_(None),
        )
        .group_by(Complaint.post_id)
    ):
        line = lines.get(post_id)
        if line is not None:
            line.substantiated, line.partly, line.veto = int(n_sub or 0), int(n_partly or 0), bool(n_veto)

    # I: the mean of the cycle's comprehensive-inspection scores, from their sum and count.
    for post_id, total, rounds in db.session.execute(
        select(InspectionScore.post_id, func.sum(InspectionScore.score), func.count())
        .where(InspectionScore.cycle_id == cycle.id)
        .group_by(InspectionScore.post_id)
    ):
        if post_id in lines:
            lines[post_id].score_sum, lines[post_id].score_rounds = float(total), int(rounds)

    for line in lines.values():
        if not line.has_assessment:
            line.missing.append("assessment")
        if not line.score_rounds:
            line.missing.append("inspection")
    mu = total_wv / total_w if total_w > 0 else method.empty_cycle_mean
    spread = verdict.weighted_spread(total_w, total_wv, total_wv2)
    return Gathered(sorted(lines.values(), key=lambda line: line.code), mu, spread)


def _input(line: _PostLine, method: MethodSettings) -> verdict.PostInput:
    weight, weighted_sum, _squares, count = _weights(method, line)
    return verdict.PostInput(
        code=line.code,
        rating_weighted_sum=weighted_sum,
        rating_weight=weight,
        rating_count=count,
        grade=line.grade,
        assessment_score=line.assessment_score,
        inspection_deductions=line.deductions,
        complaints_substantiated=line.substantiated,
        complaints_partly=line.partly,
        discipline_veto=line.veto,
        inspection_mean=line.score_sum / line.score_rounds if line.score_rounds else 0.0,
    )


def _row(line: _PostLine, method: MethodSettings, gathered: Gathered, position: int, result=None) -> dict:
    weight, weighted_sum, squares, count = _weights(method, line)
    spread = verdict.weighted_spread(weight, weighted_sum, squares) if count >= 2 else gathered.spread
    row = dict(
        position=position,
        post_id=line.post_id,
        holder_id=line.holder_id,
        post_code=line.code,
        post_title=line.title,
        unit_code=line.unit_code,
        unit_name=line.unit_name,
        holder_name=line.holder_name,
        ratings=count,
        verified_ratings=line.verified_count,
        rating_weight=weight,
        rating_value_sum=weighted_sum,
        rating_spread=spread,
        grade=line.grade,
        inspection_deductions=line.deductions,
        complaints_substantiated=line.substantiated,
        complaints_partly=line.partly,
        discipline_veto=line.veto,
        inspection_rounds=line.score_rounds,
    )
    if result is not None:
        row.update(
            service=result.service,
            assessment=result.assessment,
            conduct=result.conduct,
            inspection=result.inspection,
            composite=result.composite,
            rank=result.rank,
            title=str(result.title) if result.title else None,
            rule=result.rule,
            eligible=result.eligible,
        )
    else:  # provisional, a component missing: what is known, no composite and no rank
        post_input = _input(line, method)
        row.update(
            service=verdict.service_score(post_input, gathered.mu, method.prior_weight),
            assessment=None if "assessment" in line.missing else verdict.assessment_score(post_input, method),
            conduct=verdict.conduct_score(post_input, method),
            inspection=None if "inspection" in line.missing else post_input.inspection_mean,
            composite=None,
            rank=None,
            title=None,
            rule="missing",
            eligible=line.grade not in ("basically_competent", "incompetent") and not line.veto,
        )
    return row


def _r2(value):
    return None if value is None else round(value, 2)


def result_line(row) -> dict:
    """One line of the open-data document: scores rounded to 2 decimals."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return {
        "rank": get("rank"),
        "post_code": get("post_code"),
        "post_title": get("post_title"),
        "unit": get("unit_name"),
        "holder": get("holder_name"),
        "service": _r2(get("service")),
        "assessment": _r2(get("assessment")),
        "conduct": _r2(get("conduct")),
        "inspection": _r2(get("inspection")),
        "composite": _r2(get("composite")),
        "ratings": get("ratings"),
        "title": get("title"),
    }


def canonical_hash(year: int, kind: str, version: int, method: dict, lines: list[dict]) -> str:
    """sha256 of the canonical JSON of what a result set says; anyone can recompute it from the JSON download:
    ``{"cycle", "kind", "version", "method", "results"}`` with sorted keys, no spaces, UTF-8."""
    document = {"cycle": year, "kind": kind, "version": version, "method": method, "results": lines}
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _next_version(cycle: Cycle, kind: ResultKind) -> int:
    latest = db.session.scalar(
        select(func.max(ResultSet.version)).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == kind)
    )
    return (latest or 0) + 1


def _insert_rows(rows: list[dict]) -> None:
    """Insert result rows in the session's transaction: COPY on PostgreSQL (a provincial result has tens of
    thousands of rows, and one COPY beats as many INSERTs), a plain executemany elsewhere."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(insert(Result.__table__), rows)
        return
    columns = list(rows[0])
    names = ", ".join(Result.__table__.c[name].name for name in columns)
    with connection.connection.driver_connection.cursor() as cursor:
        with cursor.copy(f"COPY results ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[name] for name in columns])


def _write(
    cycle: Cycle,
    kind: ResultKind,
    method: MethodSettings,
    gathered: Gathered,
    rows: list[dict],
    by: str,
    version: int | None = None,
    **extra,
) -> ResultSet:
    version = version or _next_version(cycle, kind)
    method_dict = method.to_dict()
    ranked = sum(1 for row in rows if row["rank"] is not None)
    result_set = ResultSet(
        cycle_id=cycle.id,
        kind=kind,
        version=version,
        computed_by=by,
        method=method_dict,
        mean=gathered.mu,
        ranked=ranked,
        missing=[{"post_code": code, "missing": parts} for code, parts in gathered.missing],
        content_hash=canonical_hash(cycle.year, str(kind), version, method_dict, [result_line(r) for r in rows]),
        **extra,
    )
    db.session.add(result_set)
    db.session.flush()
    if rows:
        _insert_rows([{**row, "result_set_id": result_set.id} for row in rows])
    return result_set


def _ranked_rows(gathered: Gathered, method: MethodSettings, complete: list[_PostLine]) -> list[dict]:
    by_code = {line.code: line for line in complete}
    results = verdict.compute([_input(line, method) for line in complete], method, mu=gathered.mu)
    return [_row(by_code[r.code], method, gathered, r.rank, r) for r in results]


def lock_cycle(cycle: Cycle) -> Cycle:
    """Serialise verdict work on one cycle (a row lock on PostgreSQL; SQLite has one writer anyway)."""
    db.session.execute(select(Cycle.id).where(Cycle.id == cycle.id).with_for_update())
    return cycle


def compute_provisional(cycle: Cycle, by: str = "scheduler") -> ResultSet:
    """Hourly standings of an open cycle for administrators: missing components shown as missing, the previous
    provisional set replaced."""
    lock_cycle(cycle)
    if cycle.status not in (CycleStatus.OPEN, CycleStatus.CLOSED):
        raise Conflict(_("只有进行中或已结束评议、尚未计算的周期有实时排名。"))
    method = cycle.settings
    gathered = gather(cycle, method)
    complete = [line for line in gathered.lines if not line.missing]
    rows = _ranked_rows(gathered, method, complete)
    incomplete = [line for line in gathered.lines if line.missing]
    rows += [_row(line, method, gathered, len(rows) + i + 1) for i, line in enumerate(incomplete)]
    # Numbered on from the one it replaces, so that "standings no. N" always means one computation.
    version = _next_version(cycle, ResultKind.PROVISIONAL)
    old = select(ResultSet.id).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PROVISIONAL)
    old_ids = list(db.session.scalars(old))
    if old_ids:
        db.session.execute(delete(Result).where(Result.result_set_id.in_(old_ids)))
        db.session.execute(delete(ResultSet).where(ResultSet.id.in_(old_ids)))
    return _write(cycle, ResultKind.PROVISIONAL, method, gathered, rows, by, version)


def _final_rows(cycle: Cycle, method: MethodSettings, post_ids=None) -> tuple[Gathered, list[dict]]:
    gathered = gather(cycle, method, post_ids)
    if gathered.missing:
        raise MissingComponents(gathered.missing)
    if not gathered.lines:
        raise Conflict(_("没有在岗的关键岗位,无法计算。"))
    return gathered, _ranked_rows(gathered, method, gathered.lines)


def close(actor: audit.Actor, cycle: Cycle) -> None:
    """结束评议: rating intake stops. Officials' entries and imports are still taken until notice."""
    if cycle.status != CycleStatus.OPEN:
        raise Conflict(_("%(year)d 年度评议周期不在进行中。", year=cycle.year))
    cycle.status = CycleStatus.CLOSED
    db.session.flush()
    audit.record(actor, "cycle.close", "cycle", cycle.id, before={"status": "open"}, after={"status": "closed"})


def _titles(rows) -> list[tuple[str, str | None]]:
    return sorted((row.post_code, row.title) for row in rows if row.title)


def compute_final(actor: audit.Actor, cycle: Cycle) -> ResultSet:
    """Final computation: a draft result of a closed cycle (an open one is closed first), or a recomputation while
    computed or in notice. The method settings are frozen into the result. Refused, naming every post, while any
    post lacks an assessment or an inspection score."""
    lock_cycle(cycle)
    if cycle.status == CycleStatus.PUBLISHED:
        raise Conflict(_("%(year)d 年度结果已公布;如需更正,请发布更正版本。", year=cycle.year))
    method = cycle.settings
    gathered, rows = _final_rows(cycle, method)
    if cycle.status == CycleStatus.OPEN:
        close(actor, cycle)
    previous = latest(cycle, ResultKind.DRAFT) if cycle.status == CycleStatus.NOTICE else None
    result_set = _write(cycle, ResultKind.DRAFT, method, gathered, rows, actor.name)
    before = {"status": str(cycle.status), "result_stale": cycle.result_stale}
    if cycle.status == CycleStatus.CLOSED:
        cycle.status = CycleStatus.COMPUTED
    if previous is not None and _titles(previous.rows) != _titles(result_set.rows):
        # A recomputation during notice that changes who gets a title or a warning restarts the notice, so that
        # everyone named in the new draft has the full period to object or reply.
        before["notice"] = [str(cycle.notice_starts_on), str(cycle.notice_ends_on)]
        today = local_today()
        cycle.notice_starts_on, cycle.notice_ends_on = today, today + timedelta(days=method.notice_days - 1)
    cycle.result_stale = False
    db.session.flush()
    audit.record(
        actor,
        "result.compute",
        "cycle",
        cycle.id,
        before=before,
        after={
            "status": str(cycle.status),
            "notice": [str(cycle.notice_starts_on), str(cycle.notice_ends_on)],
            "draft": result_set.version,
            "ranked": result_set.ranked,
            "content_hash": result_set.content_hash,
        },
    )
    return result_set


def latest(cycle: Cycle, kind: ResultKind) -> ResultSet | None:
    return db.session.scalar(
        select(ResultSet)
        .where(ResultSet.cycle_id == cycle.id, ResultSet.kind == kind)
        .order_by(ResultSet.version.desc())
        .limit(1)
    )


def published_versions(cycle: Cycle) -> list[ResultSet]:
    return list(
        db.session.scalars(
            select(ResultSet)
            .where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PUBLISHED)
            .order_by(ResultSet.version.desc())
        )
    )


def public_result(cycle: Cycle) -> ResultSet | None:
    """What the public may see of a cycle: the newest published version, or during notice the newest draft."""
    if cycle.status == CycleStatus.PUBLISHED:
        return latest(cycle, ResultKind.PUBLISHED)
    if cycle.status == CycleStatus.NOTICE:
        return latest(cycle, ResultKind.DRAFT)
    return None


def start_notice(actor: audit.Actor, cycle: Cycle, days: int | None = None) -> None:
    """开始公示: the newest draft becomes public for ``days`` days (the method's notice_days by default)."""
    lock_cycle(cycle)
    if cycle.status != CycleStatus.COMPUTED:
        raise Conflict(_("只有已计算、尚未公示的评议周期可以开始公示。"))
    if cycle.result_stale:
        raise Conflict(_("计算后评议数据又有变动,请先重新计算。"))
    days = days or cycle.settings.notice_days
    if days < 1:
        raise InvalidInput(_("公示期至少 1 天。"))
    today = local_today()
    cycle.status = CycleStatus.NOTICE
    cycle.notice_starts_on, cycle.notice_ends_on = today, today + timedelta(days=days - 1)
    db.session.flush()
    audit.record(
        actor,
        "cycle.notice",
        "cycle",
        cycle.id,
        before={"status": "computed"},
        after={"status": "notice", "from": today.isoformat(), "to": cycle.notice_ends_on.isoformat()},
    )


def notice_open(cycle: Cycle) -> bool:
    return (
        cycle.status == CycleStatus.NOTICE
        and cycle.notice_ends_on is not None
        and local_today() <= cycle.notice_ends_on
    )


def unanswered(cycle: Cycle) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(Objection.cycle_id == cycle.id, Objection.answered_at.is_(None))
    )


def publication_blockers(cycle: Cycle) -> list[str]:
    """Why the cycle cannot be published now (empty when it can)."""
    if cycle.status != CycleStatus.NOTICE:
        return [_("结果须先经公示才能公布。")]
    blockers = []
    if cycle.notice_ends_on and local_today() <= cycle.notice_ends_on:
        blockers.append(_("公示期至 %(day)s 结束。", day=cycle.notice_ends_on.isoformat()))
    open_count = unanswered(cycle)
    if open_count:
        blockers.append(_("还有 %(n)d 件异议或申辩未答复。", n=open_count))
    if cycle.result_stale:
        blockers.append(_("公示后评议数据有变动,须重新计算。"))
    return blockers


def _copy(source: ResultSet, cycle: Cycle, by: str, reason: str) -> ResultSet:
    version = _next_version(cycle, ResultKind.PUBLISHED)
    lines = [result_line(row) for row in source.rows]
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
        published_at=utcnow(),
        reason=reason,
        source_id=source.id,
    )
    db.session.add(published)
    db.session.flush()
    skip = {"id", "result_set_id"}
    columns = [c.key for c in Result.__table__.columns if c.key not in skip]
    _insert_rows([{**{c: getattr(row, c) for c in columns}, "result_set_id": published.id} for row in source.rows])
    return published


def publish(actor: audit.Actor, cycle: Cycle) -> ResultSet:
    """正式公布: after the notice period, with every objection answered and nothing changed since computing."""
    lock_cycle(cycle)
    blockers = publication_blockers(cycle)
    if blockers:
        raise Conflict(" ".join(blockers))
    draft = latest(cycle, ResultKind.DRAFT)
    published = _copy(draft, cycle, actor.name, "")
    cycle.status = CycleStatus.PUBLISHED
    db.session.flush()
    audit.record(
        actor,
        "result.publish",
        "cycle",
        cycle.id,
        before={"status": "notice"},
        after={"status": "published", "version": published.version, "content_hash": published.content_hash},
    )
    return published


def publish_correction(actor: audit.Actor, cycle: Cycle, reason: str) -> ResultSet:
    """更正: recompute a published cycle from the (amended) records and publish it as a new version with its
    reason; the earlier versions stay readable."""
    lock_cycle(cycle)
    if cycle.status != CycleStatus.PUBLISHED:
        raise Conflict(_("只有已公布的结果可以更正。"))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise InvalidInput(_("请写明更正理由。"))
    method = cycle.settings
    ranked_posts = [row.post_id for row in latest(cycle, ResultKind.PUBLISHED).rows]
    gathered, rows = _final_rows(cycle, method, ranked_posts)
    version = _next_version(cycle, ResultKind.PUBLISHED)
    published = _write(
        cycle, ResultKind.PUBLISHED, method, gathered, rows, actor.name, published_at=utcnow(), reason=reason[:2000]
    )
    assert published.version == version
    cycle.result_stale = False
    db.session.flush()
    audit.record(
        actor,
        "result.correct",
        "cycle",
        cycle.id,
        after={"version": published.version, "reason": published.reason, "content_hash": published.content_hash},
    )
    return published


def export_document(cycle: Cycle, result_set: ResultSet) -> dict:
    """The open-data document of a result set (export-results --format json and the API)."""
    return {
        "cycle": cycle.year,
        "status": str(cycle.status),
        "kind": str(result_set.kind),
        "version": result_set.version,
        "computed_at": result_set.computed_at.isoformat(),
        "published_at": result_set.published_at.isoformat() if result_set.published_at else None,
        "reason": result_set.reason,
        "content_hash": result_set.content_hash,
        "method": result_set.method,
        "results": [result_line(row) for row in result_set.rows],
    }


#: Columns of the CSV and XLSX downloads: the keys of the JSON document's result lines.
TABLE_HEADER = list(
    result_line(
        {
            k: None
            for k in (
                "rank",
                "post_code",
                "post_title",
                "unit_name",
                "holder_name",
                "service",
                "assessment",
                "conduct",
                "inspection",
                "composite",
                "ratings",
                "title",
            )
        }
    )
)


def table_rows(result_set: ResultSet) -> list[list]:
    return [list(result_line(row).values()) for row in result_set.rows]


def result_for_export(cycle: Cycle, version: int | None = None) -> ResultSet:
    """The set ``export-results`` writes: a given published version, else the newest published one, else the
    newest draft."""
    if version is not None:
        found = db.session.scalar(
            select(ResultSet).where(
                ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PUBLISHED, ResultSet.version == version
            )
        )
        if found is None:
            raise NotFound(_("%(year)d 年度没有第 %(v)d 版公布结果。", year=cycle.year, v=version))
        return found
    found = latest(cycle, ResultKind.PUBLISHED) or latest(cycle, ResultKind.DRAFT)
    if found is None:
        raise NotFound(_("%(year)d 年度尚未计算结果。", year=cycle.year))
    return found
