"""Duplicate complaints (重复投诉): the cases a handler is shown beside a case as possibly the same matter (same post
or unit, close in time, similar text, within one centre, never a confidential report beside a centre's case), and
merging one into another, which the handler decides."""

import difflib
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.complaints import Complaint, ComplaintStatus
from rating.services import audit
from rating.services.complaints.cases import _event
from rating.services.errors import Conflict, InvalidInput

DUPLICATE_WINDOW = timedelta(days=7)
DUPLICATE_SIMILARITY = 0.6


def possible_duplicates(complaint: Complaint) -> list[Complaint]:
    """Same post (or unit), close in time, similar text: suggested to the handler, who decides."""
    same_target = (
        Complaint.post_id == complaint.post_id if complaint.post_id else Complaint.unit_id == complaint.unit_id
    )
    candidates = db.session.scalars(
        select(Complaint).where(
            same_target,
            Complaint.centre_id == complaint.centre_id,  # a centre merges only its own cases
            Complaint.confidential.is_(complaint.confidential),  # a report is never shown beside a centre's case
            Complaint.id != complaint.id,
            Complaint.merged_into_id.is_(None),
            Complaint.created_at >= complaint.created_at - DUPLICATE_WINDOW,
            Complaint.created_at <= complaint.created_at + DUPLICATE_WINDOW,
        )
    ).all()
    return [
        other
        for other in candidates
        if difflib.SequenceMatcher(None, complaint.text, other.text).ratio() >= DUPLICATE_SIMILARITY
    ]


def merge(actor: audit.Actor, duplicate: Complaint, into: Complaint) -> None:
    apart = duplicate.centre_id != into.centre_id or duplicate.confidential or into.confidential
    if duplicate.id == into.id or into.merged_into_id is not None or apart:
        raise InvalidInput(_("不能合并到该案件。"))
    if duplicate.status == ComplaintStatus.CONCLUDED:
        raise Conflict(_("已办结的案件不能合并。"))
    duplicate.merged_into_id = into.id
    _event(duplicate, actor.name, "merged", _("已并入 %(case)s 一并办理", case=into.case_number))
    _event(into, actor.name, "merged", _("并入重复投诉 %(case)s", case=duplicate.case_number), public=False)
    db.session.flush()
    audit.record(actor, "complaint.merge", "complaint", duplicate.id, after={"into": into.case_number})
