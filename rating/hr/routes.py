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
from rating.imports.vocab import COLUMN_HEADINGS, GRADE_WORDS
from rating.labels import IMPORT_CHANGE_LABELS
from rating.models.assessments import Assessment
from rating.models.units import Unit
from rating.models.users import Role
from rating.scoring.verdict import is_eligible
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
    header=(_l("行"), _l("岗位编号"), _l("岗位"), _l("责任人"), _l("原结果"), _l("新结果"), _l("变化"), _l("提示")),
)
#: The columns of the downloaded template, headed in Chinese (``vocab.COLUMN_HEADINGS``; the English names are still
#: read): the two the import needs, then the post's title, holder and unit for the reader.
TEMPLATE_COLUMNS = [*rows_.ASSESSMENT_COLUMNS, "title", "holder", "unit"]


def _value(assessment: Assessment | None) -> str:
    if assessment is None:
        return ""
    if assessment.grade:
        return GRADE_WORDS[assessment.grade]
    return f"{assessment.score:g}"


def _cell(value: str):
    """A grid value as a spreadsheet cell: a score is a number (Excel sums and sorts it), a grade its word."""
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


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
        (line.post.code, _cell(value), line.post.title, line.holder_name, unit.name)
        for line, value in _grid_rows(cycle, unit)
    ]
    notes = [
        _("“考核结果”列从下拉列表选择优秀、称职、基本称职、不称职,或填写 0–100 的分数。"),
        _("基本称职、不称职的岗位不能评为标兵岗位或优秀岗位。"),
        _("“责任人”列是考核对象:岗位在本周期内换过人的,每人一行。“岗位名称”“单位”两列仅供核对。不要修改“岗位编号”。"),
    ]
    return xlsx_response(
        f"assessments-{cycle.year}-{unit.code}.xlsx",
        [COLUMN_HEADINGS[name] for name in TEMPLATE_COLUMNS],
        rows,
        notes,
        title=_("%(year)d 年度考核", year=cycle.year),
        choices={2: list(GRADE_WORDS.values())},
    )


def _preview_cells(cycle, unit, rows) -> list[uploads.PreviewLine]:
    """Each row beside what is stored now: new, changed or unchanged, with a warning where the grade bars a title."""
    current = {}
    for line, value in _grid_rows(cycle, unit):
        current[(line.post.id, line.holder_id)] = (line, value)
        if line.key == line.post.code:  # a row naming no holder is the post's one holder in the cycle
            current[(line.post.id, None)] = (line, value)
    shown = []
    for row in rows:
        line, before = current.get((row.post_id, row.holder_id), (None, ""))
        after = GRADE_WORDS.get(row.grade) or f"{row.score:g}"
        change = uploads.change(before, after)
        warning = "" if is_eligible(row.grade, False) else _("不能评为标兵岗位或优秀岗位")
        post, holder = (line.post.title, line.holder_name) if line else ("", "")
        cells = (row.line, row.code, post, holder, before or "—", after, IMPORT_CHANGE_LABELS[change], warning)
        shown.append(uploads.PreviewLine(cells, change, bool(warning)))
    return shown


def _warnings(rows) -> list[str]:
    barred = sum(1 for row in rows if not is_eligible(row.grade, False))
    if not barred:
        return []
    return [
        _(
            "%(n)d 个岗位考核为基本称职或不称职:按评议办法,这些岗位不能评为标兵岗位或优秀岗位。请核对后再确认。",
            n=barred,
        )
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
        warnings=_warnings,
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
