"""公开审核 in the back office: a complaint handler (or an administrator) publishes a complaint's text for the public,
names and numbers masked, or withholds it. The rules (never for 违规违纪 reports, never if the office says so) live
in ``rating.services.complaints.publication``."""

from flask_babel import gettext as _

from rating.complaints import bp
from rating.complaints.casework import PUBLISHERS, _apply, _case_or_404
from rating.complaints.casework_forms import PublicTextForm
from rating.forms import EmptyForm
from rating.security import roles
from rating.services import complaints
from rating.views import actor


@bp.post("/cases/<case_number>/publish-text")
@roles(*PUBLISHERS)
def publish_text(case_number: str):
    complaint, form = _case_or_404(case_number), PublicTextForm()
    return _apply(
        complaint,
        form,
        lambda: complaints.publish_text(actor(), complaint, form.public_text.data or ""),
        _("投诉内容已公开(姓名和号码已遮盖)。"),
    )


@bp.post("/cases/<case_number>/withhold-text")
@roles(*PUBLISHERS)
def withhold_text(case_number: str):
    complaint = _case_or_404(case_number)
    return _apply(
        complaint,
        EmptyForm(),
        lambda: complaints.withhold_text(actor(), complaint),
        _("投诉内容不予公开,公众只能看到类别、状态和日期。"),
    )
