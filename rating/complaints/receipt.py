"""Keeping the query code (保存查询码): after a filing is committed, the receipt goes by SMS when a mobile number was
given (the case number, the code and the tracking link, never the report); the handler's printable slip (受理回执)
for a caller or visitor, while the code is still kept in the handler's session."""

from flask import abort, flash, render_template, session, url_for
from flask_babel import gettext as _

from rating import sms
from rating.complaints import bp
from rating.models.users import Role
from rating.security import roles
from rating.services import complaints

#: The query code of the case this handler registered last, kept in the session so the case page (and the slip)
#: keep showing it while the caller is still on the line (a flash would be gone on the next click); never stored in
#: clear elsewhere.
INTAKE_KEY = "intake_filed"


def intake_code(complaint) -> str | None:
    kept = session.get(INTAKE_KEY) or {}
    return kept.get("code") if kept.get("case") == complaint.case_number else None


def send_receipt(complaint, query_code: str) -> None:
    """Texts the receipt if the complainant left a mobile number, and says so."""
    track_url = url_for("complaints.track", case=complaint.case_number, _external=True)
    sent_to = complaints.text_receipt(
        complaint.complainant_phone, complaint.case_number, query_code, track_url, sms.gateway()
    )
    if sent_to:
        flash(_("案件编号和查询码已发送短信至 %(phone)s。", phone=sent_to), "success")


@bp.get("/cases/<case_number>/slip")
@roles(Role.COMPLAINT_HANDLER)
def slip(case_number: str):
    """受理回执 to print and hand over (or read out): only while this handler's session still keeps the code."""
    complaint = complaints.case_by_number(case_number)
    query_code = None if complaint.confidential else intake_code(complaint)
    if query_code is None:
        abort(404)
    return render_template("complaints/slip.html", complaint=complaint, query_code=query_code)
