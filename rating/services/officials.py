"""Use cases of HR offices and inspectors: annual assessments (年度考核), inspection findings (明查暗访) and
comprehensive-inspection scores (综合检查评议).

Entries are taken freely until the cycle's result goes to public notice; after that only an administrator may
change them, with a reason, and the cycle is marked for recomputation. Every change is audited; the audit log is
the revision history shown on the post's back-office page.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.imports.officials import AssessmentRow, Context, FindingRow, ScoreRow, Target
from rating.models.assessments import Assessment, Grade, InspectionFinding, InspectionKind, InspectionScore
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.units import Unit
from rating.services import audit, ledger
from rating.services.errors import InvalidInput, PermissionDenied
from rating.services.lookups import chunks
from rating.services.tenures import Holders, holders_in_cycle


class EntriesClosed(PermissionDenied):
    """The cycle's result is in public notice or published: only an administrator may amend, with a reason."""


@dataclass(frozen=True)
class Amendment:
    """Who may amend after notice, and why: built by the caller from the signed-in role."""

    may_amend: bool = False
    reason: str = ""


def check_open_for_entries(cycle: Cycle, amendment: Amendment) -> bool:
    """True when this is a late amendment (after notice); raises when it is not allowed."""
    if cycle.takes_entries:
        return False
    if not amendment.may_amend:
        raise EntriesClosed(
            _("%(year)d 年度结果已进入公示或已公布,只有效能办管理员可以修改,并须说明理由。", year=cycle.year)
        )
    if not amendment.reason.strip():
        raise InvalidInput(_("公示后修改须填写修改理由。"))
    return True


def import_context(cycle: Cycle, only_unit_id: int | None = None) -> Context:
    posts = db.session.execute(
        select(Post.code, Post.id, Post.unit_id, Post.title).where(Post.active.is_(True), Post.rates_unit.is_(False))
    ).all()
    units = db.session.execute(select(Unit.code, Unit.id)).all()
    return Context(
        cycle_starts_on=cycle.starts_on,
        cycle_ends_on=cycle.ends_on,
        posts={code: Target(post_id, unit_id, f"{code} {title}") for code, post_id, unit_id, title in posts},
        units={code: Target(None, unit_id) for code, unit_id in units},
        only_unit_id=only_unit_id,
        standard_deductions=cycle.settings.inspection_deductions,
        holders=holders_in_cycle([post_id for _code, post_id, _unit, _title in posts], cycle),
    )


def _late_note(after: dict, cycle: Cycle, late: bool, amendment: Amendment) -> dict:
    after["cycle"] = cycle.year
    if late:
        after["reason"] = amendment.reason.strip()
    cycle.inputs_changed()
    return after


def record_assessments(actor: audit.Actor, cycle: Cycle, rows: list[AssessmentRow], amendment=Amendment()) -> dict:
    """Set the grade or score of each row's post; unchanged values write nothing. Returns counts."""
    late = check_open_for_entries(cycle, amendment)
    post_ids = [row.post_id for row in rows]
    existing = {
        (a.post_id, a.holder_id): a
        for ids in chunks(post_ids)
        for a in db.session.scalars(
            select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.post_id.in_(ids))
        )
    }
    holders = Holders(post_ids)
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        holder_id = row.holder_id or holders.for_cycle(row.post_id, cycle)
        assessment = existing.get((row.post_id, holder_id))
        grade = Grade(row.grade) if row.grade else None
        if assessment is not None and (assessment.grade, assessment.score) == (grade, row.score):
            counts["unchanged"] += 1
            continue
        before = None
        if assessment is None:
            assessment = Assessment(cycle_id=cycle.id, post_id=row.post_id, holder_id=holder_id)
            db.session.add(assessment)
            counts["created"] += 1
        else:
            before = {"grade": assessment.grade and str(assessment.grade), "score": assessment.score}
            counts["changed"] += 1
        assessment.grade, assessment.score = grade, row.score
        assessment.entered_by = actor.name
        db.session.flush()
        after = _late_note({"grade": row.grade, "score": row.score}, cycle, late, amendment)
        audit.record(
            actor, "assessment.set", "assessment", assessment.id, post_id=row.post_id, before=before, after=after
        )
    return counts


def record_scores(actor: audit.Actor, cycle: Cycle, rows: list[ScoreRow], amendment=Amendment()) -> dict:
    """Set each row's comprehensive-inspection score for its round. Returns counts."""
    late = check_open_for_entries(cycle, amendment)
    post_ids = [row.post_id for row in rows]
    existing = {
        (s.post_id, s.holder_id, s.round): s
        for ids in chunks(post_ids)
        for s in db.session.scalars(
            select(InspectionScore).where(InspectionScore.cycle_id == cycle.id, InspectionScore.post_id.in_(ids))
        )
    }
    holders = Holders(post_ids)
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        holder_id = row.holder_id or holders.for_cycle(row.post_id, cycle)
        score = existing.get((row.post_id, holder_id, row.round))
        if score is not None and score.score == row.score:
            counts["unchanged"] += 1
            continue
        before = None
        if score is None:
            score = InspectionScore(cycle_id=cycle.id, post_id=row.post_id, holder_id=holder_id, round=row.round)
            db.session.add(score)
            counts["created"] += 1
        else:
            before = {"round": row.round, "score": score.score}
            counts["changed"] += 1
        score.score, score.entered_by = row.score, actor.name
        db.session.flush()
        after = _late_note({"round": row.round, "score": row.score}, cycle, late, amendment)
        audit.record(
            actor, "inspection_score.set", "inspection_score", score.id, post_id=row.post_id, before=before, after=after
        )
    return counts


def finding_snapshot(finding: InspectionFinding) -> dict:
    return {
        "date": finding.found_on.isoformat(),
        "kind": str(finding.kind),
        "unit_id": finding.unit_id,
        "description": finding.description,
        "deduction": finding.deduction,
        "deduction_code": finding.deduction_code,
        "notified": finding.notified,
        "withdrawn": finding.withdrawn,
    }


def record_findings(
    actor: audit.Actor, cycle: Cycle, rows: list[FindingRow], amendment=Amendment(), notify=False
) -> int:
    late = check_open_for_entries(cycle, amendment)
    holders = Holders(row.post_id for row in rows)
    for row in rows:
        finding = InspectionFinding(
            cycle_id=cycle.id,
            post_id=row.post_id,
            unit_id=row.unit_id,
            holder_id=holders.on(row.post_id, row.found_on),
            found_on=row.found_on,
            kind=InspectionKind(row.kind),
            description=row.description,
            deduction=row.deduction,
            deduction_code=row.deduction_code,
            notified=notify,
            notified_at=utcnow() if notify else None,
            recorded_by=actor.name,
        )
        db.session.add(finding)
        db.session.flush()
        after = _late_note(finding_snapshot(finding), cycle, late, amendment)
        audit.record(actor, "finding.create", "inspection_finding", finding.id, post_id=row.post_id, after=after)
    if notify:
        ledger.open_missing(actor)  # a publicly notified finding is a matter for the accountability ledger
    return len(rows)


def set_notified(actor: audit.Actor, finding: InspectionFinding, notified: bool) -> None:
    """Publish (通报) a finding on the public notices page, or take it down."""
    if finding.withdrawn and notified:
        raise InvalidInput(_("已撤销的问题不能通报。"))
    if finding.notified == notified:
        return
    before = finding_snapshot(finding)
    finding.notified, finding.notified_at = notified, utcnow() if notified else None
    db.session.flush()
    audit.record(
        actor,
        "finding.notify",
        "inspection_finding",
        finding.id,
        post_id=finding.post_id,
        before=before,
        after=finding_snapshot(finding),
    )
    if notified:
        ledger.open_missing(actor)


def withdraw_finding(actor: audit.Actor, finding: InspectionFinding, reason: str, amendment=Amendment()) -> None:
    """A mistaken finding is withdrawn, never deleted: it stays on record and counts for nothing."""
    if not reason.strip():
        raise InvalidInput(_("撤销须填写理由。"))
    cycle = db.session.get(Cycle, finding.cycle_id)
    late = check_open_for_entries(cycle, amendment)
    if finding.withdrawn:
        return
    before = finding_snapshot(finding)
    finding.withdrawn, finding.notified, finding.notified_at = True, False, None
    db.session.flush()
    after = _late_note(finding_snapshot(finding) | {"withdraw_reason": reason.strip()}, cycle, late, amendment)
    audit.record(
        actor, "finding.withdraw", "inspection_finding", finding.id, post_id=finding.post_id, before=before, after=after
    )


def parse_finding_date(value: date | None, cycle: Cycle) -> date:
    if value is None or not cycle.starts_on <= value <= cycle.ends_on:
        raise InvalidInput(_("日期必须在本评议周期内(%(a)s 至 %(b)s)。", a=cycle.starts_on, b=cycle.ends_on))
    return value


@dataclass(frozen=True)
class PostRecords:
    """The officials' records of one post in one cycle, for its back-office page."""

    cycle: Cycle | None
    assessment: Assessment | None
    scores: list[InspectionScore]
    findings: list[InspectionFinding]


def records_of_post(post: Post, cycle: Cycle | None = None) -> PostRecords:
    from rating.services.cycles import current_cycle

    cycle = cycle or current_cycle()
    if cycle is None:
        return PostRecords(None, None, [], [])
    assessment = db.session.scalar(
        select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.post_id == post.id)
    )
    scores = db.session.scalars(
        select(InspectionScore)
        .where(InspectionScore.cycle_id == cycle.id, InspectionScore.post_id == post.id)
        .order_by(InspectionScore.round)
    ).all()
    findings = db.session.scalars(
        select(InspectionFinding)
        .where(InspectionFinding.cycle_id == cycle.id, InspectionFinding.post_id == post.id)
        .order_by(InspectionFinding.found_on)
    ).all()
    return PostRecords(cycle, assessment, scores, findings)


@dataclass(frozen=True)
class GridLine:
    """One row of an entry grid: a post, or one of its holders when it changed hands during the cycle."""

    post: Post
    holder_id: int | None
    holder_name: str
    #: The input's key: the post code, or ``code@holder`` on a post with several holders in the cycle.
    key: str


def grid_lines(cycle: Cycle, posts: list[Post]) -> list[GridLine]:
    """The rows of the HR and score grids: one per post, one per holder where the post changed hands."""
    holders = holders_in_cycle([post.id for post in posts], cycle)
    lines = []
    for post in posts:
        named = holders.get(post.id, {})
        if len(named) <= 1:
            holder_id = next(iter(named.values()), None)
            lines.append(GridLine(post, holder_id, next(iter(named), post.holder_name or ""), post.code))
            continue
        lines += [GridLine(post, hid, name, f"{post.code}@{name}") for name, hid in named.items()]
    return lines


def assessment_values(cycle: Cycle, lines: list[GridLine]) -> dict[str, Assessment]:
    """The assessments shown on the grid, by the line's key."""
    by_person = {
        (a.post_id, a.holder_id): a
        for ids in chunks(line.post.id for line in lines)
        for a in db.session.scalars(
            select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.post_id.in_(ids))
        )
    }
    found = {line.key: by_person.get((line.post.id, line.holder_id)) for line in lines}
    return {key: a for key, a in found.items() if a is not None}


def score_values(cycle: Cycle, round_: int, lines: list[GridLine]) -> dict[str, float]:
    """The round's comprehensive-inspection scores shown on the grid, by the line's key."""
    by_person = {
        (post_id, holder_id): score
        for post_id, holder_id, score in db.session.execute(
            select(InspectionScore.post_id, InspectionScore.holder_id, InspectionScore.score).where(
                InspectionScore.cycle_id == cycle.id, InspectionScore.round == round_
            )
        )
    }
    found = {line.key: by_person.get((line.post.id, line.holder_id)) for line in lines}
    return {key: score for key, score in found.items() if score is not None}
