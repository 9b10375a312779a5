"""The suggestions of the back office's post and unit pickers (岗位、单位查找), read while typing by
static/js/picker.js; without script the forms answer the same search themselves (rating.views.pick)."""

from flask import jsonify, request

from rating.admin import bp
from rating.models.users import Role
from rating.security import roles
from rating.services.directory import find_targets

#: Those whose forms have a picker: phone intake (投诉中心) and inspection findings (督查人员, 效能办).
PICKERS = (Role.COMPLAINT_HANDLER, Role.INSPECTOR, Role.ADMIN)


@bp.get("/lookup")
@roles(*PICKERS)
def lookup():
    """``?q=婚姻登记[&units=1][&posts=0]``: up to a dozen posts (and units) whose code or name holds every word."""
    text = request.args.get("q", "")[:100]
    found = find_targets(text, posts=request.args.get("posts") != "0", units=request.args.get("units") == "1")
    return jsonify(items=[{"code": target.code, "label": target.label} for target in found])
