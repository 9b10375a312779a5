"""HR offices (人事科) enter annual assessments (年度考核) for their own unit's posts: a grid, or a spreadsheet
downloaded prefilled and uploaded back through a preview."""

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from rating import uploads
from rating.exports import xlsx_response
from rating.extensions import db
from rating.forms import EmptyForm
from rating.imports import officials as rows_
from rating.imports.reader import ImportFailed
from rating.imports.vocab import GRADE_WORDS
from rating.models.assessments import Assessment
from rating.models.units import Unit
from rating.models.users import Role
from rating.security import roles
from rating.services import officials
from rating.services.cycles import cycle_by_year
from rating.services.directory import posts_query, units_with_posts
from rating.views import actor, all_cycles, apply_change, grid_table, requested_cycle, requested_unit

bp = Blueprint("hr", __name__)

EDITORS = (Role.HR_OFFICER, Role.ADMIN)
READERS = (*EDITORS, Role.AUDITOR)
ASSESSMENTS = uploads.Spreadsheet(
    "assessments",
    rows_.ASSESSMENT_COLUMNS,
    rows_.ASSESSMENT_INFO_COLUMNS,
    caption=_l("年度考核导入预览"),
    header=(_l("行"), _l("岗位编号"), _l("原结果"), _l("新结果")),
)


def _value(assessment: Assessment | None) -> str:
    if assessment is None:
        return ""
    if assessment.grade:
        return GRADE_WORDS[assessment.grade]
    return f"{assessment.score:g}"


def _grid_rows(cycle, unit) -> list[tuple[officials.GridLine, str]]:
    lines = officials.grid_lines(cycle, db.session.scalars(posts_query(unit_id=unit.id)).all())
    assessed = officials.assessment_values(cycle, lines)
    return [(line, _value(assessed.get(line.key))) for line in lines]


def _amendment() -> officials.Amendment:
    return officials.Amendment(current_user.role == Role.ADMIN, request.form.get("reason", ""))


def _check(cycle, unit_id: int | None):
    """Rows of a file or grid for this cycle, refused when they name a post outside the unit."""
    return lambda table: rows_.validate_assessments(table, officials.import_context(cycle, only_unit_id=unit_id))


def _render_grid(cycle, unit, errors=None, status=200):
    rows = _grid_rows(cycle, unit)
    units = None if current_user.role.unit_bound else db.session.scalars(units_with_posts()).all()
    return (
        render_template(
            "hr/grid.html",
            cycle=cycle,
            cycles=all_cycles(),
            unit=unit,
            units=units,
            rows=rows,
            missing=sum(1 for _post, value in rows if not value),
            errors=errors or {},
            form=EmptyForm(),
            can_edit=current_user.role in EDITORS,
            grade_labels=GRADE_WORDS.values(),
        ),
        status,
    )


@bp.get("/")
@roles(*READERS)
def grid():
    return _render_grid(requested_cycle(), requested_unit())


@bp.post("/")
@roles(*EDITORS)
def save_grid():
    cycle, unit = requested_cycle(), requested_unit()
    if not EmptyForm().validate_on_submit():
        return _render_grid(cycle, unit, status=400)
    table, codes = grid_table("v-", "grade_or_score")
    try:
        rows = _check(cycle, unit.id)(table)
    except ImportFailed as exc:
        return _render_grid(cycle, unit, {codes.get(e.line, ""): e.message for e in exc.errors}, 422)
    return apply_change(
        lambda: officials.record_assessments(actor(), cycle, rows, _amendment()),
        lambda counts: _("已保存:新录入 %(c)d 个,修改 %(u)d 个。", c=counts["created"], u=counts["changed"]),
        url_for("hr.grid", cycle=cycle.year, unit=unit.code),
        page=lambda status: _render_grid(cycle, unit, status=status),
    )


@bp.get("/template.xlsx")
@roles(*READERS)
def template():
    cycle, unit = requested_cycle(), requested_unit()
    rows = [
        (line.post.code, value, line.post.title, line.holder_name, unit.name) for line, value in _grid_rows(cycle, unit)
    ]
    notes = [
        _("grade_or_score 列填写:优秀、称职、基本称职、不称职,或 0–100 的分数。"),
        _("holder 列是考核对象:岗位在本周期内换过人的,每人一行。title、unit 两列仅供核对。不要修改 post_code。"),
    ]
    return xlsx_response(
        f"assessments-{cycle.year}-{unit.code}.xlsx",
        [*rows_.ASSESSMENT_COLUMNS, "title", "holder", "unit"],
        rows,
        notes,
    )


def _preview_cells(cycle, unit, rows) -> list[tuple]:
    current = {}
    for line, value in _grid_rows(cycle, unit):
        current[(line.post.id, line.holder_id)] = value
        if line.key == line.post.code:  # a row naming no holder is the post's one holder in the cycle
            current[(line.post.id, None)] = value
    return [
        (
            row.line,
            row.code,
            current.get((row.post_id, row.holder_id), ""),
            GRADE_WORDS.get(row.grade) or f"{row.score:g}",
        )
        for row in rows
    ]


@bp.post("/import")
@roles(*EDITORS)
def upload():
    cycle, unit = requested_cycle(), requested_unit()
    if not EmptyForm().validate_on_submit():
        return _render_grid(cycle, unit, status=400)
    return uploads.preview(
        ASSESSMENTS,
        request.files.get("file"),
        _check(cycle, unit.id),
        lambda rows: _preview_cells(cycle, unit, rows),
        back=url_for("hr.grid", cycle=cycle.year, unit=unit.code),
        confirm_url=url_for("hr.confirm"),
        meta={"cycle": cycle.year, "unit": unit.code},
        guard=lambda: officials.check_open_for_entries(cycle, officials.Amendment()),
    )


@bp.post("/import/confirm")
@roles(*EDITORS)
def confirm():
    kept = uploads.take(ASSESSMENTS.kind)
    if kept is None:
        return uploads.expired(url_for("hr.grid"))
    cycle = cycle_by_year(kept.meta["cycle"])
    # The unit an HR officer confirms for is their own, whatever the kept file says.
    unit_code = current_user.unit.code if current_user.role.unit_bound else kept.meta["unit"]
    return uploads.confirm(
        ASSESSMENTS,
        kept,
        _check(cycle, db.session.scalar(select(Unit.id).where(Unit.code == unit_code))),
        lambda rows: officials.record_assessments(actor(), cycle, rows),
        lambda _rows, counts: _(
            "导入完成:新录入 %(c)d 个,修改 %(u)d 个,未变 %(n)d 个。",
            c=counts["created"],
            u=counts["changed"],
            n=counts["unchanged"],
        ),
        back=url_for("hr.grid", cycle=cycle.year, unit=unit_code),
    )


from rating.hr import transfers  # noqa: E402,F401  (registers the transfer-order routes on bp)
