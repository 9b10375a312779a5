"""The confidential channel to the discipline commission (保密举报,直送纪委): the citizen's form, and the commission's
own desk where it reads, looks into and concludes the reports, or hands one to the complaint centre. Only the
discipline-commission role reaches the desk; the rules are in rating.services.complaints.reports.
"""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from rating.complaints import bp
from rating.complaints.casework import _labels
from rating.complaints.casework_forms import ConclusionForm, ProgressForm, ToCentreForm
from rating.complaints.forms import ReportForm
from rating.complaints.routes import _filing_limit, _network, online_filing
from rating.extensions import db, limiter
from rating.models.complaints import Complaint, ComplaintStatus
from rating.models.users import Role
from rating.security import public, roles
from rating.services import complaints
from rating.views import actor, apply_form, audit_read

PER_PAGE = 50
COMMISSION = (Role.AUDITOR,)


@bp.route("/report", methods=["GET", "POST"])
@public
@limiter.limit(_filing_limit, methods=["POST"], key_func=_network)
def report():
    """保密举报: a breach of discipline reported straight to the commission, about a post or a unit."""
    return online_filing(ReportForm, "complaints/report_new.html", complaints.file_report, category="discipline")


@bp.get("/reports")
@roles(*COMMISSION)
def reports():
    status = request.args.get("status", "")
    stmt = select(Complaint).where(Complaint.confidential)
    if status in set(ComplaintStatus):
        stmt = stmt.where(Complaint.status == status)
    stmt = stmt.options(joinedload(Complaint.post), joinedload(Complaint.unit)).order_by(
        Complaint.created_at.desc(), Complaint.id.desc()
    )
    return render_template(
        "complaints/reports.html",
        pagination=db.paginate(stmt, per_page=PER_PAGE),
        status=status if status in set(ComplaintStatus) else "",
        statuses=[ComplaintStatus.RECEIVED, ComplaintStatus.IN_PROGRESS, ComplaintStatus.CONCLUDED],
        **_labels(),
    )


@bp.get("/reports/<case_number>")
@roles(*COMMISSION)
def report_case(case_number: str):
    complaint = complaints.report_by_number(case_number)
    contact = [name for name in ("complainant_name", "complainant_phone") if getattr(complaint, name)]
    if contact:  # the office reads the audit log: the record of this reading names no post
        audit_read("complaint", complaint.id, contact, None)
    open_ = complaints.report_is_open(complaint)
    return render_template(
        "complaints/report_detail.html",
        complaint=complaint,
        events=complaint.events,
        investigate_form=ProgressForm() if open_ else None,
        conclusion_form=ConclusionForm() if open_ else None,
        centre_form=ToCentreForm() if open_ else None,
        **_labels(),
    )


def _apply(complaint: Complaint, form, change, done: str):
    return apply_form(form, change, done, url_for("complaints.report_case", case_number=complaint.case_number))


@bp.post("/reports/<case_number>/investigate")
@roles(*COMMISSION)
def report_investigate(case_number: str):
    complaint, form = complaints.report_by_number(case_number), ProgressForm()
    return _apply(
        complaint,
        form,
        lambda: complaints.investigate(actor(), complaint, form.note.data or ""),
        _("已记录核查情况。"),
    )


@bp.post("/reports/<case_number>/conclude")
@roles(*COMMISSION)
def report_conclude(case_number: str):
    complaint, form = complaints.report_by_number(case_number), ConclusionForm()
    return _apply(
        complaint,
        form,
        lambda: complaints.conclude_report(actor(), complaint, form.finding.data or "", form.reply.data or ""),
        _("举报已办结,举报人可凭案件编号和查询码查看答复。"),
    )


@bp.post("/reports/<case_number>/to-centre")
@roles(*COMMISSION)
def report_to_centre(case_number: str):
    complaint, form = complaints.report_by_number(case_number), ToCentreForm()
    return apply_form(
        form,
        lambda: complaints.to_centre(actor(), complaint, form.category.data or "", form.note.data or ""),
        _("已转投诉中心受理,本举报不再列在纪委。"),
        url_for("complaints.reports"),
    )
