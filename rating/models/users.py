"""Back-office users and their roles (SPEC §1). Citizens are anonymous and have no account."""

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rating.models.base import Base, UTCDateTime, enum_type, utcnow
from rating.models.centres import ComplaintCentre
from rating.models.units import Unit


class Role(enum.StrEnum):
    UNIT_STAFF = "unit_staff"  #: 单位窗口工作人员: prints rating codes for its own posts
    HR_OFFICER = "hr_officer"  #: 人事科: annual assessments of its own unit's posts
    INSPECTOR = "inspector"  #: 效能办督查组: inspections and inspection scores
    COMPLAINT_HANDLER = "complaint_handler"  #: 投诉中心
    ADMIN = "admin"  #: 效能办
    #: 纪委 (discipline commission): reads everything, records measures in the accountability ledger, changes nothing
    #: else. The stored value stays ``auditor`` so existing accounts and logins keep working.
    AUDITOR = "auditor"

    @property
    def unit_bound(self) -> bool:
        return self in (Role.UNIT_STAFF, Role.HR_OFFICER)


class User(UserMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role NOT IN ('unit_staff', 'hr_officer') OR unit_id IS NOT NULL", name="unit_bound_roles_have_unit"
        ),
        CheckConstraint("role != 'complaint_handler' OR centre_id IS NOT NULL", name="handlers_have_centre"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    #: For overdue-complaint reminders by email; optional.
    email: Mapped[str | None] = mapped_column(String(254))
    #: argon2id hash; never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_type(Role, "user_role"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    #: A complaint handler's centre (投诉中心): the handler works that centre's cases only.
    centre_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_centres.id", ondelete="RESTRICT"))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Every session carries the version it was signed in under; raising it (logout, a new password, a role
    #: change, a second-factor reset, an administrator's "end sessions") ends every session of the user at once.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    #: Consecutive failed sign-ins (password or second factor); from the fifth the account waits, doubling.
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The TOTP secret (base32); None until the user has enrolled a second factor.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: The last TOTP time step accepted, so one code signs in once.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    unit: Mapped[Unit | None] = relationship()
    centre: Mapped[ComplaintCentre | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled accounts
        return self.is_enabled

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class RecoveryCode(Base):
    """A one-time recovery code (恢复码) of a user's second factor, stored as its SHA-256 only."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """A key the office issues to a partner system for the Open311 POST (GeoReport v2 ``api_key``); only its
    SHA-256 is kept, and the first characters so that a list can tell keys apart."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: A revoked key is kept (its requests stay attributable) and refused.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
