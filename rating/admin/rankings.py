"""The office's unit scores and the rankings beside the verdict (部门考核分数与排名): a grid of every unit's
targets, responsibility, conduct and targets_met for a cycle, a prefilled spreadsheet uploaded back through a
preview (rating.uploads), and the buttons that compute the department and station rankings or publish one late.

Their notice and publication are the verdict desk's: ``publish`` carries the newest drafts with the verdict.
Administrators act; auditors read the same page without the buttons.
"""

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from rating import uploads
from rating.admin import bp
from rating.exports import xlsx_response
from rating.extensions import db
from rating.forms import EmptyForm
from rating.imports import units as unit_rows
from rating.imports.reader import ImportFailed, Table
from rating.labels import UNIT_KIND_LABELS
from rating.models.cycles import CycleStatus
from rating.models.rankings import Ranking
from rating.models.units import Unit
from rating.models.users import Role
from rating.security import roles
from rating.services import officials, unit_scores
from rating.services.cycles import cycle_by_year
from rating.services.rankings import lifecycle, publication
from rating.views import actor, all_cycles, apply_change, apply_form, cycle_or_404, requested_cycle

READERS = (Role.ADMIN, Role.AUDITOR)
unit_scores_endpoint = "admin.unit_scores_page"
SCORES = uploads.Spreadsheet(
    "unit_scores",
    unit_rows.UNIT_SCORE_COLUMNS,
    unit_rows.UNIT_SCORE_INFO_COLUMNS,
    caption=_l("单位考核分数导入预览"),
    header=(_l("行"), _l("单位"), _l("目标考核"), _l("责任制考核"), _l("政风行风评议"), _l("完成目标任务")),
)
MET_WORDS = {True: "是", False: "否", None: ""}


def _units() -> list[Unit]:
    return db.session.scalars(db.select(Unit).order_by(Unit.kind, Unit.code)).all()


def _value(value) -> str:
    return "" if value is None else f"{value:g}"


def _grid(cycle) -> list[tuple[Unit, dict]]:
    scores = unit_scores.scores_of(cycle)
    rows = []
    for unit in _units():
        score = scores.get(unit.id)
        values = {"targets": "", "responsibility": "", "conduct": "", "targets_met": ""}
        if score is not None:
            values = {
                "targets": _value(score.targets),
                "responsibility": _value(score.responsibility),
                "conduct": _value(score.conduct),
                "targets_met": MET_WORDS[score.targets_met],
            }
        rows.append((unit, values))
    return rows


def _stale(cycle, late: dict) -> dict:
    """Why each draft waiting to be published (with the verdict during notice, or late) may not be, yet."""
    if cycle.status == CycleStatus.NOTICE:
        return {ranking: publication.stale(cycle, ranking) for ranking in Ranking}
    return {ranking: publication.stale(cycle, ranking, late[ranking]) if late[ranking] else [] for ranking in Ranking}


def _page(cycle, errors=None, status=200):
    late = {ranking: publication.late_draft(cycle, ranking) for ranking in Ranking}
    return (
        render_template(
            "admin/unit_scores.html",
            cycle=cycle,
            cycles=all_cycles(),
            rows=_grid(cycle),
            kinds=UNIT_KIND_LABELS,
            errors=errors or {},
            form=EmptyForm(),
            can_edit=current_user.role == Role.ADMIN,
            sets={ranking: publication.desk_set(cycle, ranking) for ranking in Ranking},
            late=late,
            stale=_stale(cycle, late),
        ),
        status,
    )


def _check(table: Table):
    return unit_rows.validate_unit_scores(table, unit_scores.units_by_code())


def _amendment() -> officials.Amendment:
    return officials.Amendment(current_user.role == Role.ADMIN, request.form.get("reason", ""))


@bp.get("/unit-scores")
@roles(*READERS)
def unit_scores_page():
    return _page(requested_cycle())


def _grid_table() -> tuple[Table, dict[int, str]]:
    """The filled lines of the grid as the file validator's table (unit code → its four inputs)."""
    table, codes = Table(list(unit_rows.UNIT_SCORE_COLUMNS)), {}
    for unit in _units():
        cells = {name: request.form.get(f"{name}-{unit.code}", "").strip() for name in unit_rows.UNIT_SCORE_COLUMNS[1:]}
        if any(cells.values()):
            line = len(table.rows) + 1
            table.rows.append((line, {"unit_code": unit.code, **cells}))
            codes[line] = unit.code
    return table, codes


@bp.post("/unit-scores")
@roles(Role.ADMIN)
def unit_scores_save():
    cycle = requested_cycle()
    if not EmptyForm().validate_on_submit():
        return _page(cycle, status=400)
    table, codes = _grid_table()
    try:
        rows = _check(table)
    except ImportFailed as exc:
        return _page(cycle, {codes.get(e.line, ""): e.message for e in exc.errors}, 422)
    return apply_change(
        lambda: unit_scores.record_unit_scores(actor(), cycle, rows, _amendment()),
        lambda summary: _("已保存:%(s)s", s=summary),
        url_for(unit_scores_endpoint, cycle=cycle.year),
        page=lambda status: _page(cycle, status=status),
    )


@bp.get("/unit-scores/template.xlsx")
@roles(*READERS)
def unit_scores_template():
    cycle = requested_cycle()
    rows = [
        (unit.code, v["targets"], v["responsibility"], v["conduct"], v["targets_met"], unit.name, unit.kind)
        for unit, v in _grid(cycle)
    ]
    notes = [
        _(
            "targets、responsibility、conduct 填 0–100 的分数;"
            "conduct 空着时由平台计算(关键岗位综合得分均值或满意率×100)。"
        ),
        _("targets_met 填 是/否 或 1/0;空着时按 targets ≥ 60 判断。unit、kind 两列仅供核对,不要修改 unit_code。"),
    ]
    header = [*unit_rows.UNIT_SCORE_COLUMNS, *unit_rows.UNIT_SCORE_INFO_COLUMNS]
    return xlsx_response(f"unit-scores-{cycle.year}.xlsx", header, rows, notes)


def _cells(rows) -> list[tuple]:
    return [
        (row.line, row.unit_code, _value(row.targets), _value(row.responsibility), _value(row.conduct),
         MET_WORDS[row.targets_met])
        for row in rows
    ]  # fmt: skip


@bp.post("/unit-scores/import")
@roles(Role.ADMIN)
def unit_scores_upload():
    cycle = requested_cycle()
    if not EmptyForm().validate_on_submit():
        return _page(cycle, status=400)
    return uploads.preview(
        SCORES,
        request.files.get("file"),
        _check,
        _cells,
        back=url_for(unit_scores_endpoint, cycle=cycle.year),
        confirm_url=url_for("admin.unit_scores_confirm"),
        meta={"cycle": cycle.year},
        guard=lambda: officials.check_open_for_entries(cycle, officials.Amendment()),
    )


@bp.post("/unit-scores/import/confirm")
@roles(Role.ADMIN)
def unit_scores_confirm():
    kept = uploads.take(SCORES.kind)
    if kept is None:
        return uploads.expired(url_for(unit_scores_endpoint))
    cycle = cycle_by_year(kept.meta["cycle"])
    return uploads.confirm(
        SCORES,
        kept,
        _check,
        lambda rows: unit_scores.record_unit_scores(actor(), cycle, rows),
        lambda _rows, summary: _("导入完成:%(s)s", s=summary),
        back=url_for(unit_scores_endpoint, cycle=cycle.year),
    )


@bp.post("/rankings/<int:year>/<any(departments, stations):ranking>/compute")
@roles(Role.ADMIN)
def ranking_compute(year: int, ranking: str):
    compute = lifecycle.compute_departments if ranking == Ranking.DEPARTMENTS else lifecycle.compute_stations
    return apply_form(
        EmptyForm(),
        lambda: compute(actor(), cycle_or_404(year)),
        lambda draft: _("已计算第 %(v)d 稿,%(n)d 个参加排名。", v=draft.version, n=draft.ranked),
        url_for(unit_scores_endpoint, cycle=year),
    )


@bp.post("/rankings/<int:year>/<any(departments, stations):ranking>/publish")
@roles(Role.ADMIN)
def ranking_publish(year: int, ranking: str):
    return apply_form(
        EmptyForm(),
        lambda: lifecycle.publish_late(actor(), cycle_or_404(year), Ranking(ranking), request.form.get("reason", "")),
        lambda published: _("已公布第 %(v)d 版。", v=published.version),
        url_for(unit_scores_endpoint, cycle=year),
    )
