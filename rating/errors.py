"""Error pages in the reader's language; JSON errors under /api/."""

from flask import current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from rating.extensions import db
from rating.services.errors import DomainError

#: How long a client is asked to wait when the database is unavailable.
RETRY_AFTER_SECONDS = 30


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/open311/"))


def _page(status: int, title: str, message: str):
    if request.path.startswith("/open311/"):  # GeoReport v2's error list, even where no Open311 route matched
        return jsonify([{"code": status, "description": message}]), status
    if _wants_json():
        return jsonify({"error": {"status": status, "message": message}}), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _with_allow(page, error):
    """A 405 names the methods the address does take (RFC 9110), as werkzeug's own response would."""
    response = current_app.make_response(page)
    if getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _holds_nul() -> bool:
    return "\x00" in request.path or any("\x00" in k + "".join(v) for k, v in request.args.lists())


def refuse_nul():
    """No database text can hold NUL (PostgreSQL refuses it): a path or parameter with one is a 400, not a 500."""
    if request.routing_exception is None and _holds_nul():  # an address that matches nothing stays a 404
        return _page(400, _("请求有误"), _("提交的内容无法处理,请返回检查后重试。"))
    return None


def register(app) -> None:
    app.before_request(refuse_nul)

    @app.errorhandler(400)
    def bad_request(error):
        return _page(400, _("请求有误"), _("提交的内容无法处理,请返回检查后重试。"))

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        return _page(400, _("页面已过期"), _("表单安全校验未通过(页面可能已过期)。请刷新页面后重新提交。"))

    @app.errorhandler(403)
    def forbidden(error):
        return _page(403, _("无权访问"), _("您的账号没有使用此功能的权限。"))

    @app.errorhandler(404)
    def not_found(error):
        return _page(404, _("页面不存在"), _("您要找的页面不存在,可能已被移除或地址有误。"))

    @app.errorhandler(405)
    def method_not_allowed(error):
        response = _page(405, _("请求方式不正确"), _("此地址不支持该请求方式。"))
        return _with_allow(response, error)

    @app.errorhandler(413)
    def too_large(error):
        return _page(413, _("文件过大"), _("上传的文件超过了允许的大小。"))

    @app.errorhandler(429)
    def too_many(error):
        return _page(429, _("操作过于频繁"), _("您的操作过于频繁,请稍后再试。"))

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        """The database is down or refusing connections: a 503 the client may retry, not a 500."""
        app.logger.error("database unavailable: %s", error)
        try:
            db.session.rollback()
        except SQLAlchemyError:
            pass  # the connection is gone; the pool replaces it on the next request
        body, status = _page(503, _("系统维护中"), _("数据库暂时无法访问,请稍后再试。"))
        response = app.make_response((body, status))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(500)
    def server_error(error):
        return _page(500, _("系统错误"), _("系统暂时出现问题,请稍后再试。如问题持续,请联系效能办。"))

    @app.errorhandler(DomainError)
    def domain_error(error):
        """A refusal no view turned into a page of its own: nothing the refused change flushed may be committed."""
        db.session.rollback()
        return _page(error.status_code, _("无法完成操作"), str(error))
