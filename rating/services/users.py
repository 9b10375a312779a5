"""Use cases on back-office users: create, authenticate."""

import re

from flask_babel import gettext as _
from sqlalchemy import select

from rating.extensions import db
from rating.models.units import Unit
from rating.models.users import Role, User
from rating.security import hash_password, password_needs_rehash, verify_password
from rating.services import audit
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
) -> User:
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInput(_("用户名须为 3–50 位小写字母、数字、点、下划线或连字符"))
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput(_("未知角色:%(role)s", role=role)) from None
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(_("密码至少 %(n)d 位", n=MIN_PASSWORD))
    email = clean_email(email)
    unit = None
    if unit_code:
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise InvalidInput(_("单位编号 %(code)s 不存在", code=unit_code))
    if role.unit_bound and unit is None:
        raise InvalidInput(_("人事科和单位窗口人员必须绑定一个单位(--unit)"))
    if not role.unit_bound and unit is not None:
        raise InvalidInput(_("此角色不绑定单位"))
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise Conflict(_("用户名 %(name)s 已存在", name=username))
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password),
        role=role,
        unit=unit,
        email=email,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id, after=snapshot(user))
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
