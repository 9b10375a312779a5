"""Which complaint centre (投诉中心) serves a unit, the one routing rule: a county (县区) and its stations (基层站所)
go to that county's centre; municipal, provincial and window units (and a station without a county) to the city's
centre (市投诉中心). Cases take their centre at intake (``file_complaint``, every channel and the imports) and move
with a referral to a unit of another centre. Centres are made the first time they are needed, so a county added
later has its centre as soon as a case or a handler needs it."""

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.centres import CITY_CENTRE, ComplaintCentre
from rating.models.units import Unit, UnitKind
from rating.services.errors import InvalidInput


def serving_county(unit: Unit) -> Unit | None:
    """The county whose centre serves ``unit``, or None for the city's centre."""
    if unit.kind == UnitKind.COUNTY:
        return unit
    if unit.kind == UnitKind.STATION and unit.parent is not None and unit.parent.kind == UnitKind.COUNTY:
        return unit.parent
    return None


def _centre_of(county: Unit | None) -> ComplaintCentre:
    """The centre of ``county`` (None: the city's), made if missing; flushes when it makes one."""
    where = ComplaintCentre.county_id.is_(None) if county is None else ComplaintCentre.county_id == county.id
    centre = db.session.scalar(select(ComplaintCentre).where(where))
    if centre is None:
        centre = ComplaintCentre(code=CITY_CENTRE if county is None else county.code, county=county)
        db.session.add(centre)
        db.session.flush()
    return centre


def centre_for(unit: Unit) -> ComplaintCentre:
    """The centre that works the cases about ``unit``."""
    return _centre_of(serving_county(unit))


def city_centre() -> ComplaintCentre:
    return _centre_of(None)


def centre_by_code(code: str) -> ComplaintCentre:
    """``CITY`` or a county's unit code, as the back office's choices and the demo's users name a centre."""
    code = (code or "").strip().upper()
    if code == CITY_CENTRE:
        return city_centre()
    county = db.session.scalar(select(Unit).where(Unit.code == code, Unit.kind == UnitKind.COUNTY))
    if county is None:
        raise InvalidInput(_("投诉中心“%(code)s”不存在", code=code[:20]))
    return _centre_of(county)


def ensure_all() -> list[ComplaintCentre]:
    """The city's centre and one per county, made where missing (the demo loader and the migration's backfill)."""
    counties = db.session.scalars(select(Unit).where(Unit.kind == UnitKind.COUNTY).order_by(Unit.code)).all()
    return [city_centre(), *(_centre_of(county) for county in counties)]


def choices() -> list[tuple[str, Unit | None]]:
    """Every centre a handler may belong to, made or not yet: (code, county) with the city's first. Reads only."""
    counties = db.session.scalars(select(Unit).where(Unit.kind == UnitKind.COUNTY).order_by(Unit.code)).all()
    return [(CITY_CENTRE, None), *((county.code, county) for county in counties)]
