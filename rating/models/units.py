"""Units (单位): the departments, agencies, service windows, stations and counties that own key posts."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow


class UnitKind(enum.StrEnum):
    MUNICIPAL = "municipal"  #: 市直部门
    PROVINCIAL = "provincial"  #: 驻市省属机关
    WINDOW = "window"  #: 窗口服务单位
    STATION = "station"  #: 基层站所
    COUNTY = "county"  #: 县区


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Short stable code used in imports, URLs and user bindings (e.g. ``M05``).
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[UnitKind] = mapped_column(enum_type(UnitKind, "unit_kind"))
    #: A station belongs to its county, a service hall window to its department.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    #: 主要负责人: the unit's principal leader, named when the unit is last two years running.
    head: Mapped[str] = mapped_column(String(50), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id])

    def __repr__(self) -> str:
        return f"<Unit {self.code} {self.name}>"
