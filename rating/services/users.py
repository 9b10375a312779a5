"""Use cases on back-office users: create, authenticate."""

import re

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.centres import ComplaintCentre
from rating.models.units import Unit
from rating.models.users import Role, User
from rating.security import hash_password, password_needs_rehash, verify_password
from rating.services import audit, signin
from rating.services.complaints.centres import centre_by_code, city_centre
from rating.services.errors import Conflict, InvalidInput

USERNAME = re.compile(r"^[a-z0-9_.-]{3,50}$")
MIN_PASSWORD = 10
#: Loose on purpose: one @, a dot somewhere after it, no spaces. The mail server has the last word.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL = 254
#: A hash to verify against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = hash_password("not-a-real-password")


def snapshot(user: User) -> dict:
    return {
        "username": user.username,
        "display_name": user.display_name,
        "role": str(user.role),
        "unit": user.unit.code if user.unit else None,
        "centre": user.centre.code if user.centre else None,
        "enabled": user.is_enabled,
        "email": user.email,
    }


def clean_email(email: str | None) -> str | None:
    """The address stripped, or None when empty; refuses what is plainly not an address."""
    email = (email or "").strip()
    if not email:
        return None
    if len(email) > MAX_EMAIL or not EMAIL.match(email):
        raise InvalidInput(_("邮箱地址“%(email)s”无效", email=email[:60]))
    return email


def create_user(
    actor: audit.Actor,
    *,
    username: str,
    password: str,
    role: str,
    unit_code: str | None = None,
    display_name="",
    email: str | None = None,
    centre_code: str | None = None,
) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(_("用户名须为 3–50 位小写字母、数字、点、下划线或连字符"))
    role, unit = _role_and_unit(role, unit_code)
    centre = _centre(role, centre_code)
    _check_password(password)
    email = clean_email(email)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(_("用户名 %(name)s 已存在", name=username))
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        unit=unit,
        centre=centre,
        email=email,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, after=snapshot(user))
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(_("密码至少 %(n)d 位", n=MIN_PASSWORD))


def _role_and_unit(role: str, unit_code: str | None) -> tuple[Role, Unit | None]:
    """The role and the unit it is bound to, checked: HR officers and unit staff need a unit, the others none."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(_("未知角色:%(role)s", role=role)) from None
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise InvalidInput(_("单位编号 %(code)s 不存在", code=unit_code))
    if role.unit_bound and unit is None:
        raise InvalidInput(_("人事科和单位窗口人员必须绑定一个单位(--unit)"))
    if not role.unit_bound and unit is not None:
        raise InvalidInput(_("此角色不绑定单位"))
    return role, unit


def _centre(role: Role, centre_code: str | None) -> ComplaintCentre | None:
    """A complaint handler's centre (the city's unless another is named); the other roles belong to none."""
    if role != Role.COMPLAINT_HANDLER:
        if centre_code:
            raise InvalidInput(_("只有投诉中心工作人员属于某个投诉中心"))
        return None
    return centre_by_code(centre_code) if centre_code else city_centre()


def change_role(
    actor: audit.Actor, user: User, role: str, unit_code: str | None = None, centre_code: str | None = None
) -> User:
    """Give ``user`` another role (and unit, or a handler's centre); every session of theirs ends, so the old rights
    (and the old centre's cases) go with it. Audited; flushes."""
    role, unit = _role_and_unit(role, unit_code)
    centre = _centre(role, centre_code)
    if (user.role, user.unit, user.centre) == (role, unit, centre):
        return user
    before = snapshot(user)
    user.role, user.unit, user.centre = role, unit, centre
    db.session.flush()
    audit.record(actor, "user.role", "user", user.id, before=before, after=snapshot(user))
    signin.end_sessions(actor, user, "role")
    return user


def set_password(actor: audit.Actor, user: User, password: str) -> User:
    """A new password for ``user``; every session of theirs ends (a stolen cookie dies with the old password).
    Audited without the password; flushes."""
    _check_password(password)
    user.password_hash = hash_password(password)
    audit.record(actor, "user.password", "user", user.id, after={"username": user.username})
    signin.end_sessions(actor, user, "password")
    return user


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == (username or "").strip().lower()))


def authenticate(username: str, password: str) -> User | None:
    """The user if the password is right and the account enabled; upgrades old hashes on the way."""
    user = find_user(username)
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if not verify_password(user.password_hash, password) or not user.is_enabled:
        return None
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
