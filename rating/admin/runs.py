"""The scheduler's run log (定时任务记录), for administrators and auditors."""

from flask import render_template

from rating.admin import bp
from rating.models.users import Role
from rating.security import roles


@bp.get("/runs")
@roles(Role.ADMIN, Role.AUDITOR)
def runs():
    return render_template("admin/runs.html")
