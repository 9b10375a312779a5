"""The complainant's side of the complaint centre (投诉中心), all public: the online complaint form, the page that
shows the private query code once, tracking a case with its case number and query code, and the return visit.

The query code never appears in a URL: it is shown once from the session after filing, and tracking is a POST. A
wrong case number and a wrong code get the same answer, and lookups are rate-limited per network, so the tracking
page cannot be used to guess codes or to learn which cases exist.
"""

from flask import current_app, flash, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from rating.complaints import bp
from rating.complaints.forms import ComplaintForm, TrackForm, VisitForm
from rating.complaints.receipt import send_receipt
from rating.extensions import db, limiter
from rating.labels.complaints import CATEGORY_HINTS, CATEGORY_LABELS, EVENT_LABELS, FINDING_LABELS, STATUS_LABELS
from rating.models.complaints import ComplaintChannel, ComplaintStatus
from rating.models.posts import Post
from rating.models.units import Unit
from rating.security import public
from rating.services import audit
from rating.services import complaints as cases
from rating.views import apply_change

#: The session key holding a just-filed case's query code until the filed page has shown it once.
FILED_KEY = "complaint_filed"
COMPLAINANT = audit.Actor("complainant")


def _network() -> str:
    return request.remote_addr or "unknown"


def _filing_limit() -> str:
    return current_app.config.get("COMPLAINT_RATE_LIMIT", "10 per hour")


def _lookup_limit() -> str:
    return current_app.config.get("COMPLAINT_TRACK_RATE_LIMIT", "10 per minute")


#: Tracking and the return visit both check a case number and code pair, so they share one budget per network.
lookup_limit = limiter.shared_limit(_lookup_limit, scope="complaint-lookup", key_func=_network, methods=["POST"])


def _unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(
        select(Unit).where(Unit.id.in_(select(Post.unit_id).where(Post.active))).order_by(Unit.code)
    )
    return [SelectChoice("", _("(请选择)"))] + [SelectChoice(unit.code, unit.name) for unit in units]


def online_filing(form_class, template: str, file, category: str = "", **shown):
    """A citizen's online form (a complaint, or a report to the discipline commission), about a post (prefilled from
    ``?post=``) or a unit, the contact optional and private: on a valid submit ``file`` takes it in, and the query
    code is shown once; else the form again with its errors."""
    form = form_class(post=request.args.get("post", "")[:20])
    form.unit.choices = _unit_choices()
    code = (form.post.data or "").strip().upper()
    post = db.session.scalar(select(Post).where(Post.code == code)) if code else None

    def page(status: int = 200):
        return render_template(template, form=form, post=post, **shown), status

    if not form.validate_on_submit():
        return page(422 if form.is_submitted() else 200)
    intake = cases.Intake(
        channel=ComplaintChannel.ONLINE.value,
        category=category or form.category.data,
        text=form.text.data,
        post_code=form.post.data or "",
        unit_code=form.unit.data or "",
        name=form.name.data or "",
        phone=form.phone.data or "",
    )
    return apply_change(lambda: file(COMPLAINANT, intake), None, _show_query_code, page=page)


@bp.route("/new", methods=["GET", "POST"])
@public
@limiter.limit(_filing_limit, methods=["POST"], key_func=_network)
def new():
    """网上投诉, to the complaint centre."""
    return online_filing(ComplaintForm, "complaints/new.html", cases.file_complaint, category_hints=CATEGORY_HINTS)


def _show_query_code(filed) -> str:
    """Once the case is committed, keep its query code for the filed page to show once; the URL of that page."""
    complaint, query_code = filed
    session[FILED_KEY] = {"case": complaint.case_number, "code": query_code, "report": complaint.confidential}
    send_receipt(complaint, query_code)
    return url_for("complaints.filed", case_number=complaint.case_number)


@bp.get("/filed/<case_number>")
@public
def filed(case_number: str):
    """Shows the query code once; a reload (or anyone else's browser) sees only the advice to track the case."""
    kept = session.get(FILED_KEY) or {}
    query_code, report = None, False
    if kept.get("case") == case_number:
        query_code, report = session.pop(FILED_KEY)["code"], kept.get("report", False)
    return render_template(
        "complaints/filed.html", case_number=case_number[:20], query_code=query_code, report=report
    )


def _case_page(complaint, query_code: str, visit_form=None):
    concluded = complaint.status == ComplaintStatus.CONCLUDED
    if visit_form is None and concluded and complaint.satisfied is None and not complaint.confidential:
        visit_form = VisitForm(case_number=complaint.case_number, query_code=query_code, formdata=None)
    return render_template(
        "complaints/track.html",
        form=None,
        complaint=complaint,
        events=[event for event in complaint.events if event.public],
        visit_form=visit_form,
        confidential=cases.is_confidential(complaint),
        labels={
            "status": STATUS_LABELS,
            "finding": FINDING_LABELS,
            "category": CATEGORY_LABELS,
            "event": EVENT_LABELS,
        },
    )


def _not_found_page(form):
    flash(_("案件编号或查询码不正确,请核对后重试。"), "error")
    return render_template("complaints/track.html", form=form, complaint=None)


@bp.route("/track", methods=["GET", "POST"])
@public
@lookup_limit
def track():
    """投诉查询: the case's status, steps, and the finding and reply once concluded — never the contact. A report in
    the 违规违纪 area shows its status and steps only: whoever holds the slip must not read whom it names. A link may
    fill in the case number (``?case=``), so the complainant types only the query code."""
    form = TrackForm(case_number=request.args.get("case", "")[:20])
    if not form.validate_on_submit():
        return render_template("complaints/track.html", form=form, complaint=None), 422 if form.is_submitted() else 200
    complaint = cases.find_for_complainant(form.case_number.data, form.query_code.data)
    if complaint is None:
        return _not_found_page(form)
    return _case_page(complaint, form.query_code.data)


@bp.post("/track/visit")
@public
@lookup_limit
def visit():
    """回访: satisfied or not; an unsatisfied answer reopens the case once (the service decides)."""
    form = VisitForm()
    valid = form.validate_on_submit()
    complaint = cases.find_for_complainant(form.case_number.data or "", form.query_code.data or "")
    if complaint is None:
        return _not_found_page(TrackForm(formdata=None))
    if not valid:
        return _case_page(complaint, form.query_code.data, visit_form=form), 422
    return apply_change(
        lambda: cases.return_visit(complaint, form.satisfied.data == "1"),
        lambda _result: _visit_thanks(complaint),
        None,  # tracking is a POST with the query code, so the case page is shown again rather than redirected to
        page=lambda status: (_case_page(complaint, form.query_code.data), status),
    )


def _visit_thanks(complaint) -> str:
    if complaint.reopened and complaint.status != ComplaintStatus.CONCLUDED:
        return _("已收到您的评价。您对答复不满意,案件已重新交办,请留意办理进展。")
    return _("感谢您的评价。")
