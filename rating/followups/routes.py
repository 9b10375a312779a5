"""Bad-review follow-ups (差评整改) for units and administrators.

A unit's window staff see their own unit's follow-ups, call the citizen back, record what they did and may appeal a
rating as mistaken or malicious; administrators watch deadlines, may record a rectification too, and decide appeals;
auditors read. The rules live in ``rating.services.followups``.
"""

from datetime import date

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from rating.clock import local_today
from rating.extensions import db
from rating.followups.forms import APPEAL_DECISION_LABELS, APPEAL_KIND_LABELS, AppealForm, DecisionForm, RectifyForm
from rating.labels.ratings import LEVEL_LABELS, RATING_STATUS_LABELS
from rating.models.posts import Post
from rating.models.ratings import FollowUp, FollowUpStatus
from rating.models.users import Role
from rating.security import require_unit_access, roles
from rating.services import followups
from rating.views import actor, apply_form, audit_read

bp = Blueprint("followups", __name__)

PER_PAGE = 50
READERS = (Role.UNIT_STAFF, Role.ADMIN, Role.AUDITOR)
RECTIFIERS = (Role.UNIT_STAFF, Role.ADMIN)
STATUS_LABELS = {
    FollowUpStatus.OPEN: _l("待整改"),
    FollowUpStatus.RECTIFIED: _l("已整改,待群众评价"),
    FollowUpStatus.APPEALED: _l("申诉复核中"),
    FollowUpStatus.CLOSED: _l("已办结"),
}
#: A follow-up may still be worked on (rectified or appealed) in these states.
WORKABLE = (FollowUpStatus.OPEN, FollowUpStatus.RECTIFIED)


def is_overdue(follow_up: FollowUp, today: date) -> bool:
    """Past its deadline with nothing done yet: the same rule as ``followups.overdue()``."""
    return follow_up.status == FollowUpStatus.OPEN and follow_up.deadline < today


def _follow_up_or_404(follow_up_id: int) -> FollowUp:
    follow_up = db.get_or_404(
        FollowUp, follow_up_id, options=[joinedload(FollowUp.rating), joinedload(FollowUp.post).joinedload(Post.unit)]
    )
    require_unit_access(follow_up.unit_id)
    return follow_up


def _labels() -> dict:
    return {
        "status_labels": STATUS_LABELS,
        "level_labels": LEVEL_LABELS,
        "rating_status_labels": RATING_STATUS_LABELS,
        "appeal_kind_labels": APPEAL_KIND_LABELS,
        "appeal_decision_labels": APPEAL_DECISION_LABELS,
    }


@bp.get("/")
@roles(*READERS)
def index():
    overdue_only = request.args.get("overdue") == "1"
    stmt = followups.overdue() if overdue_only else select(FollowUp)
    if current_user.role.unit_bound:
        stmt = stmt.where(FollowUp.unit_id == current_user.unit_id)
    # The most overdue first when chasing deadlines; otherwise the newest first.
    order = (FollowUp.deadline, FollowUp.id) if overdue_only else (FollowUp.id.desc(),)
    stmt = stmt.options(selectinload(FollowUp.post).selectinload(Post.unit)).order_by(*order)
    return render_template(
        "followups/index.html",
        pagination=db.paginate(stmt, per_page=PER_PAGE),
        overdue_only=overdue_only,
        today=local_today(),
        is_overdue=is_overdue,
        **_labels(),
    )


@bp.get("/<int:follow_up_id>")
@roles(*READERS)
def detail(follow_up_id: int):
    follow_up = _follow_up_or_404(follow_up_id)
    role, workable = current_user.role, follow_up.status in WORKABLE
    audit_read("follow_up", follow_up.id, ["contact"], follow_up.post_id)
    return render_template(
        "followups/detail.html",
        follow_up=follow_up,
        overdue=is_overdue(follow_up, local_today()),
        rectify_form=RectifyForm(action_taken=follow_up.action_taken) if role in RECTIFIERS and workable else None,
        appeal_form=AppealForm() if role == Role.UNIT_STAFF and workable and not follow_up.appeal_kind else None,
        decision_form=DecisionForm() if role == Role.ADMIN and follow_up.status == FollowUpStatus.APPEALED else None,
        **_labels(),
    )


def _apply(follow_up: FollowUp, form, change, done: str):
    return apply_form(form, change, done, url_for("followups.detail", follow_up_id=follow_up.id))


@bp.post("/<int:follow_up_id>/rectify")
@roles(*RECTIFIERS)
def rectify(follow_up_id: int):
    follow_up, form = _follow_up_or_404(follow_up_id), RectifyForm()
    return _apply(
        follow_up,
        form,
        lambda: followups.record_rectification(actor(), follow_up, form.action_taken.data or ""),
        _("已保存整改情况,群众可以对整改进行评价。"),
    )


@bp.post("/<int:follow_up_id>/appeal")
@roles(Role.UNIT_STAFF)
def appeal(follow_up_id: int):
    follow_up, form = _follow_up_or_404(follow_up_id), AppealForm()
    return _apply(
        follow_up,
        form,
        lambda: followups.appeal(actor(), follow_up, form.kind.data, form.text.data or ""),
        _("申诉已提交,等待效能办复核。"),
    )


@bp.post("/<int:follow_up_id>/decide")
@roles(Role.ADMIN)
def decide(follow_up_id: int):
    follow_up, form = _follow_up_or_404(follow_up_id), DecisionForm()
    return _apply(
        follow_up,
        form,
        lambda: followups.decide_appeal(actor(), follow_up, form.decision.data == "upheld", form.reason.data or ""),
        _("复核结论已保存。"),
    )
