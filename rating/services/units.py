"""Use cases on units (单位)."""

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.imports.reader import ImportFailed, RowError
from rating.imports.units import UnitRow
from rating.models.units import Unit, UnitKind
from rating.services import audit, stations
from rating.services.errors import InvalidInput

_PREFIX = {"municipal": "M", "provincial": "P", "window": "W", "station": "S", "county": "C"}


def snapshot(unit: Unit) -> dict:
    return {
        "code": unit.code,
        "name": unit.name,
        "kind": str(unit.kind),
        "parent": unit.parent.code if unit.parent else None,
        "head": unit.head,
    }


def _free_code(kind: str) -> str:
    taken = set(db.session.scalars(select(Unit.code)))
    number = 1
    while f"{_PREFIX[kind]}{number:02d}" in taken:
        number += 1
    return f"{_PREFIX[kind]}{number:02d}"


def upsert_unit(
    actor: audit.Actor,
    *,
    name: str,
    kind: str,
    code: str | None = None,
    parent: Unit | None = None,
    head: str | None = None,
):
    """Create the unit, or bring an existing one (found by code, else by name) in line; a station gets its rating
    desk. Returns (unit, changed)."""
    unit = None
    if code:
        unit = db.session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        unit = db.session.scalar(select(Unit).where(Unit.name == name))
    if unit is None:
        unit = Unit(code=code or _free_code(kind), name=name, kind=UnitKind(kind), parent=parent, head=head or "")
        db.session.add(unit)
        db.session.flush()
        audit.record(actor, "unit.create", "unit", unit.id, after=snapshot(unit))
        stations.ensure_desk(actor, unit)
        return unit, True
    before = snapshot(unit)
    if unit.kind != kind and code is None:
        raise InvalidInput(_("单位“%(name)s”已登记为其他类别", name=name))
    unit.name, unit.kind = name, UnitKind(kind)
    if parent is not None:
        unit.parent = parent
    if head is not None:
        unit.head = head
    after = snapshot(unit)
    stations.ensure_desk(actor, unit)
    if after != before:
        db.session.flush()
        audit.record(actor, "unit.update", "unit", unit.id, before=before, after=after)
        return unit, True
    return unit, False


def import_units(actor: audit.Actor, rows: list[UnitRow]) -> str:
    """Upsert every row by code (``import-units``); the caller commits. Returns a summary."""
    taken = dict(db.session.execute(select(Unit.name, Unit.code)).all())
    clashes = [
        RowError(row.line, _("单位名称“%(name)s”已被单位 %(code)s 使用", name=row.name, code=taken[row.name]))
        for row in rows
        if taken.get(row.name, row.code) != row.code
    ]
    if clashes:
        raise ImportFailed(clashes)
    changed = 0
    for row in rows:
        changed += upsert_unit(actor, name=row.name, kind=row.kind, code=row.code, head=row.head)[1]
    return _("%(n)d 个单位有新增或变更。", n=changed)
