"""The citizen's rating form (服务对象评议): reached from the post page or by scanning a rating-code QR card.

Phone first: five large labelled choices, optional aspects, an optional comment and code, a receipt at the end.
"""

import secrets

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from sqlalchemy import bindparam, select

from rating import sms, throttle
from rating.extensions import db, limiter
from rating.models.posts import Post
from rating.models.ratings import FollowUp, Rating
from rating.rate.forms import ContactForm, FeedbackForm, PhoneForm, RatingForm, plainly_valid
from rating.security import public
from rating.services import followups, phones, ratings, stations
from rating.services.cycles import open_cycle
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


def _station_desk_or_404(code: str) -> Post:
    found = stations.station_or_none(code[:20])
    if found is None:
        abort(404)
    return found[1]


def _form_url(post: Post, **args) -> str:
    """Where a post's rating form lives: a station's desk is rated at /units/<code>/rate."""
    if post.rates_unit:
        return url_for("rate.station_form", code=post.unit.code, **args)
    return url_for("rate.form", code=post.code, **args)


#: Built once: every rating and every form looks its post up.
_POST_BY_CODE = select(Post).where(Post.code == bindparam("code"))


def _post_or_404(code: str) -> Post:
    post = db.session.scalar(_POST_BY_CODE, {"code": code.upper()})
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


def _sms_limit() -> str:
    return current_app.config["SMS_RATE_LIMIT"]


def _challenge(post: Post) -> int | None:
    """The phone verification under way for this post in this browser, if any."""
    kept = session.get("phone_challenge") or {}
    return kept.get("id") if kept.get("post") == post.code else None


def _form_page(post, form, status=200, code_error=None, phone_error=None):
    cycle_error = ratings.intake_closed()
    page = render_template(
        "rate/form.html",
        post=post,
        action=url_for("rate.station_submit", code=post.unit.code)
        if post.rates_unit
        else url_for("rate.submit", code=post.code),
        form=form,
        phone_form=PhoneForm(),
        verifying=_challenge(post) is not None,
        cycle_error=cycle_error,
        code_error=code_error,
        phone_error=phone_error,
    )
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
    return redirect(_form_url(found.post, c=found.code))


@bp.get("/posts/<code>/rate")
@public
def form(code: str):
    post = _post_or_404(code)
    scanned = request.args.get("c", "")[:20]
    refused = ratings.code_refusal(post, scanned) if scanned else None
    form = RatingForm(code="" if refused else scanned)
    return _form_page(post, form, code_error=refused)


def _device_identity() -> str:
    return _network() + "|" + _device_key()


#: Both limits of a submit, counted in one round trip to the limiter's store (rating.throttle); innermost first, as
#: two stacked ``@limiter.limit`` decorators would list them.
_submit_limits = throttle.limits((_device_limit, _device_identity), (_network_limit, _network))


@bp.post("/posts/<code>/rate")
@public
@_submit_limits
def submit(code: str):
    return _submit(_post_or_404(code))


@bp.get("/units/<code>/rate")
@public
def station_form(code: str):
    """A grassroots station (基层站所) is rated with the same form, codes, limits and moderation as a post: through
    its rating desk (rating.services.stations)."""
    form = RatingForm(code=request.args.get("c", ""))
    return _form_page(_station_desk_or_404(code), form)


@bp.post("/units/<code>/rate")
@public
@_submit_limits
def station_submit(code: str):
    return _submit(_station_desk_or_404(code))


def _submit(post: Post):
    data = plainly_valid(RatingForm)  # the common case, without building the form (rate.forms)
    if data is None:
        form = RatingForm()
        if not form.validate_on_submit():
            return _form_page(post, form, 422)
        data = form.data
    submission = ratings.Submission(
        level=data["level"],
        comment=data["comment"] or "",
        code=data["code"] or "",
        contact=data["contact"] or "",
        phone_challenge=_challenge(post),
        sms_code=(data["sms_code"] or "").strip(),
        **{aspect: data[aspect] for aspect in ratings.ASPECTS},
    )
    rater = ratings.Rater(_network(), _device_key())
    try:
        submitted = ratings.submit_rating(post, submission, rater, current_app.config["SECRET_KEY"])
    except ratings.CodeRefused as exc:
        db.session.rollback()
        form = RatingForm()
        form.code.data = ""
        return _form_page(post, form, 409, code_error=str(exc))
    except phones.PhoneRefused as exc:
        db.session.commit()  # keeps the attempt counted (and nothing else was written before it)
        form = RatingForm()
        form.sms_code.data = ""
        return _form_page(post, form, 409, phone_error=str(exc))
    except DomainError as error:
        return _form_page(post, RatingForm(), refuse(error))
    db.session.commit()
    session.pop("phone_challenge", None)
    session["rated"] = submitted.receipt  # this browser may add a contact to its own bad review on the receipt
    if submitted.follow_up_token:
        session["follow_up"] = {"receipt": submitted.receipt, "token": submitted.follow_up_token}
    return redirect(url_for("rate.receipt", receipt=submitted.receipt))


@bp.post("/posts/<code>/rate/phone")
@public
@limiter.limit(_sms_limit, key_func=_network)
def phone(code: str):
    """Text a one-time code to the citizen's phone; the rating form then asks for it."""
    post = _post_or_404(code)
    form = PhoneForm()
    if not form.validate_on_submit():
        return _form_page(post, RatingForm(), 422, phone_error=_("请填写手机号码。"))
    try:
        challenge = phones.send_code(ratings.check_cycle_open(open_cycle()), post, form.phone.data, sms.gateway())
    except DomainError as error:
        db.session.rollback()
        return _form_page(post, RatingForm(), error.status_code, phone_error=str(error))
    db.session.commit()
    session["phone_challenge"] = {"post": post.code, "id": challenge.id}
    flash(_("验证码已发送到您的手机,请在下方填写后提交评价。"), "success")
    return redirect(_form_url(post))


def _rating_or_404(receipt: str) -> Rating:
    rating = db.session.scalar(select(Rating).where(Rating.receipt == receipt.upper()[:20]))
    if rating is None:
        abort(404)
    return rating


def _receipt_page(rating: Rating, contact_form: ContactForm, status: int = 200):
    """The receipt; a bad review given without a contact, seen from the browser that gave it, is offered a complaint
    and a way to leave a contact for the follow-up."""
    kept = session.get("follow_up") or {}
    token = kept.get("token") if kept.get("receipt") == rating.receipt else None
    own_bad_review = rating.level <= 2 and not token and session.get("rated") == rating.receipt
    page = render_template(
        "rate/receipt.html",
        rating=rating,
        follow_up_token=token,
        contact_form=contact_form if own_bad_review else None,
    )
    return page, status


@bp.get("/receipt/<receipt>")
@public
def receipt(receipt: str):
    return _receipt_page(_rating_or_404(receipt), ContactForm())


@bp.post("/receipt/<receipt>/contact")
@public
@limiter.limit(_device_limit, key_func=_device_identity)
def leave_contact(receipt: str):
    """The rater of a bad review leaves a contact after all: the unit's follow-up opens."""
    rating = _rating_or_404(receipt)
    if session.get("rated") != rating.receipt:
        abort(403)
    form = ContactForm()
    if not form.validate_on_submit():
        return _receipt_page(rating, form, 422)
    try:
        follow_up = followups.leave_contact(rating, form.contact.data)
    except DomainError as error:
        return _receipt_page(rating, form, refuse(error))
    db.session.commit()
    session["follow_up"] = {"receipt": rating.receipt, "token": follow_up.citizen_token}
    flash(_("已收到您的联系方式,该岗位所在单位将在规定期限内整改并回访。"), "success")
    return redirect(url_for("rate.receipt", receipt=rating.receipt))


@bp.route("/feedback/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_device_limit, methods=["POST"], key_func=_device_identity)
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
