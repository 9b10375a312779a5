"""Inspectors (督查组) record open and undercover inspections (明查暗访), mark them for public notification (通报),
and enter comprehensive-inspection scores (综合检查评议) by round; both also by spreadsheet."""

from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from rating import uploads
from rating.exports import xlsx_response
from rating.extensions import db
from rating.forms import EmptyForm
from rating.imports import officials as rows_
from rating.imports.reader import ImportFailed, Table
from rating.inspect.forms import FindingForm
from rating.labels import deduction_label
from rating.models.assessments import InspectionFinding, InspectionScore
from rating.models.users import Role
from rating.security import roles
from rating.services import officials
from rating.services.cycles import cycle_by_year
from rating.services.directory import posts_query
from rating.views import actor, all_cycles, apply_change, apply_form, grid_table, lenient_int, pick, requested_cycle

bp = Blueprint("inspect", __name__)

EDITORS = (Role.INSPECTOR, Role.ADMIN)
READERS = (*EDITORS, Role.AUDITOR)
FREE = "__free__"
FINDINGS = uploads.Spreadsheet(
    "findings",
    rows_.FINDING_COLUMNS,
    header=(_l("行"), _l("编号"), _l("日期"), _l("方式"), _l("问题"), _l("扣分")),
)
SCORES = uploads.Spreadsheet(
    "scores",
    rows_.SCORE_COLUMNS,
    rows_.ASSESSMENT_INFO_COLUMNS,
    header=(_l("行"), _l("岗位编号"), _l("轮次"), _l("分数")),
)


class Import(NamedTuple):
    """One kind of inspection import: its file, how its rows are checked and written, how the preview shows a row."""

    sheet: uploads.Spreadsheet
    validate: Callable
    write: Callable
    cells: Callable


KINDS = {
    "findings": Import(
        FINDINGS,
        rows_.validate_findings,
        officials.record_findings,
        lambda r: (r.line, r.code, r.found_on, r.kind, r.description, f"{r.deduction:g}"),
    ),
    "scores": Import(
        SCORES, rows_.validate_scores, officials.record_scores, lambda r: (r.line, r.code, r.round, f"{r.score:g}")
    ),
}


def _amendment() -> officials.Amendment:
    return officials.Amendment(current_user.role == Role.ADMIN, request.form.get("reason", ""))


def _finding_or_404(finding_id: int) -> InspectionFinding:
    return db.get_or_404(InspectionFinding, finding_id)


@bp.get("/")
@roles(*READERS)
def findings():
    cycle = requested_cycle()
    stmt = (
        select(InspectionFinding)
        .where(InspectionFinding.cycle_id == cycle.id)
        .options(selectinload(InspectionFinding.post), selectinload(InspectionFinding.unit))
        .order_by(InspectionFinding.found_on.desc(), InspectionFinding.id.desc())
    )
    pagination = db.paginate(stmt, per_page=50)
    return render_template(
        "inspect/findings.html",
        cycle=cycle,
        cycles=all_cycles(),
        pagination=pagination,
        form=EmptyForm(),
        can_edit=current_user.role in EDITORS,
    )


@bp.get("/findings.xlsx")
@roles(*READERS)
def findings_export():
    cycle = requested_cycle()
    findings = db.session.scalars(
        select(InspectionFinding)
        .where(InspectionFinding.cycle_id == cycle.id)
        .options(selectinload(InspectionFinding.post), selectinload(InspectionFinding.unit))
        .order_by(InspectionFinding.found_on, InspectionFinding.id)
    ).all()
    rows = [
        (
            f.found_on.isoformat(),
            str(f.kind),
            f.post.code if f.post else f.unit.code,
            f.unit.name,
            f.description,
            f.deduction,
            f.deduction_code or "",
            int(f.notified),
            int(f.withdrawn),
            f.recorded_by,
        )
        for f in findings
    ]
    header = [
        "date",
        "kind",
        "code",
        "unit",
        "finding",
        "deduction",
        "deduction_code",
        "notified",
        "withdrawn",
        "recorded_by",
    ]
    return xlsx_response(f"findings-{cycle.year}.xlsx", header, rows)


@bp.route("/findings/new", methods=["GET", "POST"])
@roles(*EDITORS)
def new_finding():
    cycle = requested_cycle()
    form = FindingForm()
    table = cycle.settings.inspection_deductions
    form.deduction_code.choices = [
        SelectChoice(code, f"{deduction_label(code)}(-{points:g})") for code, points in table.items()
    ] + [SelectChoice(FREE, deduction_label(None))]
    picked = pick(form.target, units=True)
    if form.validate_on_submit() and not picked.open:
        code = form.deduction_code.data
        row = {
            "post_code": form.target.data,
            "date": form.found_on.data.isoformat(),
            "kind": form.kind.data,
            "finding": form.description.data,
            "deduction": (form.deduction.data or "0") if code == FREE else code,
        }
        try:
            rows = rows_.validate_findings(Table(rows_.FINDING_COLUMNS, [(1, row)]), officials.import_context(cycle))
        except ImportFailed as exc:
            for error in exc.errors:
                flash(error.message, "error")
            return render_template("inspect/finding_new.html", form=form, cycle=cycle, picked=picked), 422
        return apply_change(
            lambda: officials.record_findings(actor(), cycle, rows, _amendment(), notify=form.notify.data),
            _("已记录检查发现的问题。"),
            url_for("inspect.findings", cycle=cycle.year),
            page=lambda status: (
                render_template("inspect/finding_new.html", form=form, cycle=cycle, picked=picked),
                status,
            ),
        )
    status = 422 if form.errors or picked.open else 200
    return render_template("inspect/finding_new.html", form=form, cycle=cycle, picked=picked), status


@bp.post("/findings/<int:finding_id>/notify")
@roles(*EDITORS)
def notify(finding_id: int):
    finding = _finding_or_404(finding_id)
    return apply_form(
        EmptyForm(),
        lambda: officials.set_notified(actor(), finding, request.form.get("notified") == "1"),
        _("通报状态已更新。"),
        url_for("inspect.findings", cycle=finding.cycle.year),
    )


@bp.post("/findings/<int:finding_id>/withdraw")
@roles(*EDITORS)
def withdraw(finding_id: int):
    finding = _finding_or_404(finding_id)
    return apply_form(
        EmptyForm(),
        lambda: officials.withdraw_finding(actor(), finding, request.form.get("reason", ""), _amendment()),
        _("已撤销该问题;记录保留,不再扣分。"),
        url_for("inspect.findings", cycle=finding.cycle.year),
    )


def _score_rows(cycle, round_: int) -> list[tuple[officials.GridLine, str]]:
    lines = officials.grid_lines(cycle, db.session.scalars(posts_query()).all())
    scores = officials.score_values(cycle, round_, lines)
    return [(line, "" if line.key not in scores else f"{scores[line.key]:g}") for line in lines]


def _rounds(cycle) -> list[int]:
    last = db.session.scalar(select(func.max(InspectionScore.round)).where(InspectionScore.cycle_id == cycle.id))
    return list(range(1, (last or 0) + 2))


def _render_scores(cycle, round_, errors=None, status=200):
    rows = _score_rows(cycle, round_)
    return (
        render_template(
            "inspect/scores.html",
            cycle=cycle,
            cycles=all_cycles(),
            round=round_,
            rounds=_rounds(cycle),
            rows=rows,
            missing=sum(1 for _post, value in rows if not value),
            errors=errors or {},
            form=EmptyForm(),
            can_edit=current_user.role in EDITORS,
        ),
        status,
    )


@bp.get("/scores")
@roles(*READERS)
def scores():
    return _render_scores(requested_cycle(), max(1, request.args.get("round", 1, type=lenient_int)))


@bp.post("/scores")
@roles(*EDITORS)
def save_scores():
    cycle, round_ = requested_cycle(), max(1, request.form.get("round", 1, type=lenient_int))
    if not EmptyForm().validate_on_submit():
        return _render_scores(cycle, round_, status=400)
    table, codes = grid_table("s-", "score")
    for _line, row in table.rows:
        row["round"] = str(round_)
    try:
        rows = rows_.validate_scores(table, officials.import_context(cycle))
    except ImportFailed as exc:
        return _render_scores(cycle, round_, {codes.get(e.line, ""): e.message for e in exc.errors}, 422)
    return apply_change(
        lambda: officials.record_scores(actor(), cycle, rows, _amendment()),
        lambda counts: _("已保存:新录入 %(c)d 个,修改 %(u)d 个。", c=counts["created"], u=counts["changed"]),
        url_for("inspect.scores", cycle=cycle.year, round=round_),
        page=lambda status: _render_scores(cycle, round_, status=status),
    )


@bp.get("/<kind>/template.xlsx")
@roles(*READERS)
def template(kind: str):
    cycle = requested_cycle()
    if kind == "scores":
        round_ = max(1, request.args.get("round", 1, type=lenient_int))
        rows = [
            (line.post.code, value, round_, line.post.title, line.holder_name or "", line.post.unit.name)
            for line, value in _score_rows(cycle, round_)
        ]
        header = [*rows_.SCORE_COLUMNS, "title", "holder", "unit"]
        notes = [_("score 列填写 0–100 的分数;round 为检查轮次。title、holder、unit 仅供核对,导入时不读取。")]
    elif kind == "findings":
        rows, header = [], rows_.FINDING_COLUMNS
        standard = ", ".join(f"{code}={points:g}" for code, points in cycle.settings.inspection_deductions.items())
        notes = [
            _("post_code 填岗位编号(如 DT-001),针对整个单位的问题填单位编号(如 M05)。"),
            _("date 为 YYYY-MM-DD,须在本评议周期内;kind 为 明查 或 暗访。"),
            _("deduction 填扣分数字,或标准扣分项代码:%(codes)s", codes=standard),
        ]
    else:
        abort(404)
    return xlsx_response(f"{kind}-{cycle.year}.xlsx", header, rows, notes)


def _back(kind: str, cycle) -> str:
    return url_for("inspect.scores" if kind == "scores" else "inspect.findings", cycle=cycle.year)


@bp.post("/<kind>/import")
@roles(*EDITORS)
def upload(kind: str):
    if kind not in KINDS:
        abort(404)
    spec, cycle = KINDS[kind], requested_cycle()
    if not EmptyForm().validate_on_submit():
        abort(400)
    return uploads.preview(
        spec.sheet,
        request.files.get("file"),
        lambda table: spec.validate(table, officials.import_context(cycle)),
        lambda rows: [spec.cells(row) for row in rows],
        back=_back(kind, cycle),
        confirm_url=url_for("inspect.confirm"),
        meta={"cycle": cycle.year},
        guard=lambda: officials.check_open_for_entries(cycle, officials.Amendment()),
    )


def _imported(kind: str, cycle, rows) -> str:
    current_app.logger.info("%s imported %d %s rows into %d", current_user.username, len(rows), kind, cycle.year)
    return _("导入完成:%(n)d 行已写入。", n=len(rows))


@bp.post("/import/confirm")
@roles(*EDITORS)
def confirm():
    kept = uploads.take(*KINDS)
    if kept is None:
        return uploads.expired(url_for("inspect.findings"))
    spec, cycle = KINDS[kept.kind], cycle_by_year(kept.meta["cycle"])
    return uploads.confirm(
        spec.sheet,
        kept,
        lambda table: spec.validate(table, officials.import_context(cycle)),
        lambda rows: spec.write(actor(), cycle, rows),
        lambda rows, _result: _imported(kept.kind, cycle, rows),
        back=_back(kept.kind, cycle),
    )
