"""Bad-review follow-ups (差评整改) for units and administrators."""

from flask import Blueprint

bp = Blueprint("followups", __name__)
