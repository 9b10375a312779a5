"""The complaint centre's closed loop (件件有着落,事事有回音): intake from every channel, referral to the unit with a
deadline in working days, the unit's handling, conclusion with a finding and a reply (or the centre's own direct
conclusion), and erasure of contacts after the retention period. Duplicates and merging are in ``duplicates``, the
unit's signing, sending back and extensions in ``handling``, the return visit in ``visits``; the clocks themselves in
rating.scoring.case_clocks, and which case is on which clock and overdue (督办) in ``clocks``.

Concluded cases feed the conduct component of the verdict (SPEC §3), so conclusions are audited.

Each step is stamped with the current time; Python callers replaying a dated case (the demo, rating.demo.complaints)
pass ``at`` instead, and every rule, event and audit entry is the same.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.labels.complaints import centre_name
from rating.models.base import utcnow
from rating.models.centres import ComplaintCentre
from rating.models.complaints import (
    Category,
    Complaint,
    ComplaintChannel,
    ComplaintEvent,
    ComplaintStatus,
    Finding,
    Notification,
)
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.units import Unit
from rating.privacy import mask_personal_numbers
from rating.scoring import case_clocks
from rating.services import audit, ledger
from rating.services.complaints.centres import centre_for
from rating.services.errors import Conflict, InvalidInput, NotFound
from rating.services.tenures import Holders, holder_on

QUERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
DEFAULT_WORKING_DAYS = 15


def hash_query_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


@dataclass(frozen=True)
class Intake:
    channel: str
    category: str
    text: str
    post_code: str = ""
    unit_code: str = ""
    name: str = ""
    phone: str = ""


def _event(
    complaint: Complaint, actor: str, kind: str, note: str = "", public: bool = True, at: datetime | None = None
) -> None:
    db.session.add(
        ComplaintEvent(complaint=complaint, at=at or utcnow(), actor=actor, kind=kind, note=note, public=public)
    )


def _local_day(at: datetime | None):
    return local_today() if at is None else at.astimezone(LOCAL_TZ).date()


def _sealed(complaint: Complaint) -> bool:
    """A confidential report not yet concluded: its audit entries name no post or unit, since the office reads the
    audit log and nothing about an unverified report may reach anyone but the discipline commission."""
    return complaint.confidential and complaint.status != ComplaintStatus.CONCLUDED


def _snapshot(complaint: Complaint) -> dict:
    if _sealed(complaint):
        return {"case": complaint.case_number, "status": str(complaint.status), "confidential": True}
    return {
        "case": complaint.case_number,
        "status": str(complaint.status),
        "category": str(complaint.category),
        "finding": complaint.finding and str(complaint.finding),
        "unit": complaint.unit_id,
        "centre": complaint.centre_id,
        "post": complaint.post_id,
        "refer_by": complaint.refer_by and complaint.refer_by.isoformat(),
        "sign_by": complaint.sign_by and complaint.sign_by.isoformat(),
        "signed": complaint.signed_at is not None,
        "deadline": complaint.deadline and complaint.deadline.isoformat(),
        "extension": complaint.extension and str(complaint.extension),
        "satisfaction": complaint.satisfaction and str(complaint.satisfaction),
        "reopened": complaint.reopened,
    }


def audited(actor: audit.Actor, action: str, complaint: Complaint, before: dict | None, **extra) -> None:
    """Flush, then the audit entry of a step: the case before and after (and ``extra`` facts of the step)."""
    db.session.flush()
    after = {**_snapshot(complaint), **extra}
    post_id = None if _sealed(complaint) else complaint.post_id
    audit.record(actor, action, "complaint", complaint.id, post_id=post_id, before=before, after=after)


def _target(post_code: str, unit_code: str) -> tuple[Post | None, Unit]:
    """The post (and its unit) or the unit a case is about, from their codes."""
    post = unit = None
    if post_code.strip():
        post = db.session.scalar(select(Post).where(Post.code == post_code.strip().upper()))
        if post is None:
            raise InvalidInput(_("岗位编号“%(code)s”不存在。", code=post_code))
        unit = post.unit
    elif unit_code.strip():
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code.strip().upper()))
    if unit is None:
        raise InvalidInput(_("请选择被投诉的岗位或单位。"))
    return post, unit


def file_complaint(
    actor: audit.Actor,
    intake: Intake,
    at: datetime | None = None,
    *,
    taken_at: ComplaintCentre | None = None,
    confidential: bool = False,
) -> tuple[Complaint, str]:
    """Take in a complaint (now, or ``at``); returns it and the private query code (shown once to the complainant).
    The case goes to the centre serving its unit; a handler keying it in (``taken_at`` their centre) takes in only
    their own centre's cases and is told which centre serves the unit. A ``confidential`` report goes to the
    discipline commission instead (rating.services.complaints.reports): no centre, no acceptance clock, a ``JB``
    case number."""
    try:
        channel, category = ComplaintChannel(intake.channel), Category(intake.category)
    except ValueError:
        raise InvalidInput(_("请选择投诉渠道和问题类别。")) from None
    text = intake.text.strip()
    if not 10 <= len(text) <= 2000:
        raise InvalidInput(_("请用 10–2000 字说明发生了什么。"))
    post, unit = _target(intake.post_code, intake.unit_code)
    centre = centre_for(unit)
    if taken_at is not None and centre.id != taken_at.id:
        serving = centre_name(centre)
        raise InvalidInput(_("%(unit)s的投诉由%(centre)s受理,请转告投诉人。", unit=unit.name, centre=serving))
    if len(intake.name) > 50 or len(intake.phone) > 30:
        raise InvalidInput(_("姓名或电话过长。"))
    code = "".join(secrets.choice(QUERY_ALPHABET) for _i in range(8))
    holder = holder_on(post.id) if post is not None else None
    complaint = Complaint(
        case_number=secrets.token_hex(8),  # replaced below once the id is known
        query_code_hash=hash_query_code(code),
        channel=channel,
        post_id=post.id if post else None,
        unit_id=unit.id,
        centre_id=None if confidential else centre.id,
        holder_id=holder,
        category=category,
        text=mask_personal_numbers(text),
        complainant_name=intake.name.strip() or None,
        complainant_phone=intake.phone.strip() or None,
        status=ComplaintStatus.RECEIVED,
        refer_by=None if confidential else case_clocks.acceptance_due(_local_day(at)),
        confidential=confidential,
        created_at=at or utcnow(),
    )
    db.session.add(complaint)
    db.session.flush()
    complaint.case_number = f"{'JB' if confidential else 'TS'}{_local_day(at).year}-{complaint.id:05d}"
    _event(complaint, actor.name, "received", at=at)
    audited(actor, "complaint.receive", complaint, None)
    return complaint, code


def find_for_complainant(case_number: str, query_code: str) -> Complaint | None:
    """The case if both the case number and the query code match; compared in constant time."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.case_number == case_number.strip().upper()))
    if complaint is None or not hmac.compare_digest(complaint.query_code_hash, hash_query_code(query_code)):
        return None
    return complaint


def _notify(unit_id: int | None, complaint: Complaint, text: str, at: datetime | None = None) -> None:
    db.session.add(Notification(unit_id=unit_id, complaint_id=complaint.id, text=text[:500], created_at=at or utcnow()))


def _working_days() -> int:
    cycle = db.session.scalar(select(Cycle).order_by(Cycle.year.desc()).limit(1))
    return cycle.settings.complaint_working_days if cycle else DEFAULT_WORKING_DAYS


def refer(
    actor: audit.Actor,
    complaint: Complaint,
    note: str = "",
    at: datetime | None = None,
    *,
    post_code: str = "",
    unit_code: str = "",
) -> None:
    """转办: to the post's unit (or, for a case sent back as misrouted, to the post or unit now named), to be signed
    for within a working day and answered within the cycle's working days, from today (or from ``at``)."""
    if complaint.status != ComplaintStatus.RECEIVED:
        raise Conflict(_("只有已受理的案件可以转办。"))
    before = _snapshot(complaint)
    if post_code.strip() or unit_code.strip():
        post, unit = _target(post_code, unit_code)
        complaint.post_id, complaint.post, complaint.unit_id, complaint.unit = post and post.id, post, unit.id, unit
        complaint.holder_id = holder_on(post.id) if post is not None else None
        _move_to_centre(actor, complaint, centre_for(unit), at)
    day = _local_day(at)
    complaint.status = ComplaintStatus.REFERRED
    complaint.sign_by, complaint.signed_at = case_clocks.signing_due(day), None
    complaint.deadline = case_clocks.handling_due(day, _working_days())
    complaint.sent_back_reason, complaint.extension, complaint.overdue = None, None, False
    complaint.extension_days = complaint.extension_reason = None
    _event(complaint, actor.name, "referred", note.strip(), at=at)
    _notify(
        complaint.unit_id,
        complaint,
        _(
            "投诉 %(case)s 已转交本单位办理,请于 %(d)s 前答复。",
            case=complaint.case_number,
            d=complaint.deadline.isoformat(),
        ),
        at=at,
    )
    audited(actor, "complaint.refer", complaint, before)


def _move_to_centre(actor: audit.Actor, complaint: Complaint, centre: ComplaintCentre, at) -> None:
    """A case referred to a unit of another centre goes to that centre, which works it from then on (its audit
    entry is the referral's, whose snapshot names the centre before and after)."""
    if complaint.centre_id == centre.id:
        return
    complaint.centre_id, complaint.centre = centre.id, centre
    _event(complaint, actor.name, "moved", _("转至%(centre)s办理", centre=centre_name(centre)), public=False, at=at)
    _notify(None, complaint, _("投诉 %(case)s 已转来本中心办理。", case=complaint.case_number), at)


def record_progress(actor: audit.Actor, complaint: Complaint, note: str, at: datetime | None = None) -> None:
    """The unit's officer records what was done (internal; the complainant sees the status change)."""
    if complaint.status not in (ComplaintStatus.REFERRED, ComplaintStatus.IN_PROGRESS):
        raise Conflict(_("该案件当前不在办理阶段。"))
    if not note.strip():
        raise InvalidInput(_("请填写办理情况。"))
    complaint.status = ComplaintStatus.IN_PROGRESS
    if complaint.signed_at is None:  # recording what was done is taking the case on
        complaint.signed_at = at or utcnow()
    _event(complaint, actor.name, "progress", note.strip()[:2000], public=False, at=at)
    db.session.flush()


def _cycle_for(day) -> Cycle | None:
    return db.session.scalar(select(Cycle).where(Cycle.starts_on <= day, Cycle.ends_on >= day))


def conclude(actor: audit.Actor, complaint: Complaint, finding: str, reply: str, at: datetime | None = None) -> None:
    """办结: the finding (属实 / 部分属实 / 不属实) and the reply to the complainant, now or ``at``; counted in the
    cycle whose dates hold that day, replacing the finding a reopened case kept. Feeds the verdict."""
    if complaint.status not in (ComplaintStatus.REFERRED, ComplaintStatus.IN_PROGRESS):
        raise Conflict(_("只有转办后的案件可以办结。"))
    _settle(actor, complaint, finding, reply, at, "concluded", complaint.deadline)


def conclude_directly(
    actor: audit.Actor, complaint: Complaint, finding: str, reply: str, at: datetime | None = None
) -> None:
    """直接办结: the centre answers a received case itself (e.g. on the phone at once) without referring it; on time
    when within its acceptance clock."""
    if complaint.status != ComplaintStatus.RECEIVED or complaint.merged_into_id is not None:
        raise Conflict(_("只有尚未转办的案件可以直接办结。"))
    _settle(actor, complaint, finding, reply, at, "concluded_directly", complaint.refer_by)


def _settle(actor, complaint: Complaint, finding: str, reply: str, at, kind: str, due) -> None:
    try:
        finding = Finding(finding)
    except ValueError:
        raise InvalidInput(_("请选择核查结论。")) from None
    if len(reply.strip()) < 5:
        raise InvalidInput(_("请填写给投诉人的答复。"))
    before = _snapshot(complaint)
    today = _local_day(at)
    if complaint.cycle_id is not None:  # a reopened case's standing finding leaves the cycle it counted in
        db.session.get(Cycle, complaint.cycle_id).inputs_changed()
    complaint.status, complaint.finding, complaint.reply = ComplaintStatus.CONCLUDED, finding, reply.strip()[:4000]
    complaint.concluded_at = at or utcnow()
    complaint.concluded_on_time = due is None or today <= due
    cycle = _cycle_for(today)
    complaint.cycle_id = cycle.id if cycle else None
    if cycle is not None:
        cycle.inputs_changed()
    _event(complaint, actor.name, kind, complaint.reply, at=at)
    audited(actor, "complaint.conclude", complaint, before, direct=kind == "concluded_directly")
    if finding == Finding.SUBSTANTIATED:
        ledger.open_missing(actor)  # a substantiated complaint is a matter for the accountability ledger


def erase_contacts(retention: timedelta, now: datetime | None = None) -> int:
    """Personal contact data of cases concluded longer ago than ``retention`` is erased; the record stays."""
    cutoff = (now or utcnow()) - retention
    result = db.session.execute(
        update(Complaint)
        .where(
            Complaint.status == ComplaintStatus.CONCLUDED,
            Complaint.concluded_at < cutoff,
            Complaint.contact_erased_at.is_(None),
        )
        .values(complainant_name=None, complainant_phone=None, contact_erased_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def case_by_number(case_number: str) -> Complaint:
    """The case of a case number (any case); raises NotFound, which views show as a 404 page."""
    complaint = db.session.scalar(select(Complaint).where(Complaint.case_number == case_number.upper()))
    if complaint is None:
        raise NotFound(_("案件不存在。"))
    return complaint


def import_concluded(actor: audit.Actor, cycle: Cycle, rows) -> int:
    """Concluded cases from other systems: anonymous, no workflow, counted in ``cycle``. All or nothing."""
    from rating.services.officials import Amendment, check_open_for_entries

    check_open_for_entries(cycle, Amendment())
    cycle.inputs_changed()
    holders = Holders(row.post_id for row in rows)
    for row in rows:
        centre = centre_for(db.session.get(Unit, row.unit_id))
        complaint = Complaint(
            case_number=secrets.token_hex(8),
            query_code_hash=hash_query_code(secrets.token_hex(8)),
            channel=ComplaintChannel(row.channel),
            post_id=row.post_id,
            unit_id=row.unit_id,
            centre_id=centre.id,
            holder_id=holders.on(row.post_id, row.concluded_at),
            category=Category(row.category),
            text=_("(由其他系统导入的已办结案件)"),
            status=ComplaintStatus.CONCLUDED,
            finding=Finding(row.finding),
            concluded_at=row.concluded_at,
            concluded_on_time=True,
            cycle_id=cycle.id,
            imported=True,
            created_at=row.concluded_at,
        )
        db.session.add(complaint)
        db.session.flush()
        complaint.case_number = f"IM{cycle.year}-{complaint.id:05d}"
        _event(complaint, actor.name, "concluded", public=False)
        db.session.flush()
        audit.record(
            actor, "complaint.import", "complaint", complaint.id, post_id=complaint.post_id, after=_snapshot(complaint)
        )
    ledger.open_missing(actor)
    return len(rows)
