"""Open data (开放数据): a read-only JSON API over public records, described by an OpenAPI 3 document."""

from flask import Blueprint, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from rating.api.openapi import document
from rating.extensions import csrf, db
from rating.models.units import Unit
from rating.security import public
from rating.services.directory import posts_query

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
    page = request.args.get("page", 1, type=int)
    per_page = request.args.get("per_page", 20, type=int)
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
        {"code": u.code, "name": u.name, "kind": str(u.kind), "parent": u.parent.code if u.parent else None}
        for u in rows
    ]
    return jsonify({"items": items, "total": len(items)})


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document(request.host_url.rstrip("/") + "/api/v1"))
