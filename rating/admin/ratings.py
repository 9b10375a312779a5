"""Moderation of citizens' ratings (评议审核) and staff key-in of hotline and paper ratings (热线、问卷录入).

Administrators count or exclude held ratings, and may exclude a counted one, always with a reason; auditors read the
queue. The complaint centre keys in ratings taken by phone or on paper questionnaires. The rules live in
the ratings service; these views only load, check, call and redirect.
"""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from rating.admin import bp
from rating.extensions import db
from rating.forms import LEVEL_CHOICES
from rating.labels.ratings import CHANNEL_LABELS, LEVEL_LABELS, RATING_STATUS_LABELS
from rating.models.posts import Post
from rating.models.ratings import Channel, Rating, RatingStatus
from rating.models.users import Role
from rating.security import roles
from rating.services.ratings import key_in_rating, moderate
from rating.views import actor, apply_change, apply_form, lenient_int

PER_PAGE = 50
MODERATORS = (Role.ADMIN,)
READERS = (Role.ADMIN, Role.AUDITOR)
KEYERS = (Role.ADMIN, Role.COMPLAINT_HANDLER)

#: The queue's tabs: their label and which ratings they list. Counted ratings only matter when they say something.
TABS = {
    "held": (_l("待审核"), (Rating.status == RatingStatus.HELD,)),
    "excluded": (_l("不计入"), (Rating.status == RatingStatus.EXCLUDED,)),
    "counted": (_l("已计入(有意见)"), (Rating.status == RatingStatus.COUNTED, Rating.comment != "")),
}


class ModerationForm(FlaskForm):
    decision = RadioField(
        _l("审核决定"),
        choices=[
            SelectChoice(RatingStatus.COUNTED.value, _l("计入")),
            SelectChoice(RatingStatus.EXCLUDED.value, _l("不计入")),
        ],
        validators=[InputRequired(_l("请选择审核决定。"))],
    )
    #: Required, but checked by the service so that the message is the same everywhere.
    reason = StringField(_l("审核理由"), validators=[Length(max=500)])


class KeyInForm(FlaskForm):
    post_code = StringField(_l("岗位编号"), validators=[DataRequired(_l("请填写岗位编号。")), Length(max=20)])
    level = RadioField(
        _l("总体评价"), choices=LEVEL_CHOICES, coerce=int, validators=[InputRequired(_l("请选择总体评价。"))]
    )
    channel = RadioField(
        _l("渠道"),
        choices=[SelectChoice(Channel.HOTLINE.value, _l("热线")), SelectChoice(Channel.PAPER.value, _l("问卷"))],
        default=Channel.HOTLINE.value,
        validators=[InputRequired(_l("请选择渠道。"))],
    )
    verified = BooleanField(_l("问卷附有有效的评价码"))
    comment = TextAreaField(_l("意见建议(选填,500字以内)"), validators=[Optional(), Length(max=500)])


def _tab(value: str | None) -> str:
    return value if value in TABS else "held"


@bp.get("/ratings")
@roles(*READERS)
def ratings():
    tab = _tab(request.args.get("status"))
    stmt = (
        select(Rating)
        .where(*TABS[tab][1])
        .options(selectinload(Rating.post))
        .order_by(Rating.created_at.desc(), Rating.id.desc())
    )
    return render_template(
        "admin/ratings.html",
        tab=tab,
        tabs={key: label for key, (label, _conditions) in TABS.items()},
        pagination=db.paginate(stmt, per_page=PER_PAGE),
        form=ModerationForm(),
        can_moderate=current_user.role in MODERATORS,
        level_labels=LEVEL_LABELS,
        status_labels=RATING_STATUS_LABELS,
        channel_labels=CHANNEL_LABELS,
    )


@bp.post("/ratings/<int:rating_id>/moderate")
@roles(*MODERATORS)
def moderate_rating(rating_id: int):
    rating = db.get_or_404(Rating, rating_id)
    page = request.form.get("page", type=lenient_int)
    back = url_for("admin.ratings", status=_tab(request.form.get("status")), page=page)
    form = ModerationForm()
    return apply_form(
        form,
        lambda: moderate(actor(), rating, form.decision.data, form.reason.data or ""),
        lambda _result: _(
            "评价 %(receipt)s 已审核:%(status)s。", receipt=rating.receipt, status=RATING_STATUS_LABELS[rating.status]
        ),
        back,
    )


@bp.route("/ratings/new", methods=["GET", "POST"])
@roles(*KEYERS)
def new_rating():
    form = KeyInForm()
    if form.validate_on_submit():
        post = db.session.scalar(select(Post).where(Post.code == form.post_code.data.strip().upper()))
        if post is None:
            form.post_code.errors.append(_("没有编号为 %(code)s 的岗位。", code=form.post_code.data.strip()))
            return render_template("admin/ratings_new.html", form=form), 422
        return apply_change(
            lambda: key_in_rating(
                actor(), post, form.level.data, form.channel.data, form.verified.data, comment=form.comment.data or ""
            ),
            lambda rating: _("已录入 %(code)s 的评价,回执号 %(receipt)s。", code=post.code, receipt=rating.receipt),
            url_for("admin.new_rating"),
            page=lambda status: (render_template("admin/ratings_new.html", form=form), status),
        )
    return render_template("admin/ratings_new.html", form=form)
