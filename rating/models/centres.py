"""Complaint centres (投诉中心): the city's centre (市投诉中心), which takes in the cases about municipal, provincial
and window units, and one centre per county (县区投诉中心) for the county and its stations. Which centre serves a
unit is decided in one place, rating.services.complaints.centres; a complaint handler belongs to one centre and
works only its cases (rating.services.complaints.access)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, utcnow
from rating.models.units import Unit

#: The code of the city's centre; a county's centre has its county's unit code.
CITY_CENTRE = "CITY"


class ComplaintCentre(Base):
    __tablename__ = "complaint_centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``CITY`` for the city's centre, else the county's unit code (kept when the county is renamed).
    code: Mapped[str] = mapped_column(String(20), unique=True)
    #: The county a county centre serves; empty for the city's centre.
    county_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    county: Mapped[Unit | None] = relationship()

    @property
    def is_city(self) -> bool:
        return self.county_id is None

    def __repr__(self) -> str:
        return f"<ComplaintCentre {self.code}>"
