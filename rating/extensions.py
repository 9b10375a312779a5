"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from apscheduler.schedulers.background import BackgroundScheduler
from flask import current_app, request, session
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter as FlaskLimiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_login.config import COOKIE_NAME, SESSION_KEYS
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from rating.models.base import Base


class QuietLoginManager(LoginManager):
    """Flask-Login with strong session protection that leaves a session without a sign-in alone.

    On a session whose identifier does not match, strong protection removes the sign-in's keys and deletes the
    remember cookie. A visitor's session (a language, a CSRF token, a receipt) has no identifier at all, so Flask-Login
    found a mismatch on every request: it removed keys that were not there, marked the session changed, and so the
    session was signed and sent again and a deletion of a remember cookie the browser does not have was sent with
    every response. When the session holds none of the sign-in's keys and no remember cookie came, there is nothing to
    protect and this says so; any other session is judged by Flask-Login as before."""

    def _session_protection_failed(self):
        remember = current_app.config.get("REMEMBER_COOKIE_NAME", COOKIE_NAME)
        if remember not in request.cookies and SESSION_KEYS.isdisjoint(session.keys()):
            return False
        return super()._session_protection_failed()


class Limiter(FlaskLimiter):
    """Flask-Limiter without its before-request pass when that pass has nothing to count.

    The pass counts the default, application, blueprint and meta limits; a limit decorating a view counts itself
    when the view is called, and so do rating.throttle's. This site declares only such limits, so on every request
    the pass resolved an empty list at some cost; it runs again as soon as a limit of those kinds exists."""

    def _check_request_limit(self, callable_name: str | None = None, in_middleware: bool = True) -> None:
        if in_middleware and not self._counts_before_request():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _counts_before_request(self) -> bool:
        manager = self.limit_manager
        return bool(
            manager._application_limits or manager._default_limits or manager._blueprint_limits or self._meta_limits
        )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = QuietLoginManager()
csrf = CSRFProtect()
babel = Babel()
#: The public pages' cache (rating.cache): Redis when CACHE_REDIS_URL is set, else in-process.
cache = Cache()
#: Rate limits per client network; storage comes from RATELIMIT_STORAGE_URI (memory:// or redis://).
limiter = Limiter(key_func=get_remote_address)
#: The in-process scheduler used by ``make run``; production runs ``flask --app rating scheduler`` instead.
scheduler = BackgroundScheduler(timezone="Asia/Shanghai")
