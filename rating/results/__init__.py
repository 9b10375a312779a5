"""Published results (评议结果) for the public: ranking, lists, breakdowns, history, downloads, and during public
notice (公示) the draft with objections and the warned holders' replies. Its routes live in the modules below."""

from flask import Blueprint

bp = Blueprint("results", __name__)

from rating.results import objections, rankings, routes  # noqa: E402,F401  (register the routes on bp)
