"""The 刷评 alert list and source review (来源审核), and the service-hall networks (办事大厅网段).

Administrators release or exclude a source's whole group at once, with a reason, and register the networks of
service halls; auditors read both pages. The rules live in rating.services.sources and rating.services.halls.
"""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from rating.admin import bp
from rating.extensions import db
from rating.labels.ratings import DIRECTION_LABELS, SOURCE_STATE_LABELS
from rating.models.sources import RatingSource, ServiceHall
from rating.models.units import Unit
from rating.models.users import Role
from rating.security import roles
from rating.services import halls, sources
from rating.views import actor, apply_form, lenient_int, requested_cycle

DECIDERS = (Role.ADMIN,)
READERS = (Role.ADMIN, Role.AUDITOR)


class ReviewForm(FlaskForm):
    decision = RadioField(
        _l("审核决定"),
        choices=[SelectChoice("release", _l("整组计入")), SelectChoice("exclude", _l("整组不计入"))],
        validators=[InputRequired(_l("请选择审核决定。"))],
    )
    #: Required, but checked by the service so that the message is the same everywhere.
    reason = StringField(_l("审核理由"), validators=[Length(max=500)])


class HallForm(FlaskForm):
    unit = SelectField(_l("所属单位"), validators=[InputRequired()])
    name = StringField(_l("办事大厅名称"), validators=[InputRequired(_l("请填写办事大厅名称。")), Length(max=100)])
    network = StringField(_l("网段(如 203.0.113.0/24)"), validators=[InputRequired(_l("请填写网段。")), Length(max=64)])


class EmptyForm(FlaskForm):
    pass


@bp.get("/sources")
@roles(*READERS)
def sources_alerts():
    cycle = requested_cycle()
    reviewed = request.args.get("tab") == "reviewed"
    return render_template(
        "admin/sources.html",
        cycle=cycle,
        reviewed=reviewed,
        alerts=sources.alerts(cycle, reviewed=reviewed),
        method=cycle.settings,
        form=ReviewForm(),
        can_decide=current_user.role in DECIDERS,
        state_labels=SOURCE_STATE_LABELS,
        direction_labels=DIRECTION_LABELS,
    )


@bp.post("/sources/<int:source_id>/review")
@roles(*DECIDERS)
def review_source(source_id: int):
    source = db.get_or_404(RatingSource, source_id)
    form = ReviewForm()
    return apply_form(
        form,
        lambda: sources.review(actor(), source, form.decision.data, form.reason.data or ""),
        lambda changed: _(
            "来源 %(network)s 对 %(code)s 的 %(n)d 条评价已审核:%(state)s。",
            network=source.network,
            code=source.post.code,
            n=changed,
            state=SOURCE_STATE_LABELS[source.state],
        ),
        url_for("admin.sources_alerts", cycle=request.form.get("cycle", type=lenient_int)),
    )


def _hall_form() -> HallForm:
    form = HallForm()
    form.unit.choices = [(u.code, f"{u.code} {u.name}") for u in db.session.scalars(select(Unit).order_by(Unit.code))]
    return form


@bp.get("/halls")
@roles(*READERS)
def halls_index():
    return render_template(
        "admin/halls.html",
        halls=halls.all_halls(),
        form=_hall_form(),
        retire_form=EmptyForm(),
        can_decide=current_user.role in DECIDERS,
    )


@bp.post("/halls")
@roles(*DECIDERS)
def register_hall():
    form = _hall_form()
    return apply_form(
        form,
        lambda: halls.register(
            actor(),
            db.session.scalar(select(Unit).where(Unit.code == form.unit.data)),
            form.name.data,
            form.network.data,
        ),
        lambda hall: _("已登记办事大厅 %(name)s,网段 %(prefix)s。", name=hall.name, prefix=hall.prefix),
        url_for("admin.halls_index"),
    )


@bp.post("/halls/<int:hall_id>/retire")
@roles(*DECIDERS)
def retire_hall(hall_id: int):
    hall = db.get_or_404(ServiceHall, hall_id)
    return apply_form(
        EmptyForm(),
        lambda: halls.retire(actor(), hall),
        _("已停用办事大厅网段 %(prefix)s。", prefix=hall.prefix),
        url_for("admin.halls_index"),
    )
