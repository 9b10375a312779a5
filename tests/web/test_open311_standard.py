"""Standard Open311 (issue 14, item 4): service definitions, ``attribute[…]``, ``address_string`` naming a unit,
``jurisdiction_id``, XML beside JSON on every call, checked against the GeoReport v2 field lists; and a standard
client (the ``georeport`` package) that files a complaint knowing only what the definitions say."""

import threading
from xml.etree import ElementTree as ET

import pytest
import requests as http
from georeport import GeoReport
from sqlalchemy import select
from werkzeug.serving import make_server

from rating.extensions import db
from rating.models.complaints import Complaint
from tests.web.test_open311 import CREATED_FIELDS, ERROR_FIELDS, REQUEST_FIELDS, SERVICE_FIELDS, TEXT, assert_shape

pytestmark = pytest.mark.bare
BASE = "/open311/v2"
#: GeoReport v2's service definition and attribute fields.
DEFINITION_FIELDS = {"service_code": (str,), "attributes": (list,)}
ATTRIBUTE_FIELDS = {
    "variable": (bool,),
    "code": (str,),
    "datatype": (str,),
    "required": (bool,),
    "datatype_description": (str,),
    "order": (int,),
    "description": (str,),
    "values": (list,),
}
UNIT_NAME = "市虚构公安局"


@pytest.fixture(autouse=True)
def posts(make_cycle, make_unit, make_post):
    make_cycle()
    unit = make_unit(code="M05", name=UNIT_NAME)
    make_unit(code="M06", name="市虚构税务局")
    return [make_post("TP-001", unit=unit)]


@pytest.fixture
def key(runner) -> str:
    result = runner.invoke(args=["create-api-key", "虚构热线系统"])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def xml_items(response, root: str, item: str) -> list[ET.Element]:
    assert response.mimetype == "application/xml", response.get_data(as_text=True)[:200]
    document = ET.fromstring(response.get_data())
    assert document.tag == root
    return document.findall(item)


def assert_xml_fields(elements: list[ET.Element], fields) -> None:
    assert elements
    for element in elements:
        assert set(fields) <= {child.tag for child in element}, set(fields) - {child.tag for child in element}


def test_services_say_metadata_in_json_and_xml(client):
    services = client.get(f"{BASE}/services.json?jurisdiction_id=qd").get_json()
    assert_shape(services, SERVICE_FIELDS)
    assert all(service["metadata"] is True for service in services)
    elements = xml_items(client.get(f"{BASE}/services.xml?jurisdiction_id=qd"), "services", "service")
    assert_xml_fields(elements, SERVICE_FIELDS)
    assert [e.findtext("service_code") for e in elements] == [s["service_code"] for s in services]
    assert {e.findtext("metadata") for e in elements} == {"true"}


def test_service_definition_names_the_unit_and_the_post(client):
    definition = client.get(f"{BASE}/services/conduct.json").get_json()
    assert set(DEFINITION_FIELDS) <= set(definition) and definition["service_code"] == "conduct"
    assert_shape(definition["attributes"], ATTRIBUTE_FIELDS)
    unit, post = sorted(definition["attributes"], key=lambda a: a["order"])
    assert (unit["code"], unit["datatype"], unit["required"]) == ("unit_code", "singlevaluelist", True)
    assert {"key": "M05", "name": UNIT_NAME} in unit["values"]
    assert (post["code"], post["datatype"], post["required"]) == ("post_code", "string", False)

    root = ET.fromstring(client.get(f"{BASE}/services/conduct.xml").get_data())
    assert root.tag == "service_definition" and root.findtext("service_code") == "conduct"
    attributes = root.findall("attributes/attribute")
    assert_xml_fields(attributes, ATTRIBUTE_FIELDS)
    assert attributes[0].findtext("required") == "true" and attributes[0].findtext("datatype") == "singlevaluelist"
    assert {"M05", "M06"} <= {value.findtext("key") for value in attributes[0].findall("values/value")}


def test_unknown_service_and_bad_parameters_are_georeport_errors(client):
    assert_shape(client.get(f"{BASE}/services/nonsense.json").get_json(), ERROR_FIELDS)
    assert client.get(f"{BASE}/services/nonsense.json").status_code == 404
    errors = xml_items(client.get(f"{BASE}/services/nonsense.xml"), "errors", "error")
    assert_xml_fields(errors, ERROR_FIELDS)
    assert errors[0].findtext("code") == "404"
    response = client.get(f"{BASE}/requests.xml?status=pending")
    assert response.status_code == 400
    assert xml_items(response, "errors", "error")[0].findtext("code") == "400"
    body = client.get(f"{BASE}/requests.json?start_date=").get_json()
    assert "start_date" in body[0]["description"]
    assert client.get(f"{BASE}/requests.yaml").get_json()[0]["code"] == 404


def post(client, key, fmt="json", **fields):
    data = {"api_key": key, "service_code": "conduct", "description": TEXT, **fields}
    return client.post(f"{BASE}/requests.{fmt}", data=data)


def unit_of(app, case: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Complaint).where(Complaint.case_number == case)).unit.code


@pytest.mark.parametrize(
    "fields, unit",
    [
        ({"attribute[unit_code]": "M06"}, "M06"),
        ({"attribute[unit_code]": "M06", "attribute[post_code]": "TP-001"}, "M05"),  # the post decides
        ({"address_string": UNIT_NAME}, "M05"),
        ({"address_string": "m06"}, "M06"),
        ({"unit_code": "M06", "jurisdiction_id": "qd"}, "M06"),
        ({"post_code": "TP-001"}, "M05"),
    ],
)
def test_a_request_names_its_unit_every_standard_way(app, client, key, fields, unit):
    response = post(client, key, **fields)
    assert response.status_code == 201, response.get_data(as_text=True)
    created = response.get_json()
    assert_shape(created, CREATED_FIELDS)
    assert unit_of(app, created[0]["service_request_id"]) == unit


def test_json_body_with_an_attribute_object(app, client, key):
    data = {"api_key": key, "service_code": "access", "description": TEXT, "attribute": {"unit_code": "M06"}}
    response = client.post(f"{BASE}/requests.json", json=data)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert unit_of(app, response.get_json()[0]["service_request_id"]) == "M06"


@pytest.mark.parametrize("fields", [{}, {"address_string": "青岛市市南区香港中路"}])
def test_a_request_naming_no_unit_is_refused(client, key, fields):
    response = post(client, key, **fields)
    assert response.status_code == 400 and response.get_json()[0]["code"] == 400


def test_xml_post_and_requests(client, key):
    response = post(client, key, fmt="xml", **{"attribute[unit_code]": "M05"})
    assert response.status_code == 201
    created = xml_items(response, "service_requests", "request")
    assert_xml_fields(created, CREATED_FIELDS)
    case = created[0].findtext("service_request_id")
    listed = xml_items(client.get(f"{BASE}/requests.xml"), "service_requests", "request")
    assert_xml_fields(listed, REQUEST_FIELDS)
    one = xml_items(client.get(f"{BASE}/requests/{case}.xml"), "service_requests", "request")
    assert [element.findtext("service_request_id") for element in one] == [case]
    assert one[0].findtext("lat") == "" and one[0].findtext("status") == "open"
    assert xml_items(post(client, "wrong", fmt="xml"), "errors", "error")[0].findtext("code") == "403"


@pytest.fixture
def live_open311(committed_app, make_unit):
    """The app served on a loopback port, for a client that speaks HTTP (``georeport`` uses ``requests``)."""
    with committed_app.app_context():
        make_unit(code="M05", name=UNIT_NAME)
        make_unit(code="M06", name="市虚构税务局")
    result = committed_app.test_cli_runner().invoke(args=["create-api-key", "标准客户端"])
    key = result.output.strip().splitlines()[-1]
    server = make_server("127.0.0.1", 0, committed_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}{BASE}", key
    server.shutdown()
    thread.join(timeout=10)


def _choices(attribute: dict) -> list[dict]:
    """An attribute's values as the client parsed them (xmltodict gives {"value": [...]} or None)."""
    values = attribute.get("values") or []
    if isinstance(values, dict):
        values = values.get("value", [])
    return values if isinstance(values, list) else [values]


@pytest.mark.parametrize("output_format", ["json", "xml"])
def test_georeport_client_files_a_complaint_from_the_definitions_alone(live_open311, output_format):
    root, key = live_open311
    client = GeoReport(root, jurisdiction="qingdao", api_key=key, output_format=output_format)
    service = next(s for s in client.get_service_list() if s["service_code"] == "inaction")
    assert str(service["metadata"]).lower() == "true"
    definition = client.get_service_definition(service["service_code"])
    attributes = definition["attributes"]
    if output_format == "xml":
        attributes = attributes["attribute"]
    fields = {}
    for attribute in attributes:
        if str(attribute["required"]).lower() != "true":
            continue
        assert attribute["datatype"] == "singlevaluelist"
        fields[f"attribute[{attribute['code']}]"] = next(
            value["key"] for value in _choices(attribute) if value["name"] == UNIT_NAME
        )
    # georeport 0.3.1 reads but has no call to post; a request is posted as GeoReport v2 says, with its api_key.
    response = http.post(
        f"{root}/requests.{output_format}",
        data={
            "api_key": client.api_key,
            "jurisdiction_id": client.jurisdiction,
            "service_code": service["service_code"],
            "description": TEXT,
            **fields,
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    if output_format == "xml":
        case = ET.fromstring(response.content).findtext("request/service_request_id")
    else:
        case = response.json()[0]["service_request_id"]
    filed = client.get_service_request(case)
    assert filed["service_code"] == "inaction" and filed["agency_responsible"] == UNIT_NAME


def test_service_request_id_overrides_the_other_filters(client, key):
    case = post(client, key, **{"attribute[unit_code]": "M05"}).get_json()[0]["service_request_id"]
    listed = client.get(f"{BASE}/requests.json?service_request_id={case}&status=closed&service_code=access")
    assert [item["service_request_id"] for item in listed.get_json()] == [case]


@pytest.mark.parametrize(
    "url", ["/open311/v2/requests/%00.json", "/api/v1/posts?q=%00", "/posts/TP%00", "/posts?q=a%00"]
)
def test_a_nul_in_a_path_or_parameter_is_a_400_not_a_database_error(client, url):
    response = client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)[:200]


def test_a_nul_in_a_posted_field_is_a_400(client, key):
    assert post(client, key, **{"attribute[unit_code]": "M05", "first_name": "a\x00"}).status_code == 400
