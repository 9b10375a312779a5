"""Open data (开放数据): a read-only JSON API over public records, described by an OpenAPI 3 document.

Every answer comes from the shared cache with the pages' ETag scheme (rating.cache), keyed by its URL and the
generation of what it shows; the JSON is the same in every language.
"""

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from rating import cache
from rating.api import schemas
from rating.api.describe import Reply, operation
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
from rating.views import cycle_or_404

bp = Blueprint("api", __name__)
csrf.exempt(bp)  # read-only: no cookies are trusted here, and nothing is written

BAD_PARAMETER = Reply("a parameter is not what the description says (the message names it)", schemas.Error)
NOT_FOUND = Reply("no such cycle, or not published yet", schemas.Error)
#: Every answer carries an ETag (a hash of its body); sent back in If-None-Match, an unchanged answer is 304.
NOT_MODIFIED = Reply("not modified (If-None-Match)")


def _cached(build, areas: tuple, *, final: bool = False, depends_on: tuple = (), query: schemas.Query | None = None):
    """The JSON of ``build()``, from the shared cache while ``areas`` are unchanged; 304 on a matching ETag. Keyed
    by the path and the validated ``query`` (``build`` reads that, never the query string): an unknown parameter
    shares the entry."""
    return cache.page(
        ("api", *depends_on, tuple(query.model_dump().items()) if query is not None else ()),
        lambda: jsonify(build()).get_data(),
        areas=areas,
        final=final,
        localised=False,
        mimetype="application/json",
    )


@bp.errorhandler(400)
def bad_request(error):
    """Say which parameter is wrong and why, in the API's error shape."""
    return jsonify({"error": {"status": 400, "message": error.description}}), 400


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
@operation(
    "Key posts, paginated",
    name="listPosts",
    query=schemas.PostsQuery,
    responses={200: Reply("one page of posts", schemas.PostPage), 304: NOT_MODIFIED, 400: BAD_PARAMETER},
)
def posts(query: schemas.PostsQuery):
    return _cached(lambda: _posts(query), ("directory",), query=query)


def _posts(query: schemas.PostsQuery) -> dict:
    pagination = db.paginate(
        posts_query(query.q[:100], query.unit[:20]),
        page=query.page,
        per_page=query.per_page,  # capped at 100 below, as it always was
        max_per_page=100,
        error_out=False,
    )
    return {
        "items": [post_json(post) for post in pagination.items],
        "total": pagination.total,
        "page": pagination.page,
        "per_page": pagination.per_page,
        "pages": pagination.pages,
    }


@bp.get("/units")
@public
@operation("All units", name="listUnits", responses={200: Reply("every unit", schemas.UnitList), 304: NOT_MODIFIED})
def units():
    return _cached(_units, ("directory",))


def _units() -> dict:
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
    return {"items": items, "total": len(items)}


@bp.get("/cycles")
@public
@operation(
    "Evaluation cycles and their status",
    name="listCycles",
    responses={200: Reply("every cycle, newest first", schemas.CycleList), 304: NOT_MODIFIED},
)
def cycles():
    """Every cycle with its status and, once published, its newest published version."""
    return _cached(_cycles, ("results",))


def _cycles() -> dict:
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
    return {"items": items, "total": len(items)}


@bp.get("/cycles/<int:year>/results")
@public
@operation(
    "The published result of a cycle: ranking, components, titles and warnings",
    name="cycleResults",
    query=schemas.VersionQuery,
    responses={
        200: Reply("the published snapshot (its content hash is in the body)", schemas.CycleResult),
        304: NOT_MODIFIED,
        400: BAD_PARAMETER,
        404: NOT_FOUND,
    },
)
def cycle_results(year: int, query: schemas.VersionQuery):
    """The published result of a cycle (?version=N for an earlier published version); 404 until published."""
    return _cached(lambda: _cycle_result(year, query.version), ("results",), final=True, query=query)


def _cycle_result(year: int, version: int | None) -> dict:
    cycle = cycle_or_404(year)
    chosen = publication.published_version(cycle, version)
    if chosen is None:
        abort(404)
    return export.document(cycle, chosen)


RANKING_ANSWERS = {304: NOT_MODIFIED, 404: Reply("no such cycle, or no published ranking", schemas.Error)}


@bp.get("/cycles/<int:year>/departments")
@public
@operation(
    "The department ranking of a cycle: groups, commendations, yellow cards, last two years running",
    name="cycleDepartments",
    responses={200: Reply("the newest published ranking", schemas.DepartmentRanking), **RANKING_ANSWERS},
)
def cycle_departments(year: int):
    """The newest published department ranking of a cycle; 404 until published."""
    return _ranking(year, Ranking.DEPARTMENTS)


@bp.get("/cycles/<int:year>/stations")
@public
@operation(
    "The grassroots-station satisfaction ranking of a cycle, with the lowest two named",
    name="cycleStations",
    responses={200: Reply("the newest published ranking", schemas.StationRanking), **RANKING_ANSWERS},
)
def cycle_stations(year: int):
    """The newest published grassroots-station ranking of a cycle; 404 until published."""
    return _ranking(year, Ranking.STATIONS)


def _ranking(year: int, ranking: Ranking):
    return _cached(lambda: _ranking_document(year, ranking), ("results",), final=True)


def _ranking_document(year: int, ranking: Ranking) -> dict:
    chosen = rankings_publication.latest(cycle_or_404(year), ranking, ResultKind.PUBLISHED)
    if chosen is None:
        abort(404)
    return rankings_export.document(chosen.cycle, chosen)


@bp.get("/openapi.json")
@public
@operation("This document", name="openapi", responses={200: Reply("the OpenAPI document", dict[str, object])})
def openapi():
    host = request.host_url.rstrip("/")
    return _cached(lambda: document(current_app, host), (), final=True, depends_on=(host,))
