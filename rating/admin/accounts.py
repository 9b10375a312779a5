"""Account security in the back office (账号安全): one user's sign-in state, and the office's actions on it (end
every session, unlock after failed attempts, reset the second factor); the Open311 API keys, listed and revoked.
Administrators act; the auditor (纪委) reads."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from rating.admin import bp
from rating.admin.forms import PasswordForm, RoleForm
from rating.extensions import db
from rating.forms import EmptyForm
from rating.labels import ROLE_LABELS
from rating.labels.complaints import centre_name, county_centre_name
from rating.models.units import Unit
from rating.models.users import ApiKey, Role, User
from rating.security import roles
from rating.services import api_keys, second_factor, signin, users
from rating.services.complaints import centres
from rating.views import actor, apply_form

READERS = (Role.ADMIN, Role.AUDITOR)


@bp.get("/users/<int:user_id>")
@roles(*READERS)
def user(user_id: int):
    account = db.get_or_404(User, user_id)
    role_form = _role_form()
    role_form.role.data, role_form.unit.data = account.role.value, account.unit.code if account.unit else ""
    role_form.centre.data = account.centre.code if account.centre else ""
    return render_template(
        "admin/user.html",
        account=account,
        locked_until=signin.locked_until(account),
        codes_left=second_factor.recovery_codes_left(account),
        needs_second_factor=second_factor.required(account),
        form=EmptyForm(),
        role_form=role_form,
        password_form=PasswordForm(),
        can_act=current_user.role == Role.ADMIN,
        centre_name=centre_name,
    )


def _role_form() -> RoleForm:
    form = RoleForm()
    form.role.choices = [SelectChoice(role.value, str(ROLE_LABELS[role])) for role in Role]
    form.unit.choices = [SelectChoice("", "—")] + [
        SelectChoice(u.code, f"{u.code} {u.name}") for u in db.session.scalars(select(Unit).order_by(Unit.code))
    ]
    form.centre.choices = centre_choices()
    return form


def centre_choices() -> list[SelectChoice]:
    """The complaint centres a handler may belong to (the city's and each county's); empty for the other roles."""
    return [SelectChoice("", "—")] + [
        SelectChoice(code, county_centre_name(county and county.name)) for code, county in centres.choices()
    ]


def _act(user_id: int, change, done: str):
    account = db.get_or_404(User, user_id)
    return apply_form(EmptyForm(), lambda: change(account), done, url_for("admin.user", user_id=account.id))


@bp.post("/users/<int:user_id>/end-sessions")
@roles(Role.ADMIN)
def end_user_sessions(user_id: int):
    return _act(user_id, lambda a: signin.end_sessions(actor(), a, "admin"), _("该用户的所有会话已结束。"))


@bp.post("/users/<int:user_id>/role")
@roles(Role.ADMIN)
def change_user_role(user_id: int):
    """A new role (and unit, or a handler's centre) for the user; their sessions end, so the old rights end with
    them."""
    account = db.get_or_404(User, user_id)
    form = _role_form()
    return apply_form(
        form,
        lambda: users.change_role(actor(), account, form.role.data, form.unit.data or None, form.centre.data or None),
        _("角色已更改,该用户须重新登录。"),
        url_for("admin.user", user_id=account.id),
    )


@bp.post("/users/<int:user_id>/password")
@roles(Role.ADMIN)
def set_user_password(user_id: int):
    """A new password the administrator hands over (the user forgot theirs); their sessions end."""
    account = db.get_or_404(User, user_id)
    form = PasswordForm()
    return apply_form(
        form,
        lambda: users.set_password(actor(), account, form.password.data),
        _("密码已重置,该用户的所有会话已结束。"),
        url_for("admin.user", user_id=account.id),
    )


@bp.post("/users/<int:user_id>/unlock")
@roles(Role.ADMIN)
def unlock_user(user_id: int):
    return _act(user_id, lambda a: signin.unlock(actor(), a), _("账号已解锁。"))


@bp.post("/users/<int:user_id>/reset-second-factor")
@roles(Role.ADMIN)
def reset_second_factor(user_id: int):
    done = _("双因素认证已重置,该用户下次登录时须重新启用。")
    return _act(user_id, lambda a: second_factor.reset(actor(), a), done)


@bp.get("/api-keys")
@roles(*READERS)
def api_key_list():
    return render_template(
        "admin/api_keys.html", keys=api_keys.listing(), form=EmptyForm(), can_act=current_user.role == Role.ADMIN
    )


@bp.post("/api-keys/<int:key_id>/revoke")
@roles(Role.ADMIN)
def revoke_api_key(key_id: int):
    record = db.get_or_404(ApiKey, key_id)
    done = _("密钥 %(name)s 已吊销。", name=record.name)
    return apply_form(EmptyForm(), lambda: api_keys.revoke(actor(), record), done, url_for("admin.api_key_list"))
