"""Bad-review follow-up (差评整改): a level 1–2 rating that leaves a contact opens a follow-up for the post's unit
with a deadline in Chinese working days. The unit records what it did, the citizen rates the rectification, and the
unit may appeal a rating as mistaken or malicious (申诉复核), which an administrator decides."""

import secrets
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from rating.clock import LOCAL_TZ, local_today
from rating.extensions import db
from rating.models.base import utcnow
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.models.ratings import FollowUp, FollowUpStatus, Rating, RatingStatus
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput
from rating.workdays import add_working_days

APPEAL_KINDS = ("mistaken", "malicious")


def snapshot(follow_up: FollowUp) -> dict:
    return {
        "status": str(follow_up.status),
        "deadline": follow_up.deadline.isoformat(),
        "action_taken": follow_up.action_taken,
        "citizen_level": follow_up.citizen_level,
        "appeal_kind": follow_up.appeal_kind,
        "appeal_decision": follow_up.appeal_decision,
    }


def open_follow_up(rating: Rating, post: Post, contact: str, cycle: Cycle, at: datetime | None = None) -> FollowUp:
    """Open the follow-up of a bad review, now or (for the demo's dated reviews) ``at``; the deadline counts from
    that day."""
    at = at or utcnow()
    follow_up = FollowUp(
        rating_id=rating.id,
        cycle_id=rating.cycle_id,
        post_id=post.id,
        unit_id=post.unit_id,
        contact=contact[:100],
        citizen_token=secrets.token_urlsafe(24),
        deadline=add_working_days(at.astimezone(LOCAL_TZ).date(), cycle.settings.followup_working_days),
        status=FollowUpStatus.OPEN,
        created_at=at,
    )
    db.session.add(follow_up)
    db.session.flush()
    audit.append(audit.CITIZEN, "follow_up.open", "follow_up", follow_up.id, post_id=post.id, after=snapshot(follow_up))
    return follow_up


def leave_contact(rating: Rating, contact: str) -> FollowUp:
    """A bad review given without a contact: its rater leaves one on the receipt afterwards, and the follow-up opens
    as if the contact had come with the rating. Raises InvalidInput (not a bad review, no contact) or Conflict (a
    follow-up is already open)."""
    contact = contact.strip()
    if rating.level > 2:
        raise InvalidInput(_("只有不满意、非常不满意的评价需要回访整改。"))
    if not contact or len(contact) > 100:
        raise InvalidInput(_("请填写联系方式(手机号或电子邮箱,100 字以内)。"))
    if db.session.scalar(select(FollowUp.id).where(FollowUp.rating_id == rating.id)) is not None:
        raise Conflict(_("这条评价已经留有联系方式,单位将回访整改。"))
    cycle = db.session.get(Cycle, rating.cycle_id)
    return open_follow_up(rating, rating.post, contact, cycle)


def _change(actor, follow_up: FollowUp, action: str, apply) -> None:
    """Apply a change and log it: a citizen's as a sealed leaf, like the rating it follows; staff's chained."""
    before = snapshot(follow_up)
    apply()
    db.session.flush()
    write = audit.append if actor == audit.CITIZEN else audit.record
    write(actor, action, "follow_up", follow_up.id, post_id=follow_up.post_id, before=before, after=snapshot(follow_up))


def record_rectification(
    actor: audit.Actor, follow_up: FollowUp, action_taken: str, at: datetime | None = None
) -> None:
    """The unit says what it did, now or (for the demo's dated follow-ups) ``at``."""
    if follow_up.status not in (FollowUpStatus.OPEN, FollowUpStatus.RECTIFIED):
        raise Conflict(_("该整改事项已不能修改。"))
    if not action_taken.strip():
        raise InvalidInput(_("请填写整改情况。"))

    def apply():
        follow_up.action_taken = action_taken.strip()[:2000]
        follow_up.status, follow_up.rectified_at, follow_up.rectified_by = (
            FollowUpStatus.RECTIFIED,
            at or utcnow(),
            actor.name,
        )

    _change(actor, follow_up, "follow_up.rectify", apply)


def citizen_rates_rectification(follow_up: FollowUp, level: int) -> None:
    if follow_up.status != FollowUpStatus.RECTIFIED:
        raise Conflict(_("单位尚未反馈整改情况,暂不能评价。"))
    if level not in (1, 2, 3, 4, 5):
        raise InvalidInput(_("请选择对整改的评价。"))

    def apply():
        follow_up.citizen_level, follow_up.status = level, FollowUpStatus.CLOSED

    _change(audit.CITIZEN, follow_up, "follow_up.citizen_rate", apply)


def appeal(actor: audit.Actor, follow_up: FollowUp, kind: str, text: str) -> None:
    if follow_up.status not in (FollowUpStatus.OPEN, FollowUpStatus.RECTIFIED) or follow_up.appeal_kind:
        raise Conflict(_("该差评已申诉过或已办结。"))
    if kind not in APPEAL_KINDS or not text.strip():
        raise InvalidInput(_("请选择申诉理由(误评或恶意评价)并说明情况。"))

    def apply():
        follow_up.appeal_kind, follow_up.appeal_text, follow_up.status = (
            kind,
            text.strip()[:2000],
            FollowUpStatus.APPEALED,
        )

    _change(actor, follow_up, "follow_up.appeal", apply)


def decide_appeal(actor: audit.Actor, follow_up: FollowUp, upheld: bool, reason: str) -> None:
    """Upheld: the rating is excluded (kept, with the reason) and the follow-up closed. Rejected: back to the unit."""
    if follow_up.status != FollowUpStatus.APPEALED:
        raise Conflict(_("该事项没有待复核的申诉。"))
    if not reason.strip():
        raise InvalidInput(_("请填写复核理由。"))
    from rating.services.ratings import moderate

    def apply():
        follow_up.appeal_decision, follow_up.appeal_decided_by = ("upheld" if upheld else "rejected"), actor.name
        follow_up.status = (
            FollowUpStatus.CLOSED
            if upheld
            else (FollowUpStatus.RECTIFIED if follow_up.rectified_at else FollowUpStatus.OPEN)
        )

    _change(actor, follow_up, "follow_up.decide_appeal", apply)
    if upheld:
        moderate(actor, follow_up.rating, RatingStatus.EXCLUDED, _("申诉复核成立:%(r)s", r=reason.strip()))


def overdue():
    """Follow-ups past their deadline with nothing done yet, for administrators."""
    return select(FollowUp).where(FollowUp.status == FollowUpStatus.OPEN, FollowUp.deadline < local_today())
