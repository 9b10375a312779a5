"""Signing in and out of the back office: password, then (for the roles that need it) the second factor.

A right password alone signs nobody in who needs a second factor: it opens a pending sign-in, kept in the session
for five minutes, that the code page (or, the first time, the enrolment page) completes. Failed passwords and codes
count against the account (``services.signin``) and, per address and account name, against the rate limit.
"""

import time

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_user, logout_user

from rating.auth.forms import CodeForm, LoginForm
from rating.extensions import db, limiter
from rating.forms import EmptyForm
from rating.models.users import User
from rating.security import STAFF, public, roles, safe_next
from rating.services import audit, second_factor, signin
from rating.services.users import authenticate, find_user

bp = Blueprint("auth", __name__)

PENDING = "pending_sign_in"
PENDING_SECONDS = 300


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _address_and_account() -> str:
    """Failures are limited per address *and* account name: colleagues behind one office NAT never share a limit."""
    name = request.form.get("username") or str(session.get(PENDING, {}).get("user_id", ""))
    return f"{get_remote_address()}|{name.strip().lower()[:50]}"


def _failed(response) -> bool:
    """Only failed attempts use up the limit; a right password or code is never refused because of others."""
    return response.status_code != 302


throttled = limiter.limit(_login_limit, methods=["POST"], key_func=_address_and_account, deduct_when=_failed)


def _locked(form, until, template="auth/login.html", **context):
    message = _("失败次数过多,账号已暂时锁定,请于 %(when)s 之后再试,或请管理员解锁。", when=format_datetime(until))
    flash(message, "error")
    return render_template(template, form=form, **context), 429


@bp.route("/login", methods=["GET", "POST"])
@public
@throttled
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    known = find_user(form.username.data)
    if known is not None and (until := signin.locked_until(known)):
        return _locked(form, until)
    user = authenticate(form.username.data, form.password.data)
    if user is None:
        until = signin.record_failure(known) if known is not None else None
        db.session.commit()
        if until:
            return _locked(form, until)
        flash(_("用户名或密码不正确。"), "error")
        return render_template("auth/login.html", form=form), 200
    if not second_factor.required(user):
        return _finish(user, request.args.get("next"))
    _keep_language(lambda: session.update({PENDING: _pending(user)}))
    db.session.commit()
    return redirect(url_for("auth.code" if user.totp_secret else "auth.enrol"))


def _pending(user: User) -> dict:
    return {"user_id": user.id, "version": user.session_version, "at": time.time(), "next": request.args.get("next")}


def _pending_user() -> User | None:
    """The user whose password was right a moment ago, if the sign-in is still pending (five minutes)."""
    pending = session.get(PENDING)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending["user_id"])
    return user if user is not None and user.is_active and user.session_version == pending["version"] else None


def _keep_language(then) -> None:
    """A fresh session (no fixation) that keeps the reader's language. A CSRF token cached for this app context
    belonged to the old session, so it goes too."""
    lang = session.get("lang")
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if lang:
        session["lang"] = lang
    then()


def _finish(user: User, target: str | None):
    """Sign ``user`` in: a fresh session carrying the user's session version."""
    _keep_language(lambda: login_user(user))
    session["session_version"] = user.session_version
    signin.record_success(user)
    audit.record(audit.Actor.of(user), "user.login", "user", user.id)
    db.session.commit()
    return redirect(safe_next(target, url_for("admin.index")))


@bp.route("/login/code", methods=["GET", "POST"])
@public
@throttled
def code():
    """二次验证: a code of the authenticator app, or one of the recovery codes."""
    user = _pending_user()
    if user is None or user.totp_secret is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form)
    if until := signin.locked_until(user):
        return _locked(form, until, "auth/code.html")
    typed = form.code.data
    if second_factor.verify_code(user, typed) or second_factor.use_recovery_code(user, typed):
        return _finish(user, session[PENDING].get("next"))
    until = signin.record_failure(user)
    db.session.commit()
    if until:
        return _locked(form, until, "auth/code.html")
    flash(_("验证码不正确或已使用过。"), "error")
    return render_template("auth/code.html", form=form), 200


@bp.route("/login/enrol", methods=["GET", "POST"])
@public
@throttled
def enrol():
    """启用双因素认证: the first sign-in of a role that needs a second factor sets one up."""
    user = _pending_user()
    if user is None or user.totp_secret is not None:
        return redirect(url_for("auth.login"))
    secret = session.setdefault("enrol_secret", second_factor.new_secret())
    form = CodeForm()
    page = {"secret": secret, "qr": second_factor.enrolment_qr(user, secret), "user": user}
    if not form.validate_on_submit():
        return render_template("auth/enrol.html", form=form, **page)
    codes = second_factor.enrol(audit.Actor.of(user), user, secret, form.code.data)
    if codes is None:
        signin.record_failure(user)
        db.session.commit()
        flash(_("验证码不正确,请核对手机上的时间后重试。"), "error")
        return render_template("auth/enrol.html", form=form, **page), 200
    target = session[PENDING].get("next")
    _finish(user, target)
    return render_template("auth/recovery_codes.html", codes=codes, target=safe_next(target, url_for("admin.index")))


@bp.post("/logout")
@roles(*STAFF)
def logout():
    if EmptyForm().validate_on_submit():
        signin.end_sessions(audit.Actor.of(current_user), current_user, "logout")
        db.session.commit()
        logout_user()
        session.pop("session_version", None)
        flash(_("您已安全退出。"), "info")
    return redirect(url_for("public.home"))
