"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): the five problem areas as services, the public view
of cases as service requests, and filing a complaint as a new request.

We keep no geography: a request names the post or unit complained about with the extension fields ``post_code`` or
``unit_code`` instead of a location, and ``address`` is always empty. The complainant's name and phone are stored as
private contacts and never returned; the text is already masked of personal numbers when it is filed.
"""

import ipaddress
from datetime import datetime, time

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy import func, select

from rating.clock import LOCAL_TZ
from rating.extensions import csrf, db, limiter
from rating.labels.complaints import CATEGORY_HINTS, CATEGORY_LABELS, FINDING_LABELS
from rating.models.complaints import Category, Complaint, ComplaintEvent, ComplaintStatus
from rating.models.units import Unit
from rating.security import public
from rating.services import api_keys, audit
from rating.services.complaints import Intake, file_complaint
from rating.services.errors import DomainError, InvalidInput

bp = Blueprint("open311", __name__)
csrf.exempt(bp)  # a machine API: no cookies are trusted; the only write needs an issued api_key and is rate-limited

MAX_REQUESTS = 1000
SERVICE_GROUPS = {
    Category.ACCESS: "服务态度与效率",
    Category.ARBITRARY: "收费与执法",
    Category.INACTION: "履职",
    Category.CONDUCT: "服务态度与效率",
    Category.DISCIPLINE: "收费与执法",
}
SERVICE_KEYWORDS = {
    Category.ACCESS: "门难进,脸难看,话难听,事难办",
    Category.ARBITRARY: "乱收费,乱罚款,乱检查,乱摊派",
    Category.INACTION: "不作为,乱作为,吃拿卡要",
    Category.CONDUCT: "办事拖拉,脱岗缺位,推诿扯皮,态度粗暴",
    Category.DISCIPLINE: "执法不规范,违规违纪",
}


def georeport_error(status: int, description: str):
    return jsonify([{"code": status, "description": description}]), status


@bp.errorhandler(DomainError)
def domain_error(error):
    return georeport_error(error.status_code, str(error))


@bp.errorhandler(400)
@bp.errorhandler(404)
@bp.errorhandler(405)
@bp.errorhandler(429)
def http_error(error):
    return georeport_error(error.code, error.description)


def _network() -> str:
    """The client's network (/24 for IPv4, /64 for IPv6), so one office cannot dodge the limit by changing address."""
    address = request.remote_addr or "unknown"
    try:
        prefix = 24 if ipaddress.ip_address(address).version == 4 else 64
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(LOCAL_TZ).isoformat(timespec="seconds") if moment else None


def service_json(category: Category) -> dict:
    return {
        "service_code": category.value,
        "service_name": str(CATEGORY_LABELS[category]),
        "description": str(CATEGORY_HINTS[category]),
        "metadata": False,
        "type": "realtime",
        "keywords": SERVICE_KEYWORDS[category],
        "group": SERVICE_GROUPS[category],
    }


def request_json(complaint: Complaint, unit_name: str, updated: datetime | None) -> dict:
    concluded = complaint.status == ComplaintStatus.CONCLUDED
    deadline = complaint.deadline and datetime.combine(complaint.deadline, time(23, 59, 59), LOCAL_TZ)
    return {
        "service_request_id": complaint.case_number,
        "status": "closed" if concluded else "open",
        "status_notes": str(FINDING_LABELS[complaint.finding]) if concluded and complaint.finding else "",
        "service_name": str(CATEGORY_LABELS[complaint.category]),
        "service_code": complaint.category.value,
        "description": complaint.text,
        "agency_responsible": unit_name,
        "service_notice": "",
        "requested_datetime": _iso(complaint.created_at),
        "updated_datetime": _iso(updated or complaint.created_at),
        "expected_datetime": deadline.isoformat() if deadline else None,
        "address": "",
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _requests_query():
    updated = (
        select(ComplaintEvent.complaint_id, func.max(ComplaintEvent.at).label("at"))
        .where(ComplaintEvent.public.is_(True))
        .group_by(ComplaintEvent.complaint_id)
        .subquery()
    )
    return (
        select(Complaint, Unit.name, updated.c.at)
        .join(Unit, Unit.id == Complaint.unit_id)
        .outerjoin(updated, updated.c.complaint_id == Complaint.id)
        .where(Complaint.merged_into_id.is_(None))
    )


def _parse_datetime(name: str) -> datetime | None:
    if name not in request.args:
        return None
    value = request.args[name].strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(_("%(name)s 不是有效的 ISO 8601 时间。", name=name)) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


@bp.get("/services.json")
@public
def services():
    return jsonify([service_json(category) for category in Category])


@bp.get("/requests.json")
@public
def requests():
    stmt = _requests_query()
    if ids := [i.strip().upper() for i in request.args.get("service_request_id", "").split(",") if i.strip()]:
        stmt = stmt.where(Complaint.case_number.in_(ids[:MAX_REQUESTS]))
    if codes := [c.strip() for c in request.args.get("service_code", "").split(",") if c.strip()]:
        stmt = stmt.where(Complaint.category.in_([c for c in Category if c.value in codes]))
    status = request.args.get("status", "").strip()
    if status == "closed":
        stmt = stmt.where(Complaint.status == ComplaintStatus.CONCLUDED)
    elif status == "open":
        stmt = stmt.where(Complaint.status != ComplaintStatus.CONCLUDED)
    elif status:
        raise InvalidInput(_("status 只能是 open 或 closed。"))
    if start := _parse_datetime("start_date"):
        stmt = stmt.where(Complaint.created_at >= start)
    if end := _parse_datetime("end_date"):
        stmt = stmt.where(Complaint.created_at <= end)
    rows = db.session.execute(stmt.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(MAX_REQUESTS))
    return jsonify([request_json(*row) for row in rows])


@bp.get("/requests/<case_number>.json")
@public
def request_one(case_number: str):
    row = db.session.execute(_requests_query().where(Complaint.case_number == case_number.upper())).first()
    if row is None:
        return georeport_error(404, _("案件不存在。"))
    return jsonify([request_json(*row)])


@bp.post("/requests.json")
@public
@limiter.limit(lambda: current_app.config.get("COMPLAINT_RATE_LIMIT", "10 per hour"), key_func=_network)
def create_request():
    data = request.get_json(silent=True) if request.is_json else request.form
    if not hasattr(data, "get"):
        return georeport_error(400, _("请求内容无法解析。"))

    def field(name: str) -> str:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ""

    source = api_keys.check(field("api_key"))
    if source is None:  # GeoReport v2: a POST carries the api_key the office issued; a stray form post does not
        return georeport_error(403, _("缺少有效的 api_key,请向效能办申请。"))
    if field("service_code") not in {c.value for c in Category}:
        return georeport_error(400, _("service_code 无效,请先查询 services.json。"))
    if not (field("post_code") or field("unit_code")):
        return georeport_error(400, _("请用 post_code 或 unit_code 指明被投诉的岗位或单位。"))
    intake = Intake(
        channel="web",
        category=field("service_code"),
        text=field("description"),
        post_code=field("post_code"),
        unit_code=field("unit_code"),
        name=(field("last_name") + field("first_name"))[:50],
        phone=field("phone"),
    )
    complaint, query_code = file_complaint(audit.Actor(f"open311:{source.name}"[:50]), intake)
    db.session.commit()
    notice = _(
        "已受理。请保存案件编号 %(case)s 和查询码 %(code)s(查询码只显示这一次),凭二者查询办理进度。",
        case=complaint.case_number,
        code=query_code,
    )
    return jsonify([{"service_request_id": complaint.case_number, "service_notice": notice, "token": None}]), 201
