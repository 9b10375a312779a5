"""HR offices (人事科) enter annual assessments (年度考核) for their own unit's posts: a grid, or a spreadsheet
downloaded prefilled and uploaded back through a preview."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from rating import uploads
from rating.auth.forms import EmptyForm
from rating.exports import xlsx_response
from rating.extensions import db
from rating.imports import officials as rows_
from rating.imports.reader import ImportFailed, read_table
from rating.models.assessments import Assessment
from rating.models.units import Unit
from rating.models.users import Role
from rating.security import roles
from rating.services import officials
from rating.services.cycles import cycle_by_year
from rating.services.directory import posts_query, units_with_posts
from rating.services.errors import DomainError
from rating.views import actor, all_cycles, grid_table, requested_cycle, requested_unit, uploaded_table

bp = Blueprint("hr", __name__)

EDITORS = (Role.HR_OFFICER, Role.ADMIN)
READERS = (*EDITORS, Role.AUDITOR)
GRADE_LABELS = {"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职", "incompetent": "不称职"}


def _value(assessment: Assessment | None) -> str:
    if assessment is None:
        return ""
    if assessment.grade:
        return GRADE_LABELS[assessment.grade]
    return f"{assessment.score:g}"


def _grid_rows(cycle, unit):
    posts = db.session.scalars(posts_query(unit_id=unit.id)).all()
    assessed = {
        a.post_id: a
        for a in db.session.scalars(
            select(Assessment).where(Assessment.cycle_id == cycle.id, Assessment.post_id.in_([p.id for p in posts]))
        )
    }
    return [(post, _value(assessed.get(post.id))) for post in posts]


def _amendment() -> officials.Amendment:
    return officials.Amendment(current_user.role == Role.ADMIN, request.form.get("reason", ""))


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
            grade_labels=GRADE_LABELS.values(),
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
        rows = rows_.validate_assessments(table, officials.import_context(cycle, only_unit_id=unit.id))
        counts = officials.record_assessments(actor(), cycle, rows, _amendment())
    except ImportFailed as exc:
        db.session.rollback()
        return _render_grid(cycle, unit, {codes.get(e.line, ""): e.message for e in exc.errors}, 422)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_grid(cycle, unit, status=exc.status_code)
    db.session.commit()
    flash(_("已保存:新录入 %(c)d 个,修改 %(u)d 个。", c=counts["created"], u=counts["changed"]), "success")
    return redirect(url_for("hr.grid", cycle=cycle.year, unit=unit.code))


@bp.get("/template.xlsx")
@roles(*READERS)
def template():
    cycle, unit = requested_cycle(), requested_unit()
    rows = [
        (post.code, value, post.title, post.holder_name or "", unit.name) for post, value in _grid_rows(cycle, unit)
    ]
    notes = [
        _("grade_or_score 列填写:优秀、称职、基本称职、不称职,或 0–100 的分数。"),
        _("title、holder、unit 三列仅供核对,导入时不读取。不要修改 post_code。"),
    ]
    return xlsx_response(
        f"assessments-{cycle.year}-{unit.code}.xlsx",
        [*rows_.ASSESSMENT_COLUMNS, "title", "holder", "unit"],
        rows,
        notes,
    )


@bp.post("/import")
@roles(*EDITORS)
def upload():
    cycle, unit = requested_cycle(), requested_unit()
    if not EmptyForm().validate_on_submit():
        return _render_grid(cycle, unit, status=400)
    try:
        officials.check_open_for_entries(cycle, officials.Amendment())
        data, filename, table = uploaded_table(
            request.files.get("file"), rows_.ASSESSMENT_COLUMNS, rows_.ASSESSMENT_INFO_COLUMNS
        )
        rows = rows_.validate_assessments(table, officials.import_context(cycle, only_unit_id=unit.id))
    except ImportFailed as exc:
        return render_template(
            "imports/errors.html", errors=exc.errors, back=url_for("hr.grid", cycle=cycle.year, unit=unit.code)
        ), 422
    except DomainError as exc:
        flash(str(exc), "error")
        return redirect(url_for("hr.grid", cycle=cycle.year, unit=unit.code))
    current = dict((post.code, value) for post, value in _grid_rows(cycle, unit))
    preview = [
        (row.line, row.code, current.get(row.code, ""), GRADE_LABELS.get(row.grade) or f"{row.score:g}") for row in rows
    ]
    token = uploads.keep(data, filename, kind="assessments", cycle=cycle.year, unit=unit.code)
    return render_template(
        "imports/preview.html",
        title=_("年度考核导入预览"),
        header=[_("行"), _("岗位编号"), _("原结果"), _("新结果")],
        rows=preview,
        token=token,
        confirm_url=url_for("hr.confirm"),
        back=url_for("hr.grid", cycle=cycle.year, unit=unit.code),
        form=EmptyForm(),
    )


@bp.post("/import/confirm")
@roles(*EDITORS)
def confirm():
    kept = uploads.take(request.form.get("token", "")) if EmptyForm().validate_on_submit() else None
    if kept is None or kept.meta.get("kind") != "assessments":
        flash(_("上传的文件已过期,请重新上传。"), "error")
        return redirect(url_for("hr.grid"))
    cycle = cycle_by_year(kept.meta["cycle"])
    unit = current_user.unit if current_user.role.unit_bound else None
    unit_code = unit.code if unit else kept.meta["unit"]
    back = url_for("hr.grid", cycle=cycle.year, unit=unit_code)
    try:
        table = read_table(kept.data, kept.filename, rows_.ASSESSMENT_COLUMNS, rows_.ASSESSMENT_INFO_COLUMNS)
        only_unit = db.session.scalar(select(Unit.id).where(Unit.code == unit_code))
        rows = rows_.validate_assessments(table, officials.import_context(cycle, only_unit_id=only_unit))
        counts = officials.record_assessments(actor(), cycle, rows)
    except ImportFailed as exc:
        db.session.rollback()
        return render_template("imports/errors.html", errors=exc.errors, back=back), 422
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(back)
    db.session.commit()
    flash(
        _(
            "导入完成:新录入 %(c)d 个,修改 %(u)d 个,未变 %(n)d 个。",
            c=counts["created"],
            u=counts["changed"],
            n=counts["unchanged"],
        ),
        "success",
    )
    return redirect(back)
