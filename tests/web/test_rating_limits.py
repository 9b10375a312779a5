"""A rating's two limits, network and device (rating.throttle): counted together, in one round trip on Redis, as
Flask-Limiter counted them, on the in-process store and on Redis alike."""

import shutil
import uuid

import pytest

from rating.extensions import db
from rating.models import Rating
from tests.conftest import csrf_token, make_app, skip_without_redis

pytestmark = pytest.mark.bare


@pytest.fixture(params=["memory://", "redis://127.0.0.1:6379/15"])
def app(request, tmp_path, sqlite_bare_template):
    """An app whose device may rate 3 times a minute and whose network 5 times, its limits kept in ``params``."""
    if request.param.startswith("redis"):
        skip_without_redis()
    path = tmp_path / "limits.db"
    shutil.copyfile(sqlite_bare_template, path)
    app = make_app(
        f"sqlite:///{path}",
        RATELIMIT_STORAGE_URI=request.param,
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}",  # counts of other runs never meet this one's
    )
    app.config.update(RATING_DEVICE_LIMIT="3 per minute", RATING_NETWORK_LIMIT="5 per minute")
    yield app
    with app.app_context():
        db.engine.dispose()


def _client(app):
    """A client on an address of its own: the limiter's counts live on in Redis (and its key prefix with the first
    app of the process), so no two tests may share a network."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.{}.{}.{}".format(*uuid.uuid4().bytes[:3])
    return client


def _rate(client, post, device: str):
    client.set_cookie("rid", device)
    token = csrf_token(client, f"/posts/{post.code}/rate")
    return client.post(f"/posts/{post.code}/rate", data={"csrf_token": token, "level": "4"})


def _stored(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Rating.id)))


def test_a_device_then_its_network_are_refused_with_429_and_the_limit_in_the_headers(app, make_cycle, make_post):
    make_cycle()
    posts = [make_post() for _n in range(7)]
    client = _client(app)

    first = [_rate(client, post, "device-a") for post in posts[:4]]
    assert [r.status_code for r in first] == [302, 302, 302, 429]
    assert [r.headers["X-RateLimit-Remaining"] for r in first] == ["2", "1", "0", "0"]
    assert {r.headers["X-RateLimit-Limit"] for r in first} == {"3"}  # the device's window, the first exceeded
    assert "操作过于频繁" in first[3].get_data(as_text=True)
    assert 0 <= int(first[3].headers["Retry-After"]) <= 60

    # The device's refused attempt did not count against its network: another device there has two left.
    second = [_rate(client, post, "device-b") for post in posts[4:7]]
    assert [r.status_code for r in second] == [302, 302, 429]
    assert second[2].headers["X-RateLimit-Limit"] == "5" and second[2].headers["X-RateLimit-Remaining"] == "0"
    assert _stored(app) == 5


def test_limits_switched_off_count_nothing(app, make_cycle, make_post):
    app.config.update(RATING_DEVICE_LIMIT="1 per minute")
    make_cycle()
    posts = [make_post() for _n in range(2)]
    client = _client(app)
    from rating.extensions import limiter

    limiter.enabled = False
    try:
        assert [_rate(client, post, "device-a").status_code for post in posts] == [302, 302]
    finally:
        limiter.enabled = True
    assert _stored(app) == 2


def test_the_counts_are_kept_under_flask_limiters_own_keys(app, make_cycle, make_post):
    """So that a deploy keeps counting where the last one stopped, and ``limiter.reset()`` clears them."""
    from limits import parse

    from rating.extensions import limiter

    make_cycle()
    posts = [make_post() for _n in range(2)]
    client = _client(app)
    for post in posts:
        assert _rate(client, post, "device-a").status_code == 302
    address, prefix = client.environ_base["REMOTE_ADDR"], limiter._key_prefix
    device = limiter.limiter.get_window_stats(parse("3 per minute"), prefix, f"{address}|device-a", "rate.submit")
    network = limiter.limiter.get_window_stats(parse("5 per minute"), prefix, address, "rate.submit")
    assert (device.remaining, network.remaining) == (1, 3)
