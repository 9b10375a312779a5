"""Grassroots stations' rating desks (站所评价): a station is rated through a post that stands for the station as a
whole (``Post.rates_unit``), so the posts' form, one-time codes, source allowance, moderation and bad-review
follow-ups apply to stations unchanged. Called when a station unit is created or changed, and by the demo.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.imports.officials import Target
from rating.models.posts import Post
from rating.models.units import Unit, UnitKind
from rating.services import audit
from rating.services.errors import Conflict


def desk_of(unit: Unit) -> Post | None:
    return db.session.scalar(select(Post).where(Post.unit_id == unit.id, Post.rates_unit.is_(True)))


def ensure_desk(actor: audit.Actor, unit: Unit) -> Post | None:
    """A station's rating desk, created on first need with the station's code (its QR cards and URL say the
    station's code); None for a unit that is not a station."""
    if unit.kind != UnitKind.STATION:
        return None
    desk = desk_of(unit)
    if desk is not None:
        desk.title = _title(unit)
        return desk
    if db.session.scalar(select(Post.id).where(Post.code == unit.code)):
        raise Conflict(_("编号 %(code)s 已被一个岗位使用,基层站所须另取编号。", code=unit.code))
    desk = Post(code=unit.code, unit=unit, title=_title(unit), rates_unit=True, active=True)
    db.session.add(desk)
    db.session.flush()
    audit.record(actor, "station.desk", "post", desk.id, post_id=desk.id, after={"unit": unit.code})
    return desk


def _title(unit: Unit) -> str:
    return unit.name[:100]


def desks() -> dict[str, Target]:
    """Every active station's rating desk by the station's code (for ``import-station-ratings``)."""
    rows = db.session.execute(
        select(Unit.code, Post.id, Post.unit_id).join(Post, Post.unit_id == Unit.id).where(Post.rates_unit.is_(True))
    )
    return {code: Target(post_id, unit_id) for code, post_id, unit_id in rows}


def station_or_none(code: str) -> tuple[Unit, Post] | None:
    """The station with this code and its desk (the rating page /units/<code>/rate)."""
    row = db.session.execute(
        select(Unit, Post)
        .join(Post, Post.unit_id == Unit.id)
        .where(Unit.code == code.upper(), Post.rates_unit.is_(True), Post.active.is_(True))
    ).first()
    return (row[0], row[1]) if row else None
