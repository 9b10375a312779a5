"""The audit-log viewer (审计日志): read-only, for the auditor (纪委) and the administrator.

The filters live in the query string, so a filtered view can be bookmarked, paged and exported with the same
arguments. A page costs one count and one SELECT that joins each entry's post code (plus one look-up of the post
when filtering by post); the CSV export is one count and one SELECT of every matching row, built whole rather
than streamed (a streamed body would hold the request's database session open until the client had read it).
"""

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, time, timedelta

from flask import flash, render_template, request
from flask_babel import gettext as _
from sqlalchemy import false, func, select
from sqlalchemy.orm import Bundle

from rating.admin import bp
from rating.clock import LOCAL_TZ
from rating.exports import csv_response
from rating.extensions import db
from rating.labels import GRADE_LABELS
from rating.labels.audit import FIELD_LABELS, action_label
from rating.models.audit import AuditEntry
from rating.models.posts import Post
from rating.models.users import Role
from rating.security import roles

PER_PAGE = 50
#: A larger export keeps the newest rows and says so in an ``X-Truncated: 1`` header.
EXPORT_CAP = 100_000
FILTERS = ("actor", "action", "post", "from", "to")


@dataclass(eq=False)  # compared by identity: db.paginate de-duplicates rows, and JSON dicts cannot be hashed
class AuditRow:
    """One audit entry with its post's code, in the order of the CSV columns."""

    #: None for a citizen's entry (a leaf, sealed in a batch rather than chained): shown as a dash.
    seq: int | None
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    post_code: str | None
    before: dict | None
    after: dict | None
    prev_hash: str | None
    hash: str


class _AuditRows(Bundle):
    """Makes each result row one AuditRow, so that db.paginate can page a SELECT that joins the post code."""

    def create_row_processor(self, query, procs, labels):
        return lambda row: AuditRow(*(proc(row) for proc in procs))


CSV_COLUMNS = [f.name for f in fields(AuditRow)]
ROWS = _AuditRows(
    "audit_row", *(Post.code if name == "post_code" else getattr(AuditEntry, name) for name in CSV_COLUMNS)
)


@dataclass
class AuditFilters:
    """The query-string filters, read once and shared by the page and the export."""

    #: The usable filters as typed, to refill the form and to carry into the pager and export links.
    values: dict[str, str] = field(default_factory=dict)
    conditions: list = field(default_factory=list)
    #: Messages for the reader: an invalid date (that filter is ignored) or an unknown post code (nothing matches).
    problems: list[str] = field(default_factory=list)

    def statement(self):
        return (
            select(ROWS)
            .outerjoin(Post, Post.id == AuditEntry.post_id)
            .where(*self.conditions)
            .order_by(AuditEntry.id.desc())  # leaves have no seq; ids follow the order of writing
        )


def _local_midnight(text: str, days: int = 0) -> datetime | None:
    """Midnight in Asia/Shanghai starting the date YYYY-MM-DD (plus ``days``), in UTC; None if it is no such date."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date() + timedelta(days=days)
        return datetime.combine(day, time.min, LOCAL_TZ).astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def read_filters(args) -> AuditFilters:
    typed = {name: args.get(name, "").strip()[:50] for name in FILTERS}
    filters = AuditFilters(values={name: value for name, value in typed.items() if value})
    if actor := typed["actor"]:
        filters.conditions.append(AuditEntry.actor == actor)
    if action := typed["action"]:
        filters.conditions.append(AuditEntry.action.startswith(action, autoescape=True))
    if code := typed["post"]:
        post_id = db.session.scalar(select(Post.id).where(Post.code == code.upper()))
        if post_id is None:
            filters.problems.append(_("没有编号为 %(code)s 的岗位。", code=code.upper()))
        filters.conditions.append(false() if post_id is None else AuditEntry.post_id == post_id)
    if start := _date_bound(filters, typed, "from", _("开始日期")):
        filters.conditions.append(AuditEntry.at >= start)
    if end := _date_bound(filters, typed, "to", _("结束日期"), days=1):  # inclusive: before the next midnight
        filters.conditions.append(AuditEntry.at < end)
    return filters


def _date_bound(filters: AuditFilters, typed: dict, name: str, label: str, days: int = 0) -> datetime | None:
    """The UTC bound for a typed date filter; an invalid date is reported and dropped from the filters."""
    if not typed[name]:
        return None
    bound = _local_midnight(typed[name], days)
    if bound is None:
        message = _(
            "%(label)s “%(value)s” 不是有效日期(应为 YYYY-MM-DD),已忽略此条件。", label=label, value=typed[name]
        )
        filters.problems.append(message)
        del filters.values[name]
    return bound


@dataclass(frozen=True)
class Change:
    """One field of an entry as the viewer shows it: ``label: old → new`` (``old`` None when nothing was before)."""

    label: str
    old: str | None
    new: str


def _shown(key: str, value) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if key == "grade" and value in GRADE_LABELS:
        return str(GRADE_LABELS[value])
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def changes(before: dict | None, after: dict | None) -> list[Change]:
    """What an entry changed, field by field, in the order recorded: fields that stayed the same are left out, a
    field recorded only after (a new record, a reason) shows its value alone."""
    before, after = before or {}, after or {}
    shown = []
    for key in [*before, *(key for key in after if key not in before)]:
        if key in before and key in after and before[key] == after[key]:
            continue
        label = str(FIELD_LABELS.get(key, key))
        old = _shown(key, before[key]) if key in before else None
        shown.append(Change(label, old, _shown(key, after[key]) if key in after else "—"))
    return shown


@bp.get("/audit")
@roles(Role.ADMIN, Role.AUDITOR)
def audit_log():
    filters = read_filters(request.args)
    for problem in filters.problems:
        flash(problem, "error")
    pagination = db.paginate(filters.statement(), per_page=PER_PAGE)
    return render_template(
        "admin/audit_log.html",
        pagination=pagination,
        filters=filters.values,
        action_label=action_label,
        changes=changes,
    )


@bp.get("/audit/export.csv")
@roles(Role.ADMIN, Role.AUDITOR)
def audit_log_export():
    stmt = read_filters(request.args).statement()
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = (_csv_cells(row) for row in db.session.scalars(stmt.limit(EXPORT_CAP).execution_options(yield_per=1000)))
    response = csv_response("audit-log.csv", CSV_COLUMNS, rows)
    if total > EXPORT_CAP:
        response.headers["X-Truncated"] = "1"
    return response


def _csv_cells(row: AuditRow) -> list:
    return [
        row.seq,
        row.at.astimezone(LOCAL_TZ).isoformat(),
        row.actor,
        row.action,
        row.entity,
        row.entity_id,
        row.post_code or "",
        _compact_json(row.before),
        _compact_json(row.after),
        row.prev_hash,
        row.hash,
    ]


def _compact_json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
