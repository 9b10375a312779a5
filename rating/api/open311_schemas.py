"""Open311 GeoReport v2 (https://wiki.open311.org/GeoReport_v2) as pydantic models: the field lists of a service, a
service definition and its attributes, a service request, the answer to a new request and an error, and the
parameters each call takes. The OpenAPI document is generated from them and the tests hold the answers to them."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from rating.api.schemas import Answer, Query, Text
from rating.clock import LOCAL_TZ
from rating.models.complaints import Category

JURISDICTION = "the jurisdiction (accepted, as GeoReport v2 says; this platform serves one)"


def _moment(value):
    """A w3 / ISO 8601 time (``2010-01-01T00:00:00Z``, or a date); without an offset, Beijing time."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not value.strip():
        raise ValueError("not an ISO 8601 time")
    moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=LOCAL_TZ)


Moment = Annotated[datetime, BeforeValidator(_moment)]


class ServicesQuery(Query):
    jurisdiction_id: Text = Field("", description=JURISDICTION)


class RequestsQuery(ServicesQuery):
    service_request_id: Text = Field("", description="comma-separated case numbers (overrides the other filters)")
    service_code: Text = Field("", description="comma-separated service codes")
    status: str = Field(
        "", pattern=r"^((open|closed)(,(open|closed))*)?$", description="open, closed, or both comma-separated"
    )
    start_date: Moment | None = Field(None, description="received on or after (w3 format, e.g. 2010-01-01T00:00:00Z)")
    end_date: Moment | None = Field(None, description="received on or before")


class NewRequest(BaseModel):
    """A new service request: the standard fields, the post and unit as the definition's attributes
    (``attribute[post_code]``, ``attribute[unit_code]``), and the older fields ``post_code``/``unit_code`` and
    ``address_string`` naming a unit, which still work."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, str_strip_whitespace=True)

    api_key: str = Field(description="issued by the office (flask create-api-key)")
    jurisdiction_id: str = Field("", description=JURISDICTION)
    service_code: Category
    description: str = Field(min_length=1, description="what happened, 10–2000 characters")
    attribute_post_code: str = Field("", alias="attribute[post_code]", description="the key post (岗位编号)")
    attribute_unit_code: str = Field("", alias="attribute[unit_code]", description="the unit (单位编号)")
    post_code: str = Field("", description="the key post (older field, still accepted)")
    unit_code: str = Field("", description="the unit (older field, still accepted)")
    address_string: str = Field("", description="the unit's code or full name, if no attribute names it")
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    lat: float | None = None
    long: float | None = None


class Service(Answer):
    service_code: Category
    service_name: str
    description: str
    metadata: bool = Field(description="true: GET services/{service_code} lists the attributes a request carries")
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class AttributeValue(Answer):
    key: str
    name: str


class Attribute(Answer):
    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str
    order: int
    description: str
    values: list[AttributeValue]


class ServiceDefinition(Answer):
    service_code: Category
    attributes: list[Attribute]


class ServiceRequest(Answer):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str
    service_name: str
    service_code: Category
    description: str = Field(
        description="the complaint's text as a handler reviewed and published it, names and numbers masked; empty "
        "until then, or when the office publishes no texts (reports in the discipline area are never listed)"
    )
    agency_responsible: str
    service_notice: str
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class Created(Answer):
    service_request_id: str
    service_notice: str
    token: str | None
    account_id: str | None


class GeoReportError(Answer):
    code: int
    description: str
