"""Objections (异议) lodged during public notice (公示), the warned holders' replies (申辩), and the office's answers.

Called by the public notice pages (rating.results.objections) and the verdict desk (rating.admin.verdict). Every
objection and reply must be answered before the cycle can be published (rating.services.verdict.lifecycle.publish).
"""

import hashlib
import hmac

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Post
from rating.models.results import Objection, ObjectionKind, Result
from rating.privacy import mask_personal_numbers
from rating.scoring.verdict import Title
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput, NotFound
from rating.services.verdict.lifecycle import lock_cycle
from rating.services.verdict.publication import cycle_notice_open, public_result


def _reference(cycle: Cycle) -> str:
    count = db.session.scalar(select(func.count()).select_from(Objection).where(Objection.cycle_id == cycle.id))
    return f"YY{cycle.year}-{(count or 0) + 1:04d}"


def lodge_objection(cycle: Cycle, text: str, post: Post | None = None, contact: str = "") -> Objection:
    """异议: anyone may object during the notice period; the office must answer before publishing."""
    lock_cycle(cycle)  # references are numbered per cycle
    if not cycle_notice_open(cycle):
        raise Conflict(_("%(year)d 年度结果不在公示期内,不能提出异议。", year=cycle.year))
    text = (text or "").strip()
    if len(text) < 10:
        raise InvalidInput(_("请写明异议的事实和理由(至少 10 个字)。"))
    if len(text) > 2000:
        raise InvalidInput(_("异议内容不能超过 2000 字。"))
    objection = Objection(
        reference=_reference(cycle),
        cycle_id=cycle.id,
        kind=ObjectionKind.OBJECTION,
        post_id=post.id if post else None,
        text=mask_personal_numbers(text),
        contact=(contact or "").strip()[:100] or None,
    )
    db.session.add(objection)
    db.session.flush()
    return objection


def reply_token(cycle: Cycle, post_code: str, holder_id: int | None) -> str:
    """The warned holder's private link key (申辩): derived from the secret key, nothing stored."""
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    message = f"reply:{cycle.year}:{post_code}:{holder_id}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def warned_line(cycle: Cycle, post_code: str, token: str) -> Result:
    """The warned line of the notice draft that ``token`` opens, or NotFound."""
    draft = public_result(cycle) if cycle.status == CycleStatus.NOTICE else None  # not the published set
    line = None
    if draft is not None:
        line = db.session.scalar(
            select(Result).where(
                Result.result_set_id == draft.id, Result.post_code == post_code, Result.title == Title.WARNING
            )
        )
    if line is None or not hmac.compare_digest(reply_token(cycle, post_code, line.holder_id), token):
        raise NotFound(_("链接无效或已过期。"))
    return line


def holder_reply(cycle: Cycle, line: Result, text: str) -> Objection:
    """申辩: the warned holder's statement, answered by the office like an objection."""
    lock_cycle(cycle)
    if not cycle_notice_open(cycle):
        raise Conflict(_("公示期已结束,不能再提交申辩。"))
    text = (text or "").strip()
    if not 10 <= len(text) <= 4000:
        raise InvalidInput(_("申辩内容须在 10–4000 字之间。"))
    objection = Objection(
        reference=_reference(cycle),
        cycle_id=cycle.id,
        kind=ObjectionKind.REPLY,
        post_id=line.post_id,
        holder_id=line.holder_id,
        text=mask_personal_numbers(text),
    )
    db.session.add(objection)
    db.session.flush()
    return objection


def answer(actor: audit.Actor, objection: Objection, text: str) -> None:
    text = (text or "").strip()
    if len(text) < 5:
        raise InvalidInput(_("请填写答复内容。"))
    cycle = db.session.get(Cycle, objection.cycle_id)
    if cycle.status == CycleStatus.PUBLISHED:
        raise Conflict(_("结果已公布,异议答复不能再修改。"))
    before = {"answer": objection.answer} if objection.answer else None
    objection.answer, objection.answered_by, objection.answered_at = text[:4000], actor.name, utcnow()
    db.session.flush()
    audit.record(
        actor,
        "objection.answer",
        "objection",
        objection.id,
        post_id=objection.post_id,
        before=before,
        after={"reference": objection.reference, "answer": objection.answer},
    )


def of_cycle(cycle: Cycle) -> list[Objection]:
    """Every objection and reply of the cycle, oldest first, with its post (the verdict desk)."""
    return db.session.scalars(
        select(Objection)
        .where(Objection.cycle_id == cycle.id)
        .options(selectinload(Objection.post))
        .order_by(Objection.created_at, Objection.id)
    ).all()


def answered_objections(cycle: Cycle) -> list[Objection]:
    """The public's objections that have an answer, oldest first (shown on the notice page)."""
    return db.session.scalars(
        select(Objection)
        .where(
            Objection.cycle_id == cycle.id,
            Objection.kind == ObjectionKind.OBJECTION,
            Objection.answered_at.is_not(None),
        )
        .options(selectinload(Objection.post))
        .order_by(Objection.created_at, Objection.id)
    ).all()


def waiting_objections(cycle: Cycle) -> int:
    """How many of the public's objections still wait for an answer."""
    return db.session.scalar(
        select(func.count())
        .select_from(Objection)
        .where(
            Objection.cycle_id == cycle.id,
            Objection.kind == ObjectionKind.OBJECTION,
            Objection.answered_at.is_(None),
        )
    )


def waiting_by_cycle() -> dict[int, int]:
    """Unanswered objections and replies per cycle id (the verdict desk's index)."""
    return dict(
        db.session.execute(
            select(Objection.cycle_id, func.count()).where(Objection.answered_at.is_(None)).group_by(Objection.cycle_id)
        ).all()
    )


def in_cycle(cycle: Cycle, objection_id: int) -> Objection:
    """One objection of the cycle, or NotFound."""
    objection = db.session.get(Objection, objection_id)
    if objection is None or objection.cycle_id != cycle.id:
        raise NotFound(_("没有这件异议。"))
    return objection
