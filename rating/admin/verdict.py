"""The verdict desk (评议结果): close, compute, public notice, objections, publication and corrections."""

from flask import render_template

from rating.admin import bp
from rating.models.users import Role
from rating.security import roles


@bp.get("/verdict")
@roles(Role.ADMIN, Role.AUDITOR)
def verdict():
    return render_template("admin/verdict_index.html")
