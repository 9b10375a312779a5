"""Casework of the complaint centre (投诉案件办理) in the back office.

Handlers key in phone, visit and letter complaints, refer cases to the unit, merge duplicates and conclude with a
finding and a reply; the unit's staff see the cases referred to their unit and record what they did; administrators
and auditors read. The complainant's name and phone are shown to handlers and auditors only. The rules live in
``rating.services.complaints``.
"""

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from rating.clock import local_today
from rating.complaints import bp
from rating.complaints.casework_forms import (
    CATEGORY_LABELS,
    CHANNEL_LABELS,
    EVENT_LABELS,
    FINDING_LABELS,
    STATUS_LABELS,
    ConclusionForm,
    ExtensionDecisionForm,
    ExtensionForm,
    IntakeForm,
    ProgressForm,
    PublicTextForm,
    ReferForm,
    ReturnCallForm,
    SendBackForm,
)
from rating.complaints.receipt import INTAKE_KEY, intake_code, send_receipt
from rating.extensions import db
from rating.forms import EmptyForm
from rating.labels.complaints import CLOCK_LABELS, EXTENSION_LABELS, SATISFACTION_LABELS, centre_name
from rating.models.complaints import Complaint, ComplaintStatus, Extension
from rating.models.users import Role
from rating.security import roles
from rating.services import complaints
from rating.services.complaints import access
from rating.views import actor, apply_change, apply_form, audit_read, pick

PER_PAGE = 50
HANDLERS = (Role.COMPLAINT_HANDLER,)
READERS = (Role.COMPLAINT_HANDLER, Role.AUDITOR, Role.ADMIN, Role.UNIT_STAFF)
#: Who may see the complainant's name and phone (SPEC §2: never shown publicly).
CONTACT_READERS = (Role.COMPLAINT_HANDLER, Role.AUDITOR)
#: Who may publish or withhold a complaint's text (公开审核).
PUBLISHERS = (Role.COMPLAINT_HANDLER, Role.ADMIN)
#: A case is with the unit in these states: it may record progress, the centre may conclude.
IN_HAND = (ComplaintStatus.REFERRED, ComplaintStatus.IN_PROGRESS)


def _labels() -> dict:
    return {
        "channel_labels": CHANNEL_LABELS,
        "category_labels": CATEGORY_LABELS,
        "status_labels": STATUS_LABELS,
        "finding_labels": FINDING_LABELS,
        "event_labels": EVENT_LABELS,
        "satisfaction_labels": SATISFACTION_LABELS,
        "extension_labels": EXTENSION_LABELS,
        "clock_labels": CLOCK_LABELS,
        "centre_name": centre_name,
    }


def _case_or_404(case_number: str) -> Complaint:
    """The case, if the user may see it (rating.services.complaints.access: a handler their centre's cases, a
    unit's staff their unit's once referred to it); else 403. A report to the discipline commission is no case here
    for anyone (404): the commission reads it at its own desk (rating.complaints.reports)."""
    complaint = complaints.case_by_number(case_number)
    if complaint.confidential:
        abort(404)
    if not access.may_see(current_user, complaint):
        abort(403)
    return complaint


@bp.get("/cases")
@roles(*READERS)
def cases():
    status = request.args.get("status", "")
    overdue_only = request.args.get("overdue") == "1"
    stmt = select(Complaint).where(Complaint.merged_into_id.is_(None), access.case_scope(current_user))
    if status in set(ComplaintStatus):
        stmt = stmt.where(Complaint.status == status)
    if overdue_only:  # 督办: a clock ran out (marked by the hourly job) and the case is still not concluded
        stmt = stmt.where(Complaint.overdue.is_(True), Complaint.status != ComplaintStatus.CONCLUDED)
    stmt = stmt.options(joinedload(Complaint.post), joinedload(Complaint.unit)).order_by(
        Complaint.created_at.desc(), Complaint.id.desc()
    )
    pagination, today = db.paginate(stmt, per_page=PER_PAGE), local_today()
    return render_template(
        "complaints/cases.html",
        pagination=pagination,
        clocks={c.id: complaints.running_clock(c, today) for c in pagination.items},
        status=status if status in set(ComplaintStatus) else "",
        overdue_only=overdue_only,
        statuses=list(ComplaintStatus),
        **_labels(),
    )


def _intake_filed(filed) -> str:
    complaint, query_code = filed
    session[INTAKE_KEY] = {"case": complaint.case_number, "code": query_code}
    send_receipt(complaint, query_code)
    return url_for("complaints.case", case_number=complaint.case_number)


@bp.route("/cases/new", methods=["GET", "POST"])
@roles(*HANDLERS)
def intake():
    form = IntakeForm()
    picked = {"post_code": pick(form.post_code), "unit_code": pick(form.unit_code, posts=False, units=True)}
    searching = any(found.open for found in picked.values())  # a name typed: choose among what it finds first
    if form.validate_on_submit() and not searching:
        data = {name: form[name].data or "" for name in ("channel", "category", "text", "post_code", "unit_code")}
        return apply_change(
            lambda: complaints.file_complaint(
                actor(),
                complaints.Intake(**data, name=form.name.data or "", phone=form.phone.data or ""),
                taken_at=current_user.centre,
            ),
            lambda filed: _("已登记,案件编号 %(case)s。", case=filed[0].case_number),
            _intake_filed,
            page=lambda status: (render_template("complaints/case_new.html", form=form, picked=picked), status),
        )
    status = 422 if form.errors or searching else 200
    return render_template("complaints/case_new.html", form=form, picked=picked), status


@bp.get("/cases/<case_number>")
@roles(*READERS)
def case(case_number: str):
    complaint = _case_or_404(case_number)
    role, open_ = current_user.role, complaint.merged_into_id is None
    handler = role == Role.COMPLAINT_HANDLER and open_
    merged_into = db.session.get(Complaint, complaint.merged_into_id) if complaint.merged_into_id else None
    duplicates = (
        complaints.possible_duplicates(complaint) if handler and complaint.status != ComplaintStatus.CONCLUDED else []
    )
    show_contact = role in CONTACT_READERS
    contact = [name for name in ("complainant_name", "complainant_phone") if getattr(complaint, name)]
    if show_contact and contact:
        audit_read("complaint", complaint.id, contact, complaint.post_id)
    return render_template(
        "complaints/case_detail.html",
        complaint=complaint,
        events=complaint.events,
        merged_into=merged_into,
        show_contact=show_contact,
        intake_code=intake_code(complaint) if handler else None,
        duplicates=duplicates,
        merge_form=EmptyForm() if duplicates else None,
        clock=complaints.running_clock(complaint),
        confidential=complaints.is_confidential(complaint),
        texts_public=complaints.texts_published(),
        **_review_forms(complaint) if role in PUBLISHERS and open_ else {},
        **_handler_forms(complaint) if handler else {},
        **_unit_forms(complaint) if role == Role.UNIT_STAFF and open_ else {},
        **_labels(),
    )


def _review_forms(complaint: Complaint) -> dict:
    """公开审核: publish the text (prefilled masked) or withhold it, unless it may never be public."""
    if complaints.is_confidential(complaint) or not complaints.texts_published():
        return {}
    return {
        "review_form": PublicTextForm(public_text=complaints.proposed_text(complaint)),
        "withhold_form": EmptyForm(),
    }


def _handler_forms(complaint: Complaint) -> dict:
    """The centre's steps open on the case: refer or conclude at once, conclude, decide an extension, call back."""
    status = complaint.status
    received, in_hand = status == ComplaintStatus.RECEIVED, status in IN_HAND
    return {
        "refer_form": ReferForm() if received else None,
        "direct_form": ConclusionForm(prefix="direct") if received else None,
        "conclusion_form": ConclusionForm() if in_hand else None,
        "decision_form": ExtensionDecisionForm() if in_hand and complaint.extension == Extension.PENDING else None,
        "call_form": ReturnCallForm() if status == ComplaintStatus.CONCLUDED and complaint.satisfied is None else None,
    }


def _unit_forms(complaint: Complaint) -> dict:
    """The unit's steps: sign for the case or send it back, record progress, ask once for more time."""
    signed, in_hand = complaint.signed_at is not None, complaint.status in IN_HAND
    may_extend = signed and complaint.extension not in (Extension.PENDING, Extension.APPROVED)
    return {
        "sign_form": EmptyForm() if complaint.status == ComplaintStatus.REFERRED and not signed else None,
        "send_back_form": SendBackForm() if in_hand else None,
        "progress_form": ProgressForm() if in_hand else None,
        "extension_form": ExtensionForm() if in_hand and may_extend else None,
    }


def _apply(complaint: Complaint, form, change, done: str, back: Complaint | None = None):
    return apply_form(form, change, done, url_for("complaints.case", case_number=(back or complaint).case_number))


@bp.post("/cases/<case_number>/refer")
@roles(*HANDLERS)
def refer(case_number: str):
    complaint, form = _case_or_404(case_number), ReferForm()
    back = url_for("complaints.case", case_number=complaint.case_number)
    if not form.validate_on_submit():
        return apply_form(form, None, None, back)  # says why and goes back
    # Referred to a unit of another centre, the case is that centre's now: back to this handler's list.
    return apply_change(
        lambda: complaints.refer(
            actor(),
            complaint,
            form.note.data or "",
            post_code=form.post_code.data or "",
            unit_code=form.unit_code.data or "",
        ),
        lambda _done: _("已转办至 %(unit)s,并通知该单位。", unit=complaint.unit.name),
        lambda _done: back if access.may_see(current_user, complaint) else url_for("complaints.cases"),
        page=lambda _status: redirect(back),
    )


@bp.post("/cases/<case_number>/progress")
@roles(Role.UNIT_STAFF)
def progress(case_number: str):
    complaint, form = _case_or_404(case_number), ProgressForm()
    return _apply(
        complaint,
        form,
        lambda: complaints.record_progress(actor(), complaint, form.note.data or ""),
        _("已记录办理情况。"),
    )


@bp.post("/cases/<case_number>/conclude")
@roles(*HANDLERS)
def conclude(case_number: str):
    complaint, form = _case_or_404(case_number), ConclusionForm()
    return _apply(
        complaint,
        form,
        lambda: complaints.conclude(actor(), complaint, form.finding.data or "", form.reply.data or ""),
        _("案件已办结,投诉人可凭案件编号和查询码查看答复。"),
    )


@bp.post("/cases/<case_number>/merge/<into_case_number>")
@roles(*HANDLERS)
def merge(case_number: str, into_case_number: str):
    duplicate, into = _case_or_404(case_number), _case_or_404(into_case_number)
    return _apply(
        duplicate,
        EmptyForm(),
        lambda: complaints.merge(actor(), duplicate, into),
        _("已将 %(dup)s 并入 %(into)s 一并办理。", dup=duplicate.case_number, into=into.case_number),
        back=into,
    )
