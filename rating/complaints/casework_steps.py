"""The casework steps around the clocks (办理时限) and the return call: the unit signs for a referred case (签收),
sends a misrouted one back (退单) or asks for more time (延期申请); the centre decides on the extension, concludes a
received case itself (直接办结) and records its return call (电话回访). Each view checks the role, validates, calls
one service in ``rating.services.complaints`` and goes back to the case (or, for a case sent back, to the list the
unit still sees)."""

from flask import redirect, url_for
from flask_babel import gettext as _

from rating.complaints import bp
from rating.complaints.casework import HANDLERS, _apply, _case_or_404
from rating.complaints.casework_forms import (
    ConclusionForm,
    ExtensionDecisionForm,
    ExtensionForm,
    ReturnCallForm,
    SendBackForm,
)
from rating.forms import EmptyForm
from rating.models.users import Role
from rating.security import roles
from rating.services import complaints
from rating.views import actor, apply_change, apply_form


@bp.post("/cases/<case_number>/sign")
@roles(Role.UNIT_STAFF)
def sign(case_number: str):
    complaint = _case_or_404(case_number)
    return _apply(complaint, EmptyForm(), lambda: complaints.sign(actor(), complaint), _("已签收,请按期办理。"))


@bp.post("/cases/<case_number>/send-back")
@roles(Role.UNIT_STAFF)
def send_back(case_number: str):
    complaint, form = _case_or_404(case_number), SendBackForm()
    back = url_for("complaints.case", case_number=complaint.case_number)
    if not form.validate_on_submit():
        return apply_form(form, None, None, back)  # says why and goes back
    # Once sent back the case is the centre's again and the unit no longer sees it: on to the unit's list.
    return apply_change(
        lambda: complaints.send_back(actor(), complaint, form.reason.data or ""),
        _("已将 %(case)s 退回投诉中心,由中心重新转办。", case=complaint.case_number),
        url_for("complaints.cases"),
        page=lambda _status: redirect(back),
    )


@bp.post("/cases/<case_number>/extension")
@roles(Role.UNIT_STAFF)
def extension(case_number: str):
    complaint, form = _case_or_404(case_number), ExtensionForm()
    return _apply(
        complaint,
        form,
        lambda: complaints.request_extension(actor(), complaint, form.days.data or 0, form.reason.data or ""),
        _("延期申请已提交,请等待投诉中心审批。"),
    )


@bp.post("/cases/<case_number>/extension/decide")
@roles(*HANDLERS)
def decide_extension(case_number: str):
    complaint, form = _case_or_404(case_number), ExtensionDecisionForm()
    approve = form.decision.data == "approve"
    return _apply(
        complaint,
        form,
        lambda: complaints.decide_extension(actor(), complaint, approve, form.note.data or ""),
        _("已同意延期。") if approve else _("已不同意延期,并通知承办单位。"),
    )


@bp.post("/cases/<case_number>/conclude-directly")
@roles(*HANDLERS)
def conclude_directly(case_number: str):
    complaint, form = _case_or_404(case_number), ConclusionForm(prefix="direct")
    return _apply(
        complaint,
        form,
        lambda: complaints.conclude_directly(actor(), complaint, form.finding.data or "", form.reply.data or ""),
        _("已直接办结,投诉人可凭案件编号和查询码查看答复。"),
    )


@bp.post("/cases/<case_number>/return-call")
@roles(*HANDLERS)
def return_call(case_number: str):
    complaint, form = _case_or_404(case_number), ReturnCallForm()
    reached = form.reached.data == "1"
    return _apply(
        complaint,
        form,
        lambda: complaints.record_return_call(
            actor(), complaint, reached, form.satisfaction.data or "", form.note.data or ""
        ),
        _("已记录电话回访。") if reached else _("已记录:回访电话未接通,可稍后再拨。"),
    )
