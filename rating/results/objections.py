"""Objections (异议) during public notice (公示) and the warned holders' replies (申辩), both public pages.

Anyone may object while the notice runs; the office answers every objection before publishing, and answered ones
are shown here with their answers (never the objector's contact). A warned holder reaches their reply page only
through the private link the office hands them (``rating.services.objections.reply_token``); a wrong link is a
plain 404.
Both pages change with every objection and the reply page is someone's own, so neither may be stored by any cache.
"""

from flask import current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from rating.extensions import db, limiter
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Post
from rating.models.results import Objection, ObjectionKind, ResultSet
from rating.results import bp
from rating.results.forms import ObjectionForm, ReplyForm
from rating.security import public
from rating.services import objections as objection_service
from rating.services.errors import DomainError
from rating.services.verdict import publication
from rating.views import cycle_or_404

#: The session key holding a just-lodged objection's reference until the page has shown it once.
LODGED_KEY = "objection_lodged"


def _network() -> str:
    return request.remote_addr or "unknown"


def _objection_limit() -> str:
    return current_app.config.get("OBJECTION_RATE_LIMIT", "5 per hour")


#: Objections and replies share one budget per network: both are free text that the office must answer.
objection_limit = limiter.shared_limit(_objection_limit, scope="objection", key_func=_network, methods=["POST"])


def _uncached(body: str, status: int = 200, **headers):
    response = make_response(body, status)
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers)
    return response


def _post_choices(draft: ResultSet | None) -> list[SelectChoice]:
    choices = [SelectChoice("", _("(不针对具体岗位)"))]
    if draft is not None:
        choices += [
            SelectChoice(row.post_code, f"{row.post_code} {row.post_title} · {row.holder_name} · {row.unit_name}")
            for row in draft.rows
        ]
    return choices


def _objections_page(cycle: Cycle, draft: ResultSet | None, form: ObjectionForm, status: int = 200):
    answered = objection_service.answered_objections(cycle)
    waiting = objection_service.waiting_objections(cycle)
    page = render_template(
        "results/objections.html",
        cycle=cycle,
        draft=draft,
        form=form,
        open_now=publication.cycle_notice_open(cycle),
        answered=answered,
        waiting=waiting,
        lodged=session.pop(LODGED_KEY, None) if request.method == "GET" else None,
    )
    return _uncached(page, status)


@bp.route("/<int:year>/objections", methods=["GET", "POST"])
@public
@objection_limit
def objections(year: int):
    """异议: the form while the notice runs, and the objections answered so far."""
    cycle = cycle_or_404(year)
    draft = publication.public_result(cycle) if cycle.status == CycleStatus.NOTICE else None
    form = ObjectionForm()
    form.post.choices = _post_choices(draft)
    if not form.is_submitted():
        return _objections_page(cycle, draft, form)
    if not form.validate():
        return _objections_page(cycle, draft, form, 422)
    line = next((row for row in draft.rows if row.post_code == form.post.data), None) if draft else None
    post = db.session.get(Post, line.post_id) if line else None
    try:
        objection = objection_service.lodge_objection(cycle, form.text.data, post, form.contact.data or "")
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _objections_page(cycle, draft, form, exc.status_code)
    db.session.commit()
    session[LODGED_KEY] = objection.reference
    return redirect(url_for("results.objections", year=year))


@bp.route("/<int:year>/reply/<code>/<token>", methods=["GET", "POST"])
@public
@objection_limit
def reply(year: int, code: str, token: str):
    """申辩: the warned holder's own line and statement form, opened by their private link only."""
    cycle = cycle_or_404(year)
    line = objection_service.warned_line(cycle, code, token)  # NotFound (404) for any other link
    form = ReplyForm()
    status = 200
    if form.is_submitted():
        status = 422
        if form.validate():
            try:
                statement = objection_service.holder_reply(cycle, line, form.text.data)
            except DomainError as exc:
                db.session.rollback()
                flash(str(exc), "error")
                status = exc.status_code
            else:
                db.session.commit()
                flash(_("申辩已提交,编号 %(ref)s。效能办将在正式公布前答复。", ref=statement.reference), "success")
                return redirect(request.path)
    earlier = db.session.scalars(
        select(Objection)
        .where(
            Objection.cycle_id == cycle.id,
            Objection.kind == ObjectionKind.REPLY,
            Objection.post_id == line.post_id,
            Objection.holder_id == line.holder_id,
        )
        .order_by(Objection.created_at, Objection.id)
    ).all()
    page = render_template(
        "results/reply.html",
        cycle=cycle,
        line=line,
        ranked=line.result_set.ranked,
        form=form,
        earlier=earlier,
        open_now=publication.cycle_notice_open(cycle),
    )
    # The link itself is the key: never pass it on, not even to our own pages.
    return _uncached(page, status, **{"Referrer-Policy": "no-referrer"})
