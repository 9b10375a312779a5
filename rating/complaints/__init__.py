"""The complaint centre blueprint (投诉中心): public intake and tracking, casework, public figures."""

from flask import Blueprint

bp = Blueprint("complaints", __name__)

from rating.complaints import (  # noqa: E402,F401  (register the routes on bp)
    casework,
    casework_steps,
    publication,
    receipt,
    reports,
    routes,
    stats,
)
