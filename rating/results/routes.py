"""Public result pages. Read published (immutable) snapshots only, never live tables."""

from flask import render_template

from rating.results import bp
from rating.security import public


@bp.get("/")
@public
def index():
    return render_template("results/index.html")
