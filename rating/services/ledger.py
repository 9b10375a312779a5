"""The accountability ledger (责任追究台账): which matters call for a measure, and recording, evidencing, closing and
publishing the measure taken.

The one rule of what deserves an entry is ``open_missing``: every substantiated (属实) complaint conclusion, every
publicly notified, unwithdrawn inspection finding, every warning (through its transfer order), and every yellow card
(黄牌警告) and two-years-last flag (连续两年末位, 主要负责人引咎辞职) of a cycle's published department ranking has
exactly one entry. The services that conclude complaints, notify findings and publish results or rankings call it
after their change, and the scheduler calls it too (rating.jobs.remind_ledger_entries), so a source written any other
way (a bulk import) is never missed; a unique key per source keeps it to one entry.

The office (admin) and the discipline commission (auditor, 纪委) record the measure and close the entry; only the
office marks a closed entry for the public accountability notices (通报), with the person's name only where the
measure itself was published.
"""

import hashlib
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, selectinload

from rating.clock import local_today
from rating.extensions import db
from rating.models.accountability import (
    EntryStatus,
    LedgerEntry,
    LedgerEvidence,
    LedgerSource,
    Measure,
    TransferOrder,
)
from rating.models.assessments import InspectionFinding
from rating.models.base import utcnow
from rating.models.complaints import Complaint, ComplaintStatus, Finding
from rating.models.cycles import Cycle
from rating.models.rankings import DepartmentResult, Ranking, RankingSet
from rating.models.results import ResultKind
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput
from rating.services.notifications import LEDGER_OFFICE, notify_role

#: Evidence files: at most this size, and only these kinds, recognised by their first bytes.
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
}


def snapshot(entry: LedgerEntry) -> dict:
    return {
        "status": str(entry.status),
        "measure": str(entry.measure) if entry.measure else None,
        "note": entry.measure_note,
        "decided_by": entry.decided_by,
        "decided_on": entry.decided_on.isoformat() if entry.decided_on else None,
        "deadline": entry.deadline.isoformat() if entry.deadline else None,
        "public": entry.public,
        "name_published": entry.name_published,
        "notice_text": entry.notice_text,
    }


def _open(actor: audit.Actor, entry: LedgerEntry) -> LedgerEntry:
    db.session.add(entry)
    db.session.flush()
    after = {"source": str(entry.source), "summary": entry.summary}
    audit.record(actor, "ledger.open", "ledger_entry", entry.id, post_id=entry.post_id, after=after)
    return entry


def _complaint_entry(complaint: Complaint) -> LedgerEntry:
    return LedgerEntry(
        source=LedgerSource.COMPLAINT,
        complaint_id=complaint.id,
        unit_id=complaint.unit_id,
        post_id=complaint.post_id,
        holder_id=complaint.holder_id,
        summary=_("投诉 %(case)s 查证属实", case=complaint.case_number)[:300],
    )


def _finding_entry(finding: InspectionFinding) -> LedgerEntry:
    return LedgerEntry(
        source=LedgerSource.FINDING,
        finding_id=finding.id,
        unit_id=finding.unit_id,
        post_id=finding.post_id,
        holder_id=finding.holder_id,
        summary=_("%(day)s 明查暗访通报:%(what)s", day=finding.found_on.isoformat(), what=finding.description)[:300],
    )


def _warning_entry(order: TransferOrder) -> LedgerEntry:
    return LedgerEntry(
        source=LedgerSource.WARNING,
        transfer_order_id=order.id,
        unit_id=order.unit_id,
        post_id=order.post_id,
        holder_id=order.holder_id,
        summary=_("%(year)d 年度评议行政告诫", year=order.cycle.year),
    )


#: The outcome flag of a department line behind each of its sources.
DEPARTMENT_FLAGS = {
    LedgerSource.YELLOW_CARD: DepartmentResult.yellow_card,
    LedgerSource.HEAD_TO_RESIGN: DepartmentResult.head_to_resign,
}


def _department_entry(source: LedgerSource, line: DepartmentResult, year: int) -> LedgerEntry:
    if source == LedgerSource.YELLOW_CARD:
        summary = _("%(year)d 年度部门综合考核黄牌警告:未完成年度目标任务,通报批评", year=year)
    else:
        summary = _(
            "%(year)d 年度部门综合考核连续两年末位,主要负责人%(head)s引咎辞职",
            year=year,
            head=line.head or _("(未登记)"),
        )
    return LedgerEntry(source=source, department_result_id=line.id, unit_id=line.unit_id, summary=summary[:300])


def _department_lines(source: LedgerSource) -> list[tuple[DepartmentResult, int]]:
    """Lines carrying ``source``'s flag in each cycle's newest published department ranking, for units whose flag
    in that cycle has no entry yet (a later published version of the cycle opens no second one): one query."""
    newest = (
        select(RankingSet.cycle_id, func.max(RankingSet.version).label("version"))
        .where(RankingSet.ranking == Ranking.DEPARTMENTS, RankingSet.kind == ResultKind.PUBLISHED)
        .group_by(RankingSet.cycle_id)
        .subquery()
    )
    opened_line, opened_set = aliased(DepartmentResult), aliased(RankingSet)
    opened = (
        select(LedgerEntry.id)
        .join(opened_line, opened_line.id == LedgerEntry.department_result_id)
        .join(opened_set, opened_set.id == opened_line.ranking_set_id)
        .where(
            LedgerEntry.source == source,
            opened_line.unit_id == DepartmentResult.unit_id,
            opened_set.cycle_id == RankingSet.cycle_id,
        )
    )
    return db.session.execute(
        select(DepartmentResult, Cycle.year)
        .join(RankingSet, RankingSet.id == DepartmentResult.ranking_set_id)
        .join(newest, and_(newest.c.cycle_id == RankingSet.cycle_id, newest.c.version == RankingSet.version))
        .join(Cycle, Cycle.id == RankingSet.cycle_id)
        .where(
            RankingSet.ranking == Ranking.DEPARTMENTS,
            RankingSet.kind == ResultKind.PUBLISHED,
            DEPARTMENT_FLAGS[source].is_(True),
            ~opened.exists(),
        )
        .order_by(Cycle.year, DepartmentResult.position)
    ).all()


def department_year(entry: LedgerEntry) -> int | None:
    """The cycle of the department ranking line an entry hangs on (None for the other sources)."""
    if entry.department_result_id is None:
        return None
    return db.session.scalar(
        select(Cycle.year)
        .join(RankingSet, RankingSet.cycle_id == Cycle.id)
        .join(DepartmentResult, DepartmentResult.ranking_set_id == RankingSet.id)
        .where(DepartmentResult.id == entry.department_result_id)
    )


def open_missing(actor: audit.Actor) -> list[LedgerEntry]:
    """The one rule: an entry for each substantiated complaint conclusion, each notified finding (not withdrawn),
    each warning's transfer order, and each yellow card and two-years-last flag of a published department ranking
    that has none yet. Idempotent; flushes."""
    complaints = db.session.scalars(
        select(Complaint)
        .where(
            Complaint.status == ComplaintStatus.CONCLUDED,
            Complaint.finding == Finding.SUBSTANTIATED,
            Complaint.merged_into_id.is_(None),
            ~select(LedgerEntry.id).where(LedgerEntry.complaint_id == Complaint.id).exists(),
        )
        .order_by(Complaint.id)
    ).all()
    findings = db.session.scalars(
        select(InspectionFinding)
        .where(
            InspectionFinding.notified.is_(True),
            InspectionFinding.withdrawn.is_(False),
            ~select(LedgerEntry.id).where(LedgerEntry.finding_id == InspectionFinding.id).exists(),
        )
        .order_by(InspectionFinding.id)
    ).all()
    orders = db.session.scalars(
        select(TransferOrder)
        .where(~select(LedgerEntry.id).where(LedgerEntry.transfer_order_id == TransferOrder.id).exists())
        .options(selectinload(TransferOrder.cycle))
        .order_by(TransferOrder.id)
    ).all()
    return [
        *(_open(actor, _complaint_entry(c)) for c in complaints),
        *(_open(actor, _finding_entry(f)) for f in findings),
        *(_open(actor, _warning_entry(o)) for o in orders),
        *(
            _open(actor, _department_entry(source, line, year))
            for source in DEPARTMENT_FLAGS
            for line, year in _department_lines(source)
        ),
    ]


def _check_open(entry: LedgerEntry) -> None:
    if not entry.is_open:
        raise Conflict(_("该台账事项已办结,不能再修改。"))


def record_measure(
    actor: audit.Actor,
    entry: LedgerEntry,
    *,
    measure: str,
    note: str,
    decided_by: str,
    decided_on: date | None,
    deadline: date | None,
) -> None:
    """The measure taken (or none, with the reason), who decided it and when, and the rectification deadline."""
    _check_open(entry)
    try:
        measure = Measure(measure)
    except ValueError:
        raise InvalidInput(_("请选择处理措施。")) from None
    note, decided_by = (note or "").strip(), (decided_by or "").strip()
    if measure == Measure.NONE and len(note) < 5:
        raise InvalidInput(_("不予追究的,须写明理由。"))
    if not decided_by or len(decided_by) > 100:
        raise InvalidInput(_("请填写作出决定的机关或人员(至多 100 字)。"))
    if decided_on is None or decided_on > local_today():
        raise InvalidInput(_("请填写决定日期(不能晚于今天)。"))
    if deadline is not None and deadline < decided_on:
        raise InvalidInput(_("整改期限不能早于决定日期。"))
    before = snapshot(entry)
    entry.measure, entry.measure_note, entry.decided_by = measure, note[:4000], decided_by
    entry.decided_on, entry.deadline = decided_on, deadline
    entry.overdue = deadline is not None and deadline < local_today()
    entry.recorded_by, entry.recorded_at = actor.name, utcnow()
    db.session.flush()
    audit.record(
        actor, "ledger.measure", "ledger_entry", entry.id, post_id=entry.post_id, before=before, after=snapshot(entry)
    )


def evidence_type(data: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a PDF, PNG or JPEG file by its first bytes; None for anything else."""
    return next((kind for magic, kind in EVIDENCE_TYPES.items() if data.startswith(magic)), None)


def _clean_name(filename: str, extension: str) -> str:
    name = "".join(ch for ch in (filename or "").replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())
    name = name.strip().strip(".")[:150] or "evidence"
    return name if name.lower().endswith(extension) else f"{name}{extension}"


def add_evidence(actor: audit.Actor, entry: LedgerEntry, filename: str, data: bytes, note: str = "") -> LedgerEvidence:
    """An evidence file (PDF, PNG or JPEG, at most MAX_EVIDENCE_BYTES), kept in the database."""
    _check_open(entry)
    if not data:
        raise InvalidInput(_("请选择要上传的文件。"))
    if len(data) > MAX_EVIDENCE_BYTES:
        raise InvalidInput(_("文件不能超过 %(n)d MB。", n=MAX_EVIDENCE_BYTES // (1024 * 1024)))
    kind = evidence_type(data)
    if kind is None:
        raise InvalidInput(_("只接受 PDF、PNG 或 JPEG 文件。"))
    evidence = LedgerEvidence(
        entry=entry,
        filename=_clean_name(filename, kind[1]),
        content_type=kind[0],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        note=(note or "").strip()[:1000],
        uploaded_by=actor.name,
    )
    db.session.add(evidence)
    db.session.flush()
    after = {"evidence": evidence.id, "filename": evidence.filename, "size": evidence.size, "sha256": evidence.sha256}
    audit.record(actor, "ledger.evidence", "ledger_entry", entry.id, post_id=entry.post_id, after=after)
    return evidence


def close(actor: audit.Actor, entry: LedgerEntry) -> None:
    """办结: once the measure is recorded, and with evidence when a rectification deadline was set."""
    _check_open(entry)
    if entry.measure is None:
        raise Conflict(_("请先登记处理措施。"))
    if entry.deadline is not None and not entry.evidence:
        raise Conflict(_("设有整改期限的事项,须上传整改材料后才能办结。"))
    before = snapshot(entry)
    entry.status, entry.closed_by, entry.closed_at, entry.overdue = EntryStatus.CLOSED, actor.name, utcnow(), False
    db.session.flush()
    audit.record(
        actor, "ledger.close", "ledger_entry", entry.id, post_id=entry.post_id, before=before, after=snapshot(entry)
    )


def set_public(actor: audit.Actor, entry: LedgerEntry, *, public: bool, name_published: bool, notice_text: str) -> None:
    """The office lists a closed entry on the public accountability notices (通报), or takes it down; the name is
    shown only when ``name_published`` (the measure itself was published)."""
    if entry.is_open:
        raise Conflict(_("只有已办结的事项可以公开通报。"))
    notice_text = (notice_text or "").strip()
    if public and not 5 <= len(notice_text) <= 500:
        raise InvalidInput(_("请填写通报内容(5–500 字),不得含投诉人等个人信息。"))
    before = snapshot(entry)
    entry.public, entry.name_published = public, public and name_published
    entry.notice_text = notice_text if public else entry.notice_text
    entry.published_at = utcnow() if public else None
    db.session.flush()
    audit.record(
        actor, "ledger.publish", "ledger_entry", entry.id, post_id=entry.post_id, before=before, after=snapshot(entry)
    )


def mark_overdue(today: date | None = None) -> list[LedgerEntry]:
    """Open entries past their rectification deadline are marked once and the office and the discipline commission
    reminded in-app; returns them for the caller's emails. Idempotent."""
    today = today or local_today()
    entries = db.session.scalars(
        select(LedgerEntry)
        .where(LedgerEntry.status == EntryStatus.OPEN, LedgerEntry.deadline < today, LedgerEntry.overdue.is_(False))
        .options(selectinload(LedgerEntry.unit))
        .order_by(LedgerEntry.id)
    ).all()
    for entry in entries:
        entry.overdue = True
        text = _(
            "【督办】责任追究台账第 %(id)d 号(%(unit)s)已超过整改期限 %(d)s,尚未办结。",
            id=entry.id,
            unit=entry.unit.name,
            d=entry.deadline.isoformat(),
        )
        for role in LEDGER_OFFICE:
            notify_role(role, text)
    db.session.flush()
    return list(entries)


#: What the ledger pages show of an entry beside itself (the person named comes from the holder or the line).
ENTRY_LOADS = (
    selectinload(LedgerEntry.unit),
    selectinload(LedgerEntry.post),
    selectinload(LedgerEntry.holder),
    selectinload(LedgerEntry.department_result),
)


def entries_query(state: str = "", source: str = ""):
    """Entries for the ledger page: ``state`` open, overdue, closed or empty; ``source`` a LedgerSource or empty."""
    stmt = select(LedgerEntry).options(*ENTRY_LOADS)
    if state in ("open", "overdue"):
        stmt = stmt.where(LedgerEntry.status == EntryStatus.OPEN)
    if state == "overdue":
        stmt = stmt.where(LedgerEntry.overdue.is_(True))
    if state == "closed":
        stmt = stmt.where(LedgerEntry.status == EntryStatus.CLOSED)
    if source in set(LedgerSource):
        stmt = stmt.where(LedgerEntry.source == source)
    return stmt.order_by(LedgerEntry.status.desc(), LedgerEntry.overdue.desc(), LedgerEntry.id.desc())


def public_notices_query():
    """Closed entries the office published, newest first: what the public accountability notices page lists."""
    return (
        select(LedgerEntry)
        .where(LedgerEntry.public.is_(True), LedgerEntry.status == EntryStatus.CLOSED)
        .options(*ENTRY_LOADS)
        .order_by(LedgerEntry.published_at.desc(), LedgerEntry.id.desc())
    )
