"""Issue 17, finding 9: clean 4xx at the edges: ids and years past the database's integer range are a 404, a
database outage a 503 with Retry-After, a 405 names the allowed methods, the API refuses malformed parameters."""

import re

import pytest

from tests.conftest import make_app

pytestmark = pytest.mark.bare

TOO_BIG = 2**31
INT_PART = re.compile(r"<int:(\w+)>")


def _int_routes(app) -> list[tuple[str, str]]:
    """Every route with an integer part, as a URL with each integer part at 2**31 and each other part a word."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not INT_PART.search(rule.rule):
            continue
        url = INT_PART.sub(str(TOO_BIG), rule.rule)
        url = re.sub(r"<(?:\w+:)?\w+>", "X1", url)
        method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
        urls.append((method, url))
    return urls


def test_there_are_many_routes_with_integer_parts(app):
    assert len(_int_routes(app)) >= 20


def test_an_id_or_year_past_the_integer_range_is_a_404_on_every_route(app, client, login_as):
    login_as("admin")
    answers = {(method, url): client.open(url, method=method).status_code for method, url in _int_routes(app)}
    assert {key: status for key, status in answers.items() if status not in (404, 405)} == {}


@pytest.mark.parametrize(
    "url", ["/admin/verdict/2147483647", "/results/2147483647", "/api/v1/cycles/2147483647/results"]
)
def test_the_largest_integer_is_still_looked_up_and_not_found(client, login_as, url):
    login_as("admin")
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url", ["/hr/?cycle=2147483648", "/inspect/scores?cycle=99999999999", "/posts?page=99999999999"]
)
def test_a_huge_query_number_is_no_server_error(client, login_as, make_cycle, url):
    make_cycle()
    login_as("admin")
    assert client.get(url).status_code in (200, 302, 404)


def test_a_database_outage_is_a_503_with_retry_after(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing-dir/none.db")
    response = app.test_client().get("/posts")
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert "数据库暂时无法访问" in response.get_data(as_text=True)
    api = app.test_client().get("/api/v1/units")
    assert api.status_code == 503 and api.get_json()["error"]["status"] == 503


@pytest.mark.parametrize("method", ["TRACE", "PUT", "DELETE"])
def test_a_405_names_the_allowed_methods(client, method):
    response = client.open("/posts", method=method)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]


def test_an_api_405_names_them_too(client):
    response = client.delete("/api/v1/posts")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/posts?per_page=null",
        "/api/v1/posts?per_page=0",
        "/api/v1/posts?page=0",
        "/api/v1/posts?page=-1",
        "/api/v1/posts?page=1.5",
        "/api/v1/cycles/2024/results?version=false",
        "/api/v1/cycles/2024/results?version=0",
        "/open311/v2/requests.json?start_date=",
        "/open311/v2/requests.json?end_date=",
    ],
)
def test_malformed_api_parameters_are_a_400(client, make_cycle, url):
    make_cycle(2024)
    response = client.get(url)
    assert response.status_code == 400, response.get_data(as_text=True)


def test_well_formed_api_parameters_still_work(client):
    assert client.get("/api/v1/posts?page=1&per_page=100").status_code == 200
    assert client.get("/api/v1/posts?per_page=1000").get_json()["per_page"] == 100  # capped, as documented
    assert client.get("/open311/v2/requests.json?start_date=2024-01-01T00:00:00Z").status_code == 200
