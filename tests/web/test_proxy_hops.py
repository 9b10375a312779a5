"""Behind trusted proxies (PROXY_HOPS) each citizen keeps their own per-network budget, read from the address the
proxy forwards; without them a client cannot forge another address with the header."""

import pytest

from tests.conftest import csrf_token, make_app

pytestmark = pytest.mark.bare
BALANCER = "10.9.9.9"


def _track(client, citizen: str):
    headers = {"X-Forwarded-For": citizen}
    token = csrf_token(client, "/complaints/track")
    data = {"case_number": "TS1999-99999", "query_code": "ABCDEFGH", "csrf_token": token}
    return client.post("/complaints/track", data=data, headers=headers).status_code


def _client(app):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = BALANCER
    return client


@pytest.mark.parametrize("hops", [0, 1])
def test_citizens_behind_the_balancer_are_limited_apart_only_when_it_is_trusted(app, hops):
    limit = {"COMPLAINT_TRACK_RATE_LIMIT": "2 per minute"}
    proxied = make_app(app.config["SQLALCHEMY_DATABASE_URI"], PROXY_HOPS=hops, **limit)
    client = _client(proxied)
    assert [_track(client, "203.0.113.5") for _i in range(2)] == [200, 200]
    assert _track(client, "203.0.113.5") == 429
    # Another citizen through the same balancer: their own budget when the balancer is trusted, else the same one.
    assert _track(client, "198.51.100.7") == (200 if hops else 429)
