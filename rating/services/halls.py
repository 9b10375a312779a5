"""Service halls (办事大厅): networks the office registers, by unit, where many honest citizens share one Wi-Fi, so
that the allowance there is per device, post and day (rating.services.sources). Called by the back office."""

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.sources import ServiceHall
from rating.models.units import Unit
from rating.scoring.sources import normalise_prefix
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput


def _snapshot(hall: ServiceHall) -> dict:
    return {"unit": hall.unit_id, "name": hall.name, "prefix": hall.prefix, "active": hall.active}


def register(actor: audit.Actor, unit: Unit, name: str, network: str) -> ServiceHall:
    """Register a hall's network (an address or CIDR, stored as its /24 or /64 source prefix); audited."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("请填写办事大厅名称(100 字以内)。"))
    try:
        prefix = normalise_prefix(network or "")
    except ValueError:
        raise InvalidInput(_("网络地址无效,请填写如 203.0.113.0/24 的网段。")) from None
    hall = db.session.scalar(select(ServiceHall).where(ServiceHall.prefix == prefix))
    if hall is not None and hall.active:
        raise Conflict(_("网段 %(prefix)s 已登记为办事大厅。", prefix=prefix))
    before = _snapshot(hall) if hall else None
    if hall is None:
        hall = ServiceHall(prefix=prefix, created_by=actor.name)
        db.session.add(hall)
    hall.unit_id, hall.name, hall.active = unit.id, name, True
    db.session.flush()
    audit.record(actor, "hall.register", "service_hall", hall.id, before=before, after=_snapshot(hall))
    return hall


def retire(actor: audit.Actor, hall: ServiceHall) -> None:
    """The network is no longer a service hall: its ratings are again counted per network; audited."""
    if not hall.active:
        raise Conflict(_("该办事大厅网段已停用。"))
    before = _snapshot(hall)
    hall.active = False
    db.session.flush()
    audit.record(actor, "hall.retire", "service_hall", hall.id, before=before, after=_snapshot(hall))


def all_halls() -> list[ServiceHall]:
    return db.session.scalars(select(ServiceHall).order_by(ServiceHall.active.desc(), ServiceHall.prefix)).all()
