"""Key posts (关键岗位), the civil servants who hold them (岗位责任人) and their tenures (任职记录).

Every rating, finding and score records the holder at the time, so a transfer never moves a verdict from one person
to another; that is why the holder is a tenure with dates rather than a column on the post.
"""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, utcnow
from rating.models.units import Unit


def split_lines(value: str) -> list[str]:
    return [line for line in value.splitlines() if line.strip()]


class Holder(Base):
    """A civil servant who holds (or held) a key post. Demo holders are invented people."""

    __tablename__ = "holders"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Holder {self.id} {self.name}>"


class Post(Base):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Public code printed on QR cards and in the newspaper list, e.g. ``DT-001``.
    code: Mapped[str] = mapped_column(String(20), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(100))
    #: 岗位职责, one duty per line.
    responsibilities: Mapped[str] = mapped_column(Text, default="")
    #: 服务承诺, one commitment per line (time limits, fees, one-time notification…).
    commitments: Mapped[str] = mapped_column(Text, default="")
    #: An inactive post is kept with its history but no longer listed or rated.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    #: A station's rating desk (站所评价): it stands for the station as a whole, has no holder and no verdict line;
    #: citizens rate the station through it with the posts' form, codes, limits and moderation.
    rates_unit: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    unit: Mapped[Unit] = relationship()
    tenures: Mapped[list["Tenure"]] = relationship(
        back_populates="post", order_by="Tenure.started_on.desc().nulls_last()", cascade="save-update"
    )

    #: The tenure with no end date, if any (at most one, by a unique index).
    current_tenure: Mapped["Tenure | None"] = relationship(
        primaryjoin="and_(Tenure.post_id == Post.id, Tenure.ended_on.is_(None))", viewonly=True, uselist=False
    )

    @property
    def holder_name(self) -> str | None:
        return self.current_tenure.holder.name if self.current_tenure else None

    @property
    def responsibility_lines(self) -> list[str]:
        return split_lines(self.responsibilities)

    @property
    def commitment_lines(self) -> list[str]:
        return split_lines(self.commitments)

    def __repr__(self) -> str:
        return f"<Post {self.code} {self.title}>"


class Tenure(Base):
    """A holder in a post from one date to another; ``ended_on`` is empty for the current holder."""

    __tablename__ = "tenures"
    __table_args__ = (
        CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="dates_in_order"),
        # At most one current holder per post, enforced by the database on both engines.
        Index(
            "uq_tenures_current_post",
            "post_id",
            unique=True,
            sqlite_where=text("ended_on IS NULL"),
            postgresql_where=text("ended_on IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="RESTRICT"), index=True)
    holder_id: Mapped[int] = mapped_column(ForeignKey("holders.id", ondelete="RESTRICT"), index=True)
    #: Empty for a post's first holder imported without a date: in post from the beginning.
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)

    post: Mapped[Post] = relationship(back_populates="tenures")
    holder: Mapped[Holder] = relationship()

    @property
    def is_current(self) -> bool:
        return self.ended_on is None
