"""Open311 GeoReport v2 compatible complaint API (filled in below)."""

from flask import Blueprint

from rating.extensions import csrf

bp = Blueprint("open311", __name__)
csrf.exempt(bp)
