"""What the public may read of a complaint (投诉内容公开审核).

Reports in the 违规违纪 area are never public: not their text, not the post or unit they name; they are only
counted. Any other complaint's text is public only once a handler has reviewed it and published a text with the
names and numbers masked (or withheld it), and never if the office sets ``COMPLAINT_TEXT_PUBLIC=never``. The public
pages and the Open311 API ask ``public_text`` and ``is_confidential``; handlers publish and withhold here, audited.
"""

from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.base import utcnow
from rating.models.complaints import Category, Complaint, TextReview
from rating.models.posts import Holder, Post, Tenure
from rating.privacy import mask_names
from rating.services import audit
from rating.services.complaints.cases import _event, audited
from rating.services.errors import Conflict, InvalidInput

#: The office's choice (rating.config): texts public once reviewed, or never.
REVIEWED, NEVER = "reviewed", "never"


def is_confidential(complaint: Complaint) -> bool:
    """违规违纪: a report about a person's conduct, never shown publicly (only counted)."""
    return complaint.category == Category.DISCIPLINE


def texts_published() -> bool:
    return current_app.config.get("COMPLAINT_TEXT_PUBLIC", REVIEWED) != NEVER


def public_text(complaint: Complaint) -> str:
    """The text the public may read: the reviewed, masked text once published; else nothing."""
    if is_confidential(complaint) or not texts_published() or complaint.text_review != TextReview.PUBLISHED:
        return ""
    return complaint.public_text or ""


def names_in_case(complaint: Complaint) -> list[str]:
    """The people a case is known to involve: the complainant, and every holder, past or present, of a post in the
    unit complained about (the post's holder among them)."""
    holders = db.session.scalars(
        select(Holder.name)
        .join(Tenure, Tenure.holder_id == Holder.id)
        .join(Post, Post.id == Tenure.post_id)
        .where(Post.unit_id == complaint.unit_id)
    ).all()
    if complaint.holder_id is not None:
        holders.append(db.session.get(Holder, complaint.holder_id).name)
    return [*holders, complaint.complainant_name or ""]


def proposed_text(complaint: Complaint) -> str:
    """The text a handler starts from: the published one, else the complaint's own with names and numbers masked."""
    return complaint.public_text or mask_names(complaint.text, names_in_case(complaint))


def _reviewable(complaint: Complaint) -> None:
    if is_confidential(complaint):
        raise Conflict(_("违规违纪举报一律不公开。"))
    if not texts_published():
        raise Conflict(_("本平台设定投诉内容一律不公开。"))


def _review(actor: audit.Actor, complaint: Complaint, review: TextReview, text: str | None, action: str, at):
    before = {"text_review": complaint.text_review and str(complaint.text_review), "public_text": complaint.public_text}
    complaint.text_review, complaint.public_text = review, text
    complaint.text_reviewed_at = at or utcnow()
    _event(complaint, actor.name, action.rpartition(".")[2], text or "", public=False, at=at)
    audited(actor, action, complaint, before, text_review=str(review), public_text=text)


def publish_text(actor: audit.Actor, complaint: Complaint, text: str, at: datetime | None = None) -> None:
    """公开: show ``text`` (as the handler edited it; masked again) in place of the complaint's text."""
    _reviewable(complaint)
    text = mask_names(text.strip(), names_in_case(complaint))
    if not 10 <= len(text) <= 2000:
        raise InvalidInput(_("公开内容应为 10–2000 字。"))
    _review(actor, complaint, TextReview.PUBLISHED, text, "complaint.publish_text", at)


def withhold_text(actor: audit.Actor, complaint: Complaint, at: datetime | None = None) -> None:
    """不公开: the public keeps seeing the category, status and dates only."""
    _reviewable(complaint)
    _review(actor, complaint, TextReview.WITHHELD, None, "complaint.withhold_text", at)
