"""Units in the back office (单位): the list with each unit's principal leader (主要负责人), and its edit form.
Administrators change them; auditors read. Changes go through rating.services.units and are audited."""

from flask import abort, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from rating.admin import bp
from rating.extensions import db
from rating.labels import UNIT_KIND_LABELS
from rating.models.units import Unit
from rating.models.users import Role
from rating.security import roles
from rating.services.units import upsert_unit
from rating.views import actor, apply_change

READERS = (Role.ADMIN, Role.AUDITOR)


class UnitForm(FlaskForm):
    name = StringField(_l("单位名称"), validators=[DataRequired(), Length(max=100)])
    head = StringField(_l("主要负责人"), validators=[Length(max=50)])


def _unit_or_404(code: str) -> Unit:
    unit = db.session.scalar(select(Unit).where(Unit.code == code.upper()[:20]))
    if unit is None:
        abort(404)
    return unit


@bp.get("/units")
@roles(*READERS)
def units():
    rows = db.session.scalars(select(Unit).order_by(Unit.kind, Unit.code)).all()
    return render_template("admin/units.html", units=rows, kinds=UNIT_KIND_LABELS)


def _edit_page(unit: Unit, form: UnitForm, status: int = 200):
    return render_template("admin/unit_edit.html", unit=unit, form=form, kinds=UNIT_KIND_LABELS), status


@bp.get("/units/<code>")
@roles(*READERS)
def unit_edit(code: str):
    unit = _unit_or_404(code)
    return _edit_page(unit, UnitForm(obj=unit))


@bp.post("/units/<code>")
@roles(Role.ADMIN)
def unit_save(code: str):
    unit = _unit_or_404(code)
    form = UnitForm()
    if not form.validate_on_submit():
        return _edit_page(unit, form, 422)
    return apply_change(
        lambda: upsert_unit(
            actor(), name=form.name.data.strip(), kind=str(unit.kind), code=unit.code, head=form.head.data.strip()
        ),
        _("单位信息已保存。"),
        url_for("admin.units"),
        page=lambda status: _edit_page(unit, form, status),
    )
