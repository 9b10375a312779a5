"""The back office (后台) blueprint; its routes live in the modules imported below."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from rating.admin import (  # noqa: E402,F401  (register the routes on bp)
    accounts,
    audit_log,
    ledger,
    lookup,
    rankings,
    ratings,
    routes,
    runs,
    sources,
    units,
    verdict,
)
