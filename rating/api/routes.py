"""Open data (开放数据): a read-only JSON API over public records, described by an OpenAPI 3 document."""

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from rating.api.openapi import document
from rating.extensions import csrf, db
from rating.models.cycles import Cycle
from rating.models.rankings import Ranking
from rating.models.results import ResultKind, ResultSet
from rating.models.units import Unit
from rating.security import public
from rating.services.directory import posts_query
from rating.services.rankings import export as rankings_export
from rating.services.rankings import publication as rankings_publication
from rating.services.verdict import export, publication
from rating.views import cycle_or_404, int_arg

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # read-only: no cookies are trusted here, and nothing is written


def post_json(post) -> dict:
    return {
        "code": post.code,
        "title": post.title,
        "unit": {"code": post.unit.code, "name": post.unit.name, "kind": str(post.unit.kind)},
        "holder": post.holder_name,
        "responsibilities": post.responsibility_lines,
        "commitments": post.commitment_lines,
    }


@bp.get("/posts")
@public
def posts():
    page = int_arg("page", 1)
    per_page = int_arg("per_page", 20)  # capped at 100 below, as it always was
    pagination = db.paginate(
        posts_query(request.args.get("q", "")[:100], request.args.get("unit", "")[:20]),
        page=page,
        per_page=per_page,
        max_per_page=100,
        error_out=False,
    )
    return jsonify(
        {
            "items": [post_json(post) for post in pagination.items],
            "total": pagination.total,
            "page": pagination.page,
            "per_page": pagination.per_page,
            "pages": pagination.pages,
        }
    )


@bp.get("/units")
@public
def units():
    rows = db.session.scalars(select(Unit).options(selectinload(Unit.parent)).order_by(Unit.code)).all()
    items = [
        {
            "code": u.code,
            "name": u.name,
            "kind": str(u.kind),
            "parent": u.parent.code if u.parent else None,
            "head": u.head,
        }
        for u in rows
    ]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/cycles")
@public
def cycles():
    """Every cycle with its status and, once published, its newest published version."""
    rows = db.session.execute(
        select(Cycle.year, Cycle.status, Cycle.starts_on, Cycle.ends_on, func.max(ResultSet.version))
        .outerjoin(ResultSet, (ResultSet.cycle_id == Cycle.id) & (ResultSet.kind == ResultKind.PUBLISHED))
        .group_by(Cycle.id)
        .order_by(Cycle.year.desc())
    ).all()
    items = [
        {
            "year": year,
            "status": str(status),
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "published_version": version,
        }
        for year, status, starts_on, ends_on, version in rows
    ]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/cycles/<int:year>/results")
@public
def cycle_results(year: int):
    """The published result of a cycle (?version=N for an earlier published version); 404 until published."""
    cycle = cycle_or_404(year)
    version = int_arg("version")
    chosen = publication.published_version(cycle, version)
    if chosen is None:
        abort(404)
    response = jsonify(export.document(cycle, chosen))
    response.set_etag(chosen.content_hash)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response.make_conditional(request)


@bp.get("/cycles/<int:year>/departments")
@public
def cycle_departments(year: int):
    """The newest published department ranking of a cycle; 404 until published."""
    return _ranking(year, Ranking.DEPARTMENTS)


@bp.get("/cycles/<int:year>/stations")
@public
def cycle_stations(year: int):
    """The newest published grassroots-station ranking of a cycle; 404 until published."""
    return _ranking(year, Ranking.STATIONS)


def _ranking(year: int, ranking: Ranking):
    chosen = rankings_publication.latest(cycle_or_404(year), ranking, ResultKind.PUBLISHED)
    if chosen is None:
        abort(404)
    response = jsonify(rankings_export.document(chosen.cycle, chosen))
    response.set_etag(chosen.content_hash)
    response.cache_control.public = True
    response.cache_control.max_age = 60
    return response.make_conditional(request)


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document(request.host_url.rstrip("/") + "/api/v1"))
