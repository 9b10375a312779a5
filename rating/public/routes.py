"""Public pages: home, the post directory (岗位名录), post pages, the language switch.

Each page is answered from the shared cache (rating.cache) while the areas it shows keep their generation: the
directory (units, posts, holders), the results (cycles, published results), the notices. Each names the query
parameters it reads (``query=``); it is rendered with those alone.
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from rating import cache
from rating.clock import local_today
from rating.extensions import db
from rating.labels import TITLE_LABELS
from rating.models.assessments import InspectionFinding
from rating.models.posts import Post, Tenure
from rating.models.units import Unit
from rating.security import public, safe_next
from rating.services import ledger
from rating.services.cycles import current_cycle
from rating.services.directory import posts_query, units_with_posts
from rating.services.directory import stations as directory_stations
from rating.services.ratings import intake_closed, public_tally
from rating.services.verdict.publication import published_history
from rating.views import lenient_int

bp = Blueprint("public", __name__)
#: The key posts the home page counts (stations' rating desks are not key posts).
KEY_POST = Post.active.is_(True) & Post.rates_unit.is_(False)
#: What the home and post pages show: the posts, and the cycle with its published results.
PAGES_OF_POSTS = ("directory", "results")


@bp.get("/")
@public
def home():
    return cache.page(("home", local_today()), _home, areas=PAGES_OF_POSTS)


def _home() -> str:
    counts = db.session.execute(
        select(
            select(func.count(Post.id)).where(KEY_POST).scalar_subquery(),
            select(func.count(func.distinct(Post.unit_id))).where(KEY_POST).scalar_subquery(),
        )
    ).one()
    return render_template(
        "public/home.html", cycle=current_cycle(), rating_closed=intake_closed(), posts=counts[0], units=counts[1]
    )


@bp.get("/posts")
@public
def directory():
    return cache.page(("directory",), _directory, query=("q", "unit", "page"), areas=("directory",))


def _directory() -> str:
    q = request.args.get("q", "").strip()[:100]
    unit_code = request.args.get("unit", "").strip()[:20]
    page = request.args.get("page", 1, type=lenient_int)
    pagination = db.paginate(
        posts_query(q, unit_code), page=page, per_page=current_app.config["POSTS_PER_PAGE"], error_out=False
    )
    units = db.session.scalars(units_with_posts()).all()
    return render_template(
        "public/directory.html",
        pagination=pagination,
        rows=pagination.items,
        q=q,
        unit_code=unit_code,
        units=units,
        stations=db.session.scalars(directory_stations()).all(),
    )


@bp.get("/posts/<code>")
@public
def post(code: str):
    """A post's page, where a QR card lands. Its rating tally is as cached: a rating changes no public page until
    the verdict runs, a post's edit or a publication does at once."""
    return cache.page(("post", local_today()), lambda: _post(code), areas=PAGES_OF_POSTS)


def _post(code: str):
    post = db.session.scalar(
        select(Post)
        .where(Post.code == code.upper())
        .options(
            selectinload(Post.unit).selectinload(Unit.parent), selectinload(Post.tenures).selectinload(Tenure.holder)
        )
    )
    if post is None or not post.active:
        abort(404)
    if post.rates_unit:  # a station's rating desk is not a key post: its page is the station's rating form
        return redirect(url_for("rate.station_form", code=post.unit.code))
    cycle = current_cycle()
    return render_template(
        "public/post.html",
        post=post,
        cycle=cycle,
        tally=public_tally(post, cycle),
        rating_closed=intake_closed(),
        history=published_history(post.code),
        TITLE_LABELS=TITLE_LABELS,
    )


@bp.get("/notices")
@public
def notices():
    """通报: findings the inspectors marked for public notification. Never who inspected."""
    return cache.page(("notices",), _notices, query=("unit", "page"), areas=("directory", "notices"))


def _notices() -> str:
    unit_code = request.args.get("unit", "").strip()[:20]
    stmt = (
        select(InspectionFinding)
        .join(InspectionFinding.unit)
        .where(InspectionFinding.notified.is_(True), InspectionFinding.withdrawn.is_(False))
        .options(
            contains_eager(InspectionFinding.unit),
            selectinload(InspectionFinding.post),
            selectinload(InspectionFinding.holder),
        )
        .order_by(InspectionFinding.found_on.desc(), Unit.code, InspectionFinding.id)
    )
    if unit_code:
        stmt = stmt.where(Unit.code == unit_code)
    pagination = db.paginate(stmt, per_page=30, error_out=False)
    units = db.session.scalars(
        select(Unit)
        .where(Unit.id.in_(select(InspectionFinding.unit_id).where(InspectionFinding.notified.is_(True))))
        .order_by(Unit.code)
    ).all()
    return render_template("public/notices.html", pagination=pagination, units=units, unit_code=unit_code)


@bp.get("/accountability")
@public
def accountability():
    """责任追究通报: closed ledger entries the office published; the person's name only where the measure was
    published, nothing else private (no complainant, no evidence, no internal summary)."""
    return cache.page(("accountability",), _accountability, query=("page",), areas=("directory", "notices"))


def _accountability() -> str:
    pagination = db.paginate(ledger.public_notices_query(), per_page=30, error_out=False)
    return render_template("public/accountability.html", pagination=pagination)


@bp.get("/privacy")
@public
def privacy():
    """个人信息保护: what the site keeps of a citizen, for how long, and who sees it; linked from every form that
    takes personal data."""
    return render_template("public/privacy.html", retention_days=current_app.config["COMPLAINT_RETENTION_DAYS"])


@bp.get("/lang/<code>")
@public
def set_language(code: str):
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.args.get("next")
    return redirect(safe_next(target, url_for("public.home")))
