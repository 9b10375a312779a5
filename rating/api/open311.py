"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2): the five problem areas as services, the public view
of cases as service requests, and filing a complaint as a new request.

We keep no geography: a request names the unit complained about (and, if known, the post) with the attributes of
the service definition (``GET services/{code}.json``), ``attribute[unit_code]`` and ``attribute[post_code]``; the
older fields ``post_code``/``unit_code`` and an ``address_string`` naming the unit still work. Every call answers in
JSON or, with ``.xml``, in GeoReport's XML; ``jurisdiction_id`` is accepted (there is one jurisdiction). The
complainant's name and phone are stored as private contacts and never returned; a mobile number given gets the
case number and query code by SMS (never the description). A request's ``description`` is the
text a handler reviewed and published (names and numbers masked), else empty; reports in the 违规违纪 area are not
listed at all (rating.services.complaints.publication).
"""

import ipaddress
from datetime import datetime, time

from flask import Blueprint, Response, abort, current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from rating import sms
from rating.api import georeport_xml
from rating.api import open311_schemas as geo
from rating.api.describe import Reply, operation, parse
from rating.clock import LOCAL_TZ
from rating.extensions import csrf, db, limiter
from rating.labels.complaints import CATEGORY_HINTS, CATEGORY_LABELS, FINDING_LABELS
from rating.models.complaints import Category, Complaint, ComplaintEvent, ComplaintStatus
from rating.models.units import Unit
from rating.security import public
from rating.services import api_keys, audit
from rating.services.complaints import Intake, file_complaint, public_text, text_receipt
from rating.services.directory import find_unit
from rating.services.errors import DomainError

bp = Blueprint("open311", __name__)
csrf.exempt(bp)  # a machine API: no cookies are trusted; the only write needs an issued api_key and is rate-limited

#: Every call answers in JSON, or in XML when its address ends in ``.xml``.
FORMAT = "<any(json, xml):fmt>"
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


def _reply(description: str, model) -> Reply:
    return Reply(description, model, also=("application/xml",))


ERRORS = list[geo.GeoReportError]
BAD_PARAMETER = _reply("a parameter is wrong (the description names it)", ERRORS)
NOT_FOUND = _reply("no such address (e.g. a format other than .json or .xml)", ERRORS)


def answer(data, root: str, status: int = 200):
    """``data`` as JSON, or as GeoReport XML under ``root`` when the address ends in ``.xml``."""
    if request.path.endswith(".xml"):
        return Response(georeport_xml.encode(root, data), status, mimetype="application/xml")
    return jsonify(data), status


def georeport_error(status: int, description: str):
    return answer([{"code": status, "description": description}], "errors", status)


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
        "metadata": True,
        "type": "realtime",
        "keywords": SERVICE_KEYWORDS[category],
        "group": SERVICE_GROUPS[category],
    }


def definition_json(category: Category) -> dict:
    """The attributes a request for ``category`` carries: the unit (required, from the list) and the post."""
    units = db.session.execute(select(Unit.code, Unit.name).order_by(Unit.code)).all()
    unit = {
        "variable": True,
        "code": "unit_code",
        "datatype": "singlevaluelist",
        "required": True,
        "datatype_description": _("从列表中选择单位"),
        "order": 1,
        "description": _("被投诉的单位"),
        "values": [{"key": code, "name": name} for code, name in units],
    }
    post = {
        "variable": True,
        "code": "post_code",
        "datatype": "string",
        "required": False,
        "datatype_description": _("岗位编号,如 DT-001,见岗位公示;填写时以该岗位所在单位为准"),
        "order": 2,
        "description": _("被投诉的岗位(知道时填写)"),
        "values": [],
    }
    return {"service_code": category.value, "attributes": [unit, post]}


def request_json(complaint: Complaint, unit_name: str, updated: datetime | None) -> dict:
    concluded = complaint.status == ComplaintStatus.CONCLUDED
    deadline = complaint.deadline and datetime.combine(complaint.deadline, time(23, 59, 59), LOCAL_TZ)
    return {
        "service_request_id": complaint.case_number,
        "status": "closed" if concluded else "open",
        "status_notes": str(FINDING_LABELS[complaint.finding]) if concluded and complaint.finding else "",
        "service_name": str(CATEGORY_LABELS[complaint.category]),
        "service_code": complaint.category.value,
        "description": public_text(complaint),
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
        .where(Complaint.merged_into_id.is_(None), Complaint.category != Category.DISCIPLINE)
    )


def _listed(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


@bp.get(f"/services.{FORMAT}")
@public
@operation(
    "Complaint categories as Open311 services",
    name="open311Services",
    query=geo.ServicesQuery,
    responses={200: _reply("services", list[geo.Service]), 400: BAD_PARAMETER, 404: NOT_FOUND},
)
def services(fmt: str, query: geo.ServicesQuery):
    return answer([service_json(category) for category in Category], "services")


@bp.get(f"/services/<code>.{FORMAT}")
@public
@operation(
    "A service's definition: the attributes a request carries (the unit, and the post if known)",
    name="open311ServiceDefinition",
    query=geo.ServicesQuery,
    responses={
        200: _reply("the service definition", geo.ServiceDefinition),
        400: BAD_PARAMETER,
        404: _reply("no such service (or format)", ERRORS),
    },
)
def service_definition(code: str, fmt: str, query: geo.ServicesQuery):
    if code not in {category.value for category in Category}:
        return georeport_error(404, _("服务不存在,请先查询 services.json。"))
    return answer(definition_json(Category(code)), "service_definition")


def _filtered(stmt, query: geo.RequestsQuery):
    if codes := _listed(query.service_code):
        stmt = stmt.where(Complaint.category.in_([c for c in Category if c.value in codes]))
    statuses = set(_listed(query.status))
    if statuses == {"closed"}:
        stmt = stmt.where(Complaint.status == ComplaintStatus.CONCLUDED)
    elif statuses == {"open"}:
        stmt = stmt.where(Complaint.status != ComplaintStatus.CONCLUDED)
    if query.start_date:
        stmt = stmt.where(Complaint.created_at >= query.start_date)
    if query.end_date:
        stmt = stmt.where(Complaint.created_at <= query.end_date)
    return stmt


@bp.get(f"/requests.{FORMAT}")
@public
@operation(
    "Public view of complaint cases, newest first (at most 1000); discipline reports (违规违纪) are not listed",
    name="open311Requests",
    query=geo.RequestsQuery,
    responses={200: _reply("cases", list[geo.ServiceRequest]), 400: BAD_PARAMETER, 404: NOT_FOUND},
)
def requests(fmt: str, query: geo.RequestsQuery):
    stmt = _requests_query()
    if ids := [i.upper() for i in _listed(query.service_request_id)]:  # GeoReport v2: overrides the other filters
        stmt = stmt.where(Complaint.case_number.in_(ids[:MAX_REQUESTS]))
    else:
        stmt = _filtered(stmt, query)
    rows = db.session.execute(stmt.order_by(Complaint.created_at.desc(), Complaint.id.desc()).limit(MAX_REQUESTS))
    return answer([request_json(*row) for row in rows], "service_requests")


@bp.get(f"/requests/<case_number>.{FORMAT}")
@public
@operation(
    "One case",
    name="open311Request",
    query=geo.ServicesQuery,
    responses={
        200: _reply("one case", list[geo.ServiceRequest]),
        400: BAD_PARAMETER,
        404: _reply("unknown case (or format)", ERRORS),
    },
)
def request_one(case_number: str, fmt: str, query: geo.ServicesQuery):
    row = db.session.execute(_requests_query().where(Complaint.case_number == case_number.upper())).first()
    if row is None:
        return georeport_error(404, _("案件不存在。"))
    return answer([request_json(*row)], "service_requests")


def _submitted() -> dict | None:
    """The posted fields, from a form or a JSON object (whose ``attribute`` object is read as ``attribute[…]``)."""
    if not request.is_json:
        return request.form.to_dict()
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return None
    attributes = data.pop("attribute", None)
    if isinstance(attributes, dict):
        data.update({f"attribute[{key}]": value for key, value in attributes.items()})
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}


def _named(new: geo.NewRequest) -> tuple[str, str]:
    """The post and unit a request names: its attributes, else the older fields, else a unit in address_string."""
    post_code = new.attribute_post_code or new.post_code
    unit_code = new.attribute_unit_code or new.unit_code
    if not (post_code or unit_code) and new.address_string:
        unit = find_unit(new.address_string)
        if unit is None:
            abort(
                400, description=_("address_string 不是本平台的单位编号或名称,请按服务定义填写 attribute[unit_code]。")
            )
        unit_code = unit.code
    if not (post_code or unit_code):
        abort(400, description=_("请用 attribute[unit_code](或 attribute[post_code])指明被投诉的单位或岗位。"))
    return post_code.strip(), unit_code.strip()


@bp.post(f"/requests.{FORMAT}")
@public
@limiter.limit(lambda: current_app.config.get("COMPLAINT_RATE_LIMIT", "10 per hour"), key_func=_network)
@operation(
    "File a complaint (channel: online); the unit and post as the service definition's attributes",
    name="open311CreateRequest",
    form=geo.NewRequest,
    responses={
        201: _reply("the new case number", list[geo.Created]),
        400: _reply("invalid", ERRORS),
        403: _reply("no valid api_key", ERRORS),
        404: NOT_FOUND,
        429: _reply("too many requests", ERRORS),
    },
)
def create_request(fmt: str):
    data = _submitted()
    if data is None or any("\x00" in value for value in data.values() if isinstance(value, str)):
        return georeport_error(400, _("请求内容无法解析。"))
    source = api_keys.check(data.get("api_key") if isinstance(data.get("api_key"), str) else "")
    if source is None:  # GeoReport v2: a POST carries the api_key the office issued; a stray form post does not
        return georeport_error(403, _("缺少有效的 api_key,请向效能办申请。"))
    new = parse(geo.NewRequest, data)
    post_code, unit_code = _named(new)
    intake = Intake(
        channel="web",
        category=new.service_code.value,
        text=new.description,
        post_code=post_code,
        unit_code=unit_code,
        name=(new.last_name + new.first_name)[:50],
        phone=new.phone,
    )
    complaint, query_code = file_complaint(audit.Actor(f"open311:{source.name}"[:50]), intake)
    db.session.commit()
    track_url = url_for("complaints.track", case=complaint.case_number, _external=True)
    text_receipt(complaint.complainant_phone, complaint.case_number, query_code, track_url, sms.gateway())
    notice = _(
        "已受理。请保存案件编号 %(case)s 和查询码 %(code)s(查询码只显示这一次),凭二者查询办理进度。",
        case=complaint.case_number,
        code=query_code,
    )
    created = {"service_request_id": complaint.case_number, "service_notice": notice, "token": None, "account_id": None}
    return answer([created], "service_requests", 201)
