"""The open-data API and its OpenAPI description."""

import re

import pytest

pytestmark = pytest.mark.bare


@pytest.fixture
def posts(make_unit, make_post, make_posts):
    """TP-001 of 市虚构公安局 (M01), then 20 more posts: 21 in all, a page of 20 and one more."""
    first = make_post(
        "TP-001",
        unit=make_unit(name="市虚构公安局", code="M01"),
        holder="虚构戊",
        title="户籍科户籍审批岗",
        responsibilities=("受理户口迁入申请", "办理户籍证明", "答复户籍政策咨询"),
    )
    return [first, *make_posts(20)]


@pytest.fixture
def many_posts(posts, make_posts):
    """103 posts in all: 5 pages of 25, the last one of 3."""
    return [*posts, *make_posts(82)]


def test_posts_reports_total_and_pages(client, posts):
    body = client.get("/api/v1/posts").get_json()
    assert body["total"] == 21 and body["page"] == 1 and body["pages"] == 2 and len(body["items"]) == 20
    first = body["items"][0]
    assert first["code"] == "TP-001"
    assert first["holder"] == "虚构戊"
    assert first["unit"] == {"code": "M01", "name": "市虚构公安局", "kind": "municipal"}
    assert first["responsibilities"] == ["受理户口迁入申请", "办理户籍证明", "答复户籍政策咨询"]


def test_posts_pages_and_caps_page_size(client, many_posts):
    codes = sorted(post.code for post in many_posts)
    body = client.get("/api/v1/posts?page=4&per_page=25").get_json()
    assert body["page"] == 4 and body["pages"] == 5
    assert [p["code"] for p in body["items"]] == codes[75:100]
    last = client.get("/api/v1/posts?page=5&per_page=25").get_json()["items"]
    assert [p["code"] for p in last] == codes[100:]
    assert client.get("/api/v1/posts?page=6&per_page=25").get_json()["items"] == []
    big = client.get("/api/v1/posts?per_page=1000").get_json()
    assert len(big["items"]) == 100 and big["per_page"] == 100


def test_posts_search_filters(client, posts):
    body = client.get("/api/v1/posts", query_string={"q": "户籍审批"}).get_json()
    assert [p["code"] for p in body["items"]] == ["TP-001"] and body["total"] == 1


def test_units_lists_every_unit_with_kinds(client, make_unit):
    for kind, count in (("municipal", 2), ("provincial", 1), ("window", 3), ("station", 1)):
        for _n in range(count):
            make_unit(kind)
    body = client.get("/api/v1/units").get_json()
    kinds = [u["kind"] for u in body["items"]]
    assert body["total"] == len(body["items"]) == 7
    assert [kinds.count(kind) for kind in ("municipal", "provincial", "window", "station")] == [2, 1, 3, 1]


def test_openapi_document_describes_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    api_paths = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert api_paths <= set(doc["paths"]), api_paths - set(doc["paths"])
    open311 = {
        re.sub(r"<(?:[^>:]+:)?([^>]+)>", r"{\1}", rule.rule.removeprefix("/open311/v2"))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/open311/v2/")
    }
    assert open311 <= set(doc["paths"]), open311 - set(doc["paths"])
    assert all(doc["paths"][path]["servers"] == [{"url": "http://localhost/open311/v2"}] for path in open311)


def test_api_unknown_path_answers_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_api_never_exposes_private_fields(client, posts):
    text = client.get("/api/v1/posts?per_page=100").get_data(as_text=True)
    for private in ("password", "hash", "phone", "contact"):
        assert private not in text


def test_a_wrong_parameter_is_a_400_that_names_it(client):
    for url, name in (
        ("/api/v1/posts?per_page=null", "per_page"),
        ("/api/v1/cycles/2024/results?version=false", "version"),
    ):
        body = client.get(url).get_json()
        assert body["error"]["status"] == 400 and name in body["error"]["message"], body


def test_openapi_enums_are_the_domain_enums(client):
    from rating.models.cycles import CycleStatus
    from rating.models.units import UnitKind
    from rating.scoring.verdict import Title

    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["CycleStatus"]["enum"] == [status.value for status in CycleStatus]
    assert schemas["UnitKind"]["enum"] == [kind.value for kind in UnitKind]
    assert schemas["Title"]["enum"] == [title.value for title in Title]
