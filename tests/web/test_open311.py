"""Open311 GeoReport v2: services, the public view of cases as service requests, filing a request, and errors, all
checked against the GeoReport v2 field lists; never a complainant's name or phone."""

import pytest
from sqlalchemy import select

from rating import sms
from rating.extensions import db
from rating.models.complaints import Complaint, ComplaintStatus
from rating.services import audit
from rating.services import complaints as svc

pytestmark = pytest.mark.bare
BASE = "/open311/v2"
TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"
#: GeoReport v2 fields and their JSON types (None allowed where the field is optional or we have no value).
SERVICE_FIELDS = {
    "service_code": (str,),
    "service_name": (str,),
    "description": (str,),
    "metadata": (bool,),
    "type": (str,),
    "keywords": (str,),
    "group": (str,),
}
REQUEST_FIELDS = {
    "service_request_id": (str,),
    "status": (str,),
    "status_notes": (str,),
    "service_name": (str,),
    "service_code": (str,),
    "description": (str,),
    "agency_responsible": (str,),
    "service_notice": (str,),
    "requested_datetime": (str,),
    "updated_datetime": (str,),
    "expected_datetime": (str, type(None)),
    "address": (str,),
    "address_id": (str, type(None)),
    "zipcode": (str, type(None)),
    "lat": (float, type(None)),
    "long": (float, type(None)),
    "media_url": (str, type(None)),
}
CREATED_FIELDS = {
    "service_request_id": (str,),
    "service_notice": (str,),
    "token": (str, type(None)),
    "account_id": (str, type(None)),
}
ERROR_FIELDS = {"code": (int,), "description": (str,)}


def assert_shape(items, fields):
    assert isinstance(items, list)
    for item in items:
        assert set(fields) <= set(item), set(fields) - set(item)
        for key, types in fields.items():
            assert isinstance(item[key], types), (key, item[key])
        assert not {"complainant_name", "complainant_phone", "phone", "first_name", "last_name", "email"} & set(item)


def assert_error(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert_shape(response.get_json(), ERROR_FIELDS)
    assert response.get_json()[0]["code"] == status


@pytest.fixture(autouse=True)
def posts(make_cycle, make_unit, make_post):
    """This year's cycle, and posts TP-001 and TP-002 of unit M05."""
    make_cycle()
    unit = make_unit(code="M05")
    return [make_post("TP-001", unit=unit), make_post("TP-002", unit=unit)]


@pytest.fixture
def key(runner) -> str:
    """An api_key the office issued with ``flask create-api-key``."""
    result = runner.invoke(args=["create-api-key", "虚构热线系统"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def file(app, category="conduct", post_code="TP-001", phone="13912345678"):
    with app.app_context():
        intake = svc.Intake(
            channel="phone", category=category, text=TEXT, post_code=post_code, name="王先生", phone=phone
        )
        complaint, _code = svc.file_complaint(audit.Actor("handler"), intake)
        db.session.commit()
        return complaint.case_number


def test_services(client):
    response = client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    services = response.get_json()
    assert_shape(services, SERVICE_FIELDS)
    assert [s["service_code"] for s in services] == ["access", "arbitrary", "inaction", "conduct", "discipline"]
    assert all(s["type"] == "realtime" and s["metadata"] is True for s in services)
    assert services[4]["service_name"] == "违规违纪"


def test_requests_list_and_filters(app, client):
    open_case = file(app, "conduct")
    closed_case = file(app, "access")
    with app.app_context():
        complaint = db.session.scalar(select(Complaint).where(Complaint.case_number == closed_case))
        svc.refer(audit.Actor("handler"), complaint)
        svc.conclude(audit.Actor("officer"), complaint, "partly", "已责成整改并向您说明。")
        db.session.commit()
    items = client.get(f"{BASE}/requests.json").get_json()
    assert_shape(items, REQUEST_FIELDS)
    assert [i["service_request_id"] for i in items] == [closed_case, open_case]  # newest first
    closed = items[0]
    assert closed["status"] == "closed" and closed["status_notes"] == "部分属实"
    assert closed["agency_responsible"] and closed["expected_datetime"]
    assert closed["address"] == "" and closed["lat"] is None and closed["media_url"] is None
    assert "13912345678" not in client.get(f"{BASE}/requests.json").get_data(as_text=True)

    def ids(query):
        return {i["service_request_id"] for i in client.get(f"{BASE}/requests.json?{query}").get_json()}

    assert closed_case in ids("status=closed") and open_case not in ids("status=closed")
    assert open_case in ids("status=open") and closed_case not in ids("status=open")
    assert open_case in ids("service_code=conduct") and closed_case not in ids("service_code=conduct")
    assert ids("start_date=2100-01-01T00:00:00Z") == set()
    assert {open_case, closed_case} == ids("start_date=2000-01-01T00:00:00%2B08:00&end_date=2100-01-01")
    assert ids("end_date=2000-01-01T00:00:00Z") == set()
    assert_error(client.get(f"{BASE}/requests.json?status=pending"), 400)
    assert_error(client.get(f"{BASE}/requests.json?start_date=yesterday"), 400)


def test_one_request(app, client):
    case = file(app)
    response = client.get(f"{BASE}/requests/{case}.json")
    assert response.status_code == 200
    items = response.get_json()
    assert_shape(items, REQUEST_FIELDS)
    assert len(items) == 1 and items[0]["service_request_id"] == case and items[0]["status"] == "open"
    assert_error(client.get(f"{BASE}/requests/TS1999-99999.json"), 404)


@pytest.mark.parametrize("as_json", [False, True])
def test_create_request(app, client, key, as_json):
    data = {
        "api_key": key,
        "service_code": "inaction",
        "description": TEXT,
        "post_code": "TP-002",
        "first_name": "先生",
        "last_name": "王",
        "phone": "13987654321",
        "email": "wang@example.com",
    }
    response = client.post(f"{BASE}/requests.json", **({"json": data} if as_json else {"data": data}))
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert_shape(created, CREATED_FIELDS)
    case = created[0]["service_request_id"]
    with app.app_context():
        complaint = db.session.scalar(select(Complaint).where(Complaint.case_number == case))
        assert complaint.channel == "web" and complaint.category == "inaction"
        assert complaint.status == ComplaintStatus.RECEIVED and complaint.post.code == "TP-002"
        assert (complaint.complainant_name, complaint.complainant_phone) == ("王先生", "13987654321")
        assert complaint.events[0].actor == "open311:虚构热线系统"
    shown = client.get(f"{BASE}/requests/{case}.json").get_data(as_text=True)
    assert "13987654321" not in shown and "王先生" not in shown


def test_a_phone_given_gets_the_receipt_by_sms_and_never_the_description(app, client, key):
    with app.app_context():
        sms.gateway()  # the log sink of development and tests
    outbox = app.extensions["sms"].outbox
    data = {"api_key": key, "service_code": "conduct", "description": TEXT, "post_code": "TP-001"}
    client.post(f"{BASE}/requests.json", data=data)  # no phone: nothing is texted
    assert outbox == []
    response = client.post(f"{BASE}/requests.json", data={**data, "phone": "13987654321"})
    case = response.get_json()[0]["service_request_id"]
    [(phone, text)] = outbox
    assert phone == "13987654321" and case in text and f"/complaints/track?case={case}" in text
    assert "来回跑" not in text and "TP-001" not in text


def test_create_by_unit_code(client, key):
    data = {"api_key": key, "service_code": "arbitrary", "description": TEXT, "unit_code": "M05"}
    assert client.post(f"{BASE}/requests.json", data=data).status_code == 201


@pytest.mark.parametrize(
    "data",
    [
        {"service_code": "nonsense", "description": TEXT, "post_code": "TP-001"},
        {"service_code": "access", "description": TEXT},
        {"service_code": "access", "description": "太短", "post_code": "TP-001"},
        {"service_code": "access", "description": TEXT, "post_code": "XX-999"},
    ],
)
def test_create_errors(client, key, data):
    assert_error(client.post(f"{BASE}/requests.json", data={**data, "api_key": key}), 400)


def test_create_rejects_non_object_json(client):
    assert_error(client.post(f"{BASE}/requests.json", json=["access"]), 400)


def test_create_is_rate_limited_per_network(app, client, key):
    app.config["COMPLAINT_RATE_LIMIT"] = "2 per hour"
    data = {"api_key": key, "service_code": "conduct", "description": TEXT, "post_code": "TP-001"}
    statuses = [client.post(f"{BASE}/requests.json", data=data).status_code for _i in range(3)]
    assert statuses[:2] == [201, 201]
    assert_error(client.post(f"{BASE}/requests.json", data=data), 429)
