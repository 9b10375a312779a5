"""The citizen's rating form (服务对象评议): reached from the post page or by scanning a rating-code QR card.

Phone first: five large labelled choices, optional aspects, an optional comment and code, a receipt at the end.
"""

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db, limiter
from rating.models.posts import Post
from rating.models.ratings import FollowUp, Rating
from rating.rate.forms import FeedbackForm, RatingForm
from rating.security import public
from rating.services import followups, ratings
from rating.services.errors import DomainError
from rating.views import apply_change, refuse

bp = Blueprint("rate", __name__)

DEVICE_COOKIE = "rid"


def _network() -> str:
    return request.remote_addr or "unknown"


def _device_key() -> str:
    return request.cookies.get(DEVICE_COOKIE) or request.headers.get("User-Agent", "")[:200]


def _network_limit() -> str:
    return current_app.config["RATING_NETWORK_LIMIT"]


def _device_limit() -> str:
    return current_app.config["RATING_DEVICE_LIMIT"]


def _post_or_404(code: str) -> Post:
    post = db.session.scalar(select(Post).where(Post.code == code.upper()))
    if post is None or not post.active:
        abort(404)
    return post


def _with_device_cookie(response):
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=2 * 365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


def _form_page(post, form, status=200, code_error=None):
    cycle_error = ratings.intake_closed()
    page = render_template("rate/form.html", post=post, form=form, cycle_error=cycle_error, code_error=code_error)
    return _with_device_cookie(current_app.make_response((page, status)))


@bp.get("/r/<code>")
@public
def scan(code: str):
    """The URL on a QR card: find the code's post and open its form with the code filled in."""
    from rating.models.ratings import RatingCode

    found = db.session.scalar(select(RatingCode).where(RatingCode.code == ratings.normalise_code(code)))
    if found is None:
        flash(_("评价码无效,请核对卡片上的岗位后选择岗位评价。"), "error")
        return redirect(url_for("public.directory"))
    return redirect(url_for("rate.form", code=found.post.code, c=found.code))


@bp.get("/posts/<code>/rate")
@public
def form(code: str):
    post = _post_or_404(code)
    form = RatingForm(code=request.args.get("c", ""))
    return _form_page(post, form)


@bp.post("/posts/<code>/rate")
@public
@limiter.limit(_network_limit, key_func=_network)
@limiter.limit(_device_limit, key_func=lambda: _network() + "|" + _device_key())
def submit(code: str):
    post = _post_or_404(code)
    form = RatingForm()
    if not form.validate_on_submit():
        return _form_page(post, form, 422)
    submission = ratings.Submission(
        level=form.level.data,
        comment=form.comment.data or "",
        code=form.code.data or "",
        contact=form.contact.data or "",
        **{aspect: getattr(form, aspect).data for aspect in ratings.ASPECTS},
    )
    rater = ratings.Rater(_network(), _device_key())
    try:
        submitted = ratings.submit_rating(post, submission, rater, current_app.config["SECRET_KEY"])
    except ratings.CodeRefused as exc:
        db.session.rollback()
        form.code.data = ""
        return _form_page(post, form, 409, code_error=str(exc))
    except DomainError as error:
        return _form_page(post, form, refuse(error))
    db.session.commit()
    if submitted.follow_up_token:
        session["follow_up"] = {"receipt": submitted.receipt, "token": submitted.follow_up_token}
    return redirect(url_for("rate.receipt", receipt=submitted.receipt))


@bp.get("/receipt/<receipt>")
@public
def receipt(receipt: str):
    rating = db.session.scalar(select(Rating).where(Rating.receipt == receipt.upper()[:20]))
    if rating is None:
        abort(404)
    kept = session.get("follow_up") or {}
    token = kept.get("token") if kept.get("receipt") == rating.receipt else None
    return render_template("rate/receipt.html", rating=rating, follow_up_token=token)


@bp.route("/feedback/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_device_limit, methods=["POST"], key_func=lambda: _network() + "|" + _device_key())
def feedback(token: str):
    """The citizen's private page for a bad review's follow-up: what the unit did, and rating the rectification."""
    follow_up = db.session.scalar(select(FollowUp).where(FollowUp.citizen_token == token[:64]))
    if follow_up is None:
        abort(404)
    form = FeedbackForm()
    if form.validate_on_submit():
        return apply_change(
            lambda: followups.citizen_rates_rectification(follow_up, form.level.data),
            _("感谢您对整改情况的评价。"),
            url_for("rate.feedback", token=token),
            page=lambda status: (render_template("rate/feedback.html", follow_up=follow_up, form=form), status),
        )
    return render_template("rate/feedback.html", follow_up=follow_up, form=form)
