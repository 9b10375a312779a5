"""Unit staff print sheets of one-time rating codes (评价码, 一次一评) for their own unit's posts; administrators
for any post. Each card carries a QR code of the public scan URL and the code itself, to type by hand."""

import segno
from flask import Blueprint, abort, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from wtforms.fields.choices import SelectChoice

from rating.codes.forms import IssueCodesForm
from rating.extensions import db
from rating.models.posts import Post
from rating.models.ratings import RatingCode
from rating.models.units import Unit
from rating.models.users import Role
from rating.security import require_unit_access, roles
from rating.services.codes import batch_codes, issue_codes
from rating.services.directory import posts_query
from rating.views import actor, apply_change

bp = Blueprint("codes", __name__)

ISSUERS = (Role.UNIT_STAFF, Role.ADMIN)
RECENT_BATCHES = 50
#: Cards per printed A4 page: 3 columns × 4 rows (static/css/print.css).
CARDS_PER_PAGE = 12


def _own_unit_id() -> int | None:
    """The unit a unit-bound user is confined to; None for those who may print for every post."""
    return current_user.unit_id if current_user.role.unit_bound else None


def _post_choices() -> list[Post]:
    return db.session.scalars(posts_query(unit_id=_own_unit_id(), with_desks=True)).all()


def _recent_batches():
    """One row per batch, newest first: how many codes it holds and how many have been used (one grouped query)."""
    stmt = (
        select(
            RatingCode.batch,
            Post.code.label("post_code"),
            Post.title.label("post_title"),
            Unit.name.label("unit_name"),
            func.count(RatingCode.id).label("issued"),
            func.count(RatingCode.used_at).label("used"),
            func.min(RatingCode.created_at).label("created_at"),
            func.max(RatingCode.expires_at).label("expires_at"),
            func.min(RatingCode.created_by).label("created_by"),
        )
        .join(RatingCode.post)
        .join(Post.unit)
    )
    if (unit_id := _own_unit_id()) is not None:
        stmt = stmt.where(Post.unit_id == unit_id)
    stmt = (
        stmt.group_by(RatingCode.batch, Post.code, Post.title, Unit.name)
        .order_by(func.min(RatingCode.created_at).desc(), RatingCode.batch)
        .limit(RECENT_BATCHES)
    )
    return db.session.execute(stmt).all()


def _render_index(form: IssueCodesForm, status: int = 200):
    posts = _post_choices()
    with_unit = _own_unit_id() is None
    form.post.choices = [
        SelectChoice(p.code, f"{p.code} {p.title} · {p.unit.name}" if with_unit else f"{p.code} {p.title}")
        for p in posts
    ]
    return render_template(
        "codes/index.html", form=form, posts=posts, batches=_recent_batches(), recent=RECENT_BATCHES
    ), status


@bp.get("/")
@roles(*ISSUERS)
def index():
    return _render_index(IssueCodesForm())


@bp.post("/")
@roles(*ISSUERS)
def issue():
    form = IssueCodesForm()
    if not form.validate_on_submit():
        return _render_index(form, 422)
    post = db.session.scalar(select(Post).where(Post.code == form.post.data))
    if post is None:
        abort(404)
    require_unit_access(post.unit_id)
    return apply_change(
        lambda: issue_codes(actor(), post, form.count.data, form.valid_days.data),
        _("已生成 %(n)d 个评价码。请用浏览器的打印功能(Ctrl+P)打印本页。", n=form.count.data),
        lambda batch: url_for("codes.sheet", batch=batch),
        page=lambda status: _render_index(form, status),
    )


@bp.get("/batch/<batch>")
@roles(*ISSUERS)
def sheet(batch: str):
    codes = batch_codes(batch[:32])
    if not codes:
        abort(404)
    post = codes[0].post
    require_unit_access(post.unit_id)
    cards = []
    for code in codes:
        url = url_for("rate.scan", code=code.code, _external=True)
        cards.append((code, url, segno.make(url, error="m").svg_data_uri(scale=3)))
    pages = [cards[i : i + CARDS_PER_PAGE] for i in range(0, len(cards), CARDS_PER_PAGE)]
    used = sum(1 for code in codes if code.used_at is not None)
    return render_template(
        "codes/sheet.html", post=post, pages=pages, total=len(codes), used=used, cards_per_page=CARDS_PER_PAGE
    )
