"""The open-data API and its OpenAPI description."""

import re


def test_posts_reports_total_100_and_pages(client):
    body = client.get("/api/v1/posts").get_json()
    assert body["total"] == 100 and body["page"] == 1 and len(body["items"]) == 20
    first = body["items"][0]
    assert first["code"] == "DT-001"
    assert first["holder"] == "赵文涛"
    assert first["unit"] == {"code": "M05", "name": "市公安局", "kind": "municipal"}
    assert 3 <= len(first["responsibilities"]) <= 6


def test_posts_pages_and_caps_page_size(client):
    body = client.get("/api/v1/posts?page=4&per_page=25").get_json()
    assert body["page"] == 4 and body["pages"] == 4
    assert [p["code"] for p in body["items"]] == [f"DT-{n:03d}" for n in range(76, 101)]
    assert client.get("/api/v1/posts?page=5&per_page=25").get_json()["items"] == []
    big = client.get("/api/v1/posts?per_page=1000").get_json()
    assert len(big["items"]) == 100 and big["per_page"] == 100


def test_posts_search_filters(client):
    body = client.get("/api/v1/posts", query_string={"q": "户籍审批"}).get_json()
    assert [p["code"] for p in body["items"]] == ["DT-001"] and body["total"] == 1


def test_units_lists_every_unit_with_kinds(client):
    body = client.get("/api/v1/units").get_json()
    kinds = [u["kind"] for u in body["items"]]
    assert body["total"] == len(body["items"])
    assert (kinds.count("municipal"), kinds.count("provincial"), kinds.count("window")) == (41, 9, 46)
    assert kinds.count("station") > 0


def test_openapi_document_describes_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    api_paths = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
    }
    assert api_paths <= set(doc["paths"]), api_paths - set(doc["paths"])


def test_api_unknown_path_answers_json_404(client):
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.get_json()["error"]["status"] == 404


def test_api_never_exposes_private_fields(client):
    text = client.get("/api/v1/posts?per_page=100").get_data(as_text=True)
    for private in ("password", "hash", "phone", "contact"):
        assert private not in text
