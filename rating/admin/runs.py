"""The scheduler's run log (定时任务记录), for administrators and auditors: every run of every scheduled job, newest
first, with its outcome and, for a failed run, the end of its traceback; and who holds the scheduler's lease.

Filters live in the query string (``job``, ``outcome``) so that a filtered view can be bookmarked and paged.
"""

from flask import render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from rating.admin import bp
from rating.extensions import db
from rating.jobs import JOBS
from rating.models.base import utcnow
from rating.models.scheduler import JobRun, RunOutcome
from rating.models.users import Role
from rating.security import roles
from rating.services.scheduling import current_lease

PER_PAGE = 50
OUTCOME_LABELS = {
    RunOutcome.RUNNING: _l("运行中"),
    RunOutcome.OK: _l("成功"),
    RunOutcome.BLOCKED: _l("受阻"),
    RunOutcome.ERROR: _l("出错"),
    RunOutcome.DIED: _l("中断"),
}


def duration(run: JobRun) -> str:
    """How long a finished run took, in the largest sensible unit."""
    if run.ended_at is None:
        return ""
    seconds = max((run.ended_at - run.started_at).total_seconds(), 0)
    if seconds < 60:
        return _("%(s).1f 秒", s=seconds)
    minutes, seconds = divmod(round(seconds), 60)
    return _("%(m)d 分 %(s)d 秒", m=minutes, s=seconds)


@bp.get("/runs")
@roles(Role.ADMIN, Role.AUDITOR)
def runs():
    filters = {}
    statement = select(JobRun)
    if (job := request.args.get("job", "")) in JOBS:
        filters["job"] = job
        statement = statement.where(JobRun.job == job)
    if (outcome := request.args.get("outcome", "")) in OUTCOME_LABELS:
        filters["outcome"] = outcome
        statement = statement.where(JobRun.outcome == RunOutcome(outcome))
    statement = statement.order_by(JobRun.started_at.desc(), JobRun.id.desc())
    pagination = db.paginate(statement, per_page=PER_PAGE)
    lease = current_lease()
    return render_template(
        "admin/runs.html",
        pagination=pagination,
        filters=filters,
        lease=lease,
        lease_held=lease is not None and lease.expires_at > utcnow(),
        job_labels={name: job.label for name, job in JOBS.items()},
        outcome_labels=OUTCOME_LABELS,
        duration=duration,
    )
