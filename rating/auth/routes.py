"""Signing in and out of the back office."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from rating.auth.forms import LoginForm
from rating.extensions import db, limiter
from rating.forms import EmptyForm
from rating.security import STAFF, public, roles, safe_next
from rating.services import audit
from rating.services.users import authenticate

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("admin.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is None:
            flash(_("用户名或密码不正确。"), "error")
            return render_template("auth/login.html", form=form), 200
        lang = session.get("lang")
        session.clear()  # a fresh session on every sign-in (no fixation)
        if lang:
            session["lang"] = lang
        login_user(user)
        audit.record(audit.Actor.of(user), "user.login", "user", user.id)
        db.session.commit()
        target = request.args.get("next")
        return redirect(safe_next(target, url_for("admin.index")))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@roles(*STAFF)
def logout():
    if EmptyForm().validate_on_submit():
        logout_user()
        flash(_("您已安全退出。"), "info")
    return redirect(url_for("public.home"))
