"""The key-post evaluation platform (关键岗位公务员评议平台): the Flask application factory."""

from pathlib import Path

from flask import Flask, has_request_context, request, session
from sqlalchemy import event
from sqlalchemy.engine import Engine
from werkzeug.middleware.proxy_fix import ProxyFix

from rating import config as settings
from rating.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    configure_settings(app, overrides)
    configure_routing(app)
    configure_database(app)
    configure_cache(app)
    configure_login(app)
    configure_i18n(app)
    configure_security(app)
    register_blueprints(app)
    register_error_pages(app)
    register_commands(app)
    configure_scheduler(app)
    return app


def configure_settings(app: Flask, overrides: dict | None) -> None:
    app.config.update(settings.load(Path(app.instance_path), overrides))
    app.json.ensure_ascii = False  # open data in readable Chinese
    hops = app.config["PROXY_HOPS"]
    if hops > 0:  # behind trusted proxies the client is the address they forward, not the last proxy's
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def configure_routing(app: Flask) -> None:
    from rating.views import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added


def configure_database(app: Flask) -> None:
    from rating import models  # noqa: F401  (registers every table on the metadata)
    from rating.services.partitions import compared

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(ROOT / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_object=compared,
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """SQLite: write-ahead logging so readers never wait for writers, and foreign keys enforced."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()


def configure_cache(app: Flask) -> None:
    from rating import cache as public_pages  # watches the sessions for changes of public content
    from rating.extensions import cache  # not imported at the top: ``rating.cache`` names the module

    cache.init_app(app)
    app.jinja_env.globals["page_path"] = public_pages.page_path


def configure_login(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from rating.models.users import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("请先登录。")
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        """The session's user, unless the session was ended on the server since (logout, reset, an admin)."""
        from rating.services.signin import session_valid

        user = db.session.get(User, int(user_id)) if user_id.isdigit() else None
        return user if user is not None and session_valid(user, session.get("session_version")) else None


def select_locale() -> str:
    if not has_request_context():  # commands and jobs speak the default language
        return "zh"
    lang = request.args.get("lang") or session.get("lang")
    return lang if lang in ("zh", "en") else "zh"


def configure_i18n(app: Flask) -> None:
    from rating import i18n

    babel.init_app(app, locale_selector=select_locale)
    app.request_class = i18n.Request
    app.jinja_env.globals.update(i18n.template_globals())
    app.jinja_env.filters.update(i18n.template_filters())


def configure_security(app: Flask) -> None:
    from rating import security

    app.session_interface = security.SignedCookieSessions()
    # Access first: a stranger's POST is sent to login and a wrong role gets 403 before the CSRF check.
    app.before_request(security.enforce_access)
    csrf.init_app(app)
    limiter.init_app(app)
    app.after_request(security.set_security_headers)


def register_blueprints(app: Flask) -> None:
    from rating.admin import bp as admin_bp
    from rating.api.open311 import bp as open311_bp
    from rating.api.routes import bp as api_bp
    from rating.auth.routes import bp as auth_bp
    from rating.codes.routes import bp as codes_bp
    from rating.complaints import bp as complaints_bp
    from rating.followups.routes import bp as followups_bp
    from rating.hr.routes import bp as hr_bp
    from rating.inspect.routes import bp as inspect_bp
    from rating.public.routes import bp as public_bp
    from rating.rate.routes import bp as rate_bp
    from rating.results import bp as results_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(rate_bp)
    app.register_blueprint(codes_bp, url_prefix="/codes")
    app.register_blueprint(followups_bp, url_prefix="/followups")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(hr_bp, url_prefix="/hr")
    app.register_blueprint(inspect_bp, url_prefix="/inspect")
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(complaints_bp, url_prefix="/complaints")
    app.register_blueprint(open311_bp, url_prefix="/open311/v2")
    app.register_blueprint(results_bp, url_prefix="/results")


def register_error_pages(app: Flask) -> None:
    from rating import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from rating import cli

    cli.register(app)


def configure_scheduler(app: Flask) -> None:
    from rating import jobs

    if app.config["SCHEDULER_IN_PROCESS"]:
        jobs.start_in_process(app)
