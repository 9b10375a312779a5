"""The public pages' shared cache (rating.cache): a page stays as cached until a change of what it shows (a post's
edit, a published correction, a notified finding, a complaint), never after a citizen's rating; never in another
reader's language; one ETag/304 scheme for pages and API; nobody's session in a shared page; and, with Redis, one
process's change seen at once by another. A page is keyed by the query parameters it reads alone, so junk ones
cannot fill the cache; a long page comes gzip-compressed to a reader who accepts it."""

import gzip
import re
import uuid
from datetime import timedelta

import pytest
import redis
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from rating import cache
from rating.clock import local_today
from rating.config import ConfigError, load
from rating.extensions import cache as shared_cache
from rating.extensions import db
from rating.models.cycles import Cycle
from rating.models.posts import Post
from rating.services import audit
from rating.services import posts as post_service
from rating.services.verdict import lifecycle
from tests.conftest import make_app

YEAR = local_today().year  #: the demo's current cycle, which has every component
POST = "/posts/DT-001"
REDIS_URL = "redis://127.0.0.1:6379/5"


def _cycle() -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == YEAR))


def _post(code: str = "DT-001") -> Post:
    return db.session.scalar(select(Post).where(Post.code == code))


def _retitle(title: str, code: str = "DT-001") -> None:
    """A post's edit in the back office (岗位信息修改), committed."""
    post = _post(code)
    post_service.update_post(
        audit.CLI,
        post,
        title=title,
        responsibilities=post.responsibility_lines,
        commitments=post.commitment_lines,
        active=True,
    )
    db.session.commit()


def _text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def _tally(page: str) -> str:
    return re.search(r'<section class="card tally">.*?</section>', page, re.S).group(0)


@pytest.fixture
def published(app) -> int:
    """The current cycle computed, put up for notice, the notice over and published, through the services."""
    with app.app_context():
        cycle = _cycle()
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        cycle.notice_ends_on = local_today() - timedelta(days=1)
        lifecycle.publish(audit.CLI, cycle)
        db.session.commit()
    return YEAR


# --- invalidation -----------------------------------------------------------------------------------------------


def test_a_post_edit_changes_the_post_page_and_the_directory_at_once(app, client):
    before = [_text(client, url) for url in (POST, "/posts?q=DT-001", "/api/v1/posts?q=DT-001", "/")]
    assert all("岗位改名后的新名称" not in page for page in before)
    with app.app_context():
        _retitle("岗位改名后的新名称")
    assert all(
        "岗位改名后的新名称" in _text(client, url) for url in (POST, "/posts?q=DT-001", "/api/v1/posts?q=DT-001")
    )
    assert "岗位改名后的新名称" not in _text(client, "/posts/DT-002")


def test_a_rating_does_not_change_the_cached_post_page(app, client, make_web_rating):
    english = app.test_client()
    english.get("/lang/en")
    pages = [_text(client, POST), _text(english, POST)]
    with app.app_context():
        make_web_rating(_post(), 1)
    # In either language the tally waits for the page to expire or the post's public content to change.
    assert [_text(client, POST), _text(english, POST)] == pages
    with app.app_context():
        cache.invalidate(["directory"])
    assert _tally(_text(client, POST)) != _tally(pages[0]) and _tally(_text(english, POST)) != _tally(pages[1])


def test_a_published_correction_changes_the_results_pages_and_the_api(app, client, published):
    ranking, document = _text(client, f"/results/{YEAR}"), client.get(f"/api/v1/cycles/{YEAR}/results").get_json()
    cycles = client.get("/api/v1/cycles").get_json()
    with app.app_context():
        corrected = lifecycle.publish_correction(audit.CLI, _cycle(), "更正:一件投诉的结论经复核改为部分属实")
        db.session.commit()
        digest = corrected.content_hash
    assert digest not in ranking and digest in _text(client, f"/results/{YEAR}")
    assert document["version"] == 1 and client.get(f"/api/v1/cycles/{YEAR}/results").get_json()["version"] == 2
    listed = {c["year"]: c for c in client.get("/api/v1/cycles").get_json()["items"]}
    assert {c["year"]: c for c in cycles["items"]}[YEAR]["published_version"] == 1
    assert listed[YEAR]["published_version"] == 2


def test_a_notified_finding_and_a_complaint_change_the_notices_and_the_statistics(
    app, client, make_finding, make_complaint
):
    notices, stats = _text(client, "/notices"), _text(client, "/complaints/stats")
    with app.app_context():
        make_finding(_post(), 3, description="窗口人员接待群众时态度生硬", notified=True)
    assert "窗口人员接待群众时态度生硬" not in notices and "窗口人员接待群众时态度生硬" in _text(client, "/notices")
    assert _text(client, "/complaints/stats") == stats
    with app.app_context():
        make_complaint(_post())
    assert _text(client, "/complaints/stats") != stats


# --- language, ETag, Vary ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [POST, "/posts", "/", "/notices", "/complaints/stats"])
def test_a_second_language_never_gets_the_first_languages_page(client, url):
    chinese = client.get(url)
    assert "岗位名录" in chinese.get_data(as_text=True)
    client.get("/lang/en")
    english = client.get(url, headers={"If-None-Match": chinese.headers["ETag"]})
    assert english.status_code == 200 and english.headers["ETag"] != chinese.headers["ETag"]
    text = english.get_data(as_text=True)
    assert "Post directory" in text and "岗位名录" not in text.split("<main")[0]
    client.get("/lang/zh")
    assert client.get(url).data == chinese.data
    linked = client.get(f"{url}{'&' if '?' in url else '?'}lang=en").get_data(as_text=True)  # the ?lang= link
    assert "Post directory" in linked and "岗位名录" not in linked.split("<main")[0]


@pytest.mark.parametrize("url", [POST, "/posts?q=DT", "/notices", "/api/v1/posts", "/api/v1/units", "/api/v1/cycles"])
def test_an_etag_sent_back_gets_304_on_pages_and_api_alike(client, url):
    first = client.get(url)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert first.headers["Cache-Control"] == "no-cache"  # revalidated every time: the 304 is the fast answer
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"another"'}).data == first.data


def test_pages_vary_on_the_cookie_that_holds_the_language_and_the_api_is_one_in_every_language(client, published):
    for url in (POST, "/posts", "/", f"/results/{YEAR}", "/complaints/stats", "/api/v1/posts"):
        assert "Cookie" in client.get(url).headers["Vary"], url  # the API's headers differ for a signed-in reader
    results = client.get(f"/api/v1/cycles/{YEAR}/results")
    assert results.headers["Cache-Control"] == "public, max-age=60"
    client.get("/lang/en")
    again = client.get(f"/api/v1/cycles/{YEAR}/results", headers={"If-None-Match": results.headers["ETag"]})
    assert again.status_code == 304


# --- query parameters: only those a page reads make a page of their own ------------------------------------------


def _kept_pages() -> int:
    """How many pages the in-process cache holds (the tests' cache: SimpleCache)."""
    return sum(1 for key in shared_cache.cache._cache if key.startswith("page:"))


@pytest.mark.parametrize(
    ("url", "junk"),
    [
        ("/", "/?junk=1"),
        (POST, f"{POST}?utm_source=qr&x="),
        ("/posts", "/posts?junk=1&page="),
        ("/posts?q=DT-001", "/posts?junk=2&q=%20DT-001%20&q=another"),
        ("/notices", "/notices?junk=1"),
        ("/complaints/stats", "/complaints/stats?junk=1"),
        ("/api/v1/posts", "/api/v1/posts?junk=1"),
        ("/api/v1/posts?q=DT", "/api/v1/posts?q=DT&junk=1"),
    ],
)
def test_junk_query_parameters_share_the_page_of_the_bare_url(app, client, url, junk):
    first = client.get(url)
    assert first.status_code == 200
    with app.app_context():
        kept = _kept_pages()
        for n in range(20):  # a script inventing parameters fills no cache
            again = client.get(f"{junk}&n={n}")
            assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
        assert _kept_pages() == kept
    assert client.get(junk, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


@pytest.mark.parametrize(
    ("url", "variants"),
    [
        ("/posts", [f"/posts?page=a{n}" for n in range(10)]),  # no number: the first page
        ("/posts?page=2", [f"/posts?page=%20{'0' * n}2" for n in range(10)]),  # the same number
        ("/complaints/stats", [f"/complaints/stats?from=x{n}&to=2x{n}" for n in range(10)]),  # no day: the cycle's
        ("/posts?unit=U1", [f"/posts?unit=U1{' ' * 30}{n}" for n in range(10)]),  # a unit code's 20 characters
    ],
)
def test_values_a_page_reads_alike_share_one_page(app, client, url, variants):
    first = client.get(url)
    assert first.status_code == 200
    with app.app_context():
        kept = _kept_pages()
        for variant in variants:
            again = client.get(variant)
            assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
        assert _kept_pages() == kept


def test_the_parameters_a_page_reads_still_make_pages_of_their_own(app, client):
    with app.app_context():
        unit = _post().unit.code
    pages = [
        "/posts",
        "/posts?q=DT-001",
        "/posts?unit=" + unit,
        "/posts?page=2",
        "/api/v1/posts",
        "/api/v1/posts?q=DT-001",
    ]
    bodies = [_text(client, url) for url in pages]
    assert [bodies.index(b) for b in bodies] == list(range(len(bodies)))
    assert "DT-001" in bodies[1] and "DT-002" not in bodies[1]
    assert client.get("/posts?page=2&junk=1").get_data(as_text=True) == bodies[3]


def test_junk_parameters_never_mix_the_languages_nor_follow_the_language_switch(client):
    english = client.get("/posts?junk=1&lang=en").get_data(as_text=True)
    assert "Post directory" in english and "岗位名录" not in english.split("<main")[0]
    chinese = client.get("/posts?junk=1").get_data(as_text=True)
    assert "岗位名录" in chinese.split("<main")[0]
    # The page kept for everyone links its language switch to its own address, not to a first reader's junk.
    switch = client.get("/posts?q=DT-001&junk=1").get_data(as_text=True)
    assert "next=/posts?q%3DDT-001" in switch and "junk" not in switch
    client.get("/lang/en")
    assert "Post directory" in client.get("/posts?q=DT-001").get_data(as_text=True)


# --- gzip: a long page compressed once, for the readers who accept it -------------------------------------------


def test_a_long_page_comes_gzip_compressed_to_a_reader_who_accepts_it(client, published):
    url = f"/results/{YEAR}"
    plain = client.get(url)
    assert "Content-Encoding" not in plain.headers and len(plain.data) > 10_000
    zipped = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped.headers["Content-Encoding"] == "gzip" and len(zipped.data) < len(plain.data) / 3
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    for response in (plain, zipped):  # a proxy keeps the two apart, and each language apart
        assert response.headers["Vary"] == "Accept-Encoding, Cookie"
        assert response.headers["Cache-Control"] == "public, max-age=60"
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == zipped.headers["ETag"]
    assert "Content-Encoding" not in again.headers
    # The compressed copy's ETag does not stand for the plain body, nor the other way round.
    assert client.get(url, headers={"If-None-Match": zipped.headers["ETag"]}).data == plain.data
    assert (
        client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["ETag"]}).status_code == 200
    )
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers and refused.data == plain.data
    api = client.get(f"/api/v1/cycles/{YEAR}/results", headers={"Accept-Encoding": "gzip"})
    assert api.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in api.headers["Vary"]
    assert gzip.decompress(api.data) == client.get(f"/api/v1/cycles/{YEAR}/results").data


def test_a_short_page_is_not_compressed(client):
    short = client.get("/api/v1/cycles", headers={"Accept-Encoding": "gzip"})
    assert len(short.data) < cache.GZIP_MIN_BYTES and "Content-Encoding" not in short.headers
    assert "Accept-Encoding" not in short.headers.get("Vary", "")


# --- nobody's session in a shared page --------------------------------------------------------------------------


def test_signed_in_pages_are_neither_cached_nor_served_from_the_cache(app, client, login_as):
    anonymous = app.test_client()
    public = anonymous.get(POST)
    staff = login_as("admin").get(POST, headers={"If-None-Match": public.headers["ETag"]})
    assert staff.status_code == 200 and staff.headers["Cache-Control"] == "private, no-store"
    assert "ETag" not in staff.headers and "后台" in staff.get_data(as_text=True)
    assert "后台" not in anonymous.get(POST).get_data(as_text=True)


def test_a_page_with_a_form_token_or_a_message_is_never_shared(app, client):
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "只给这一位读者的消息")]
    flashed = client.get("/posts")
    assert "只给这一位读者的消息" in flashed.get_data(as_text=True)
    assert flashed.headers["Cache-Control"] == "private, no-store"  # no proxy keeps it either
    shared = client.get("/posts")
    assert "只给这一位读者的消息" not in shared.get_data(as_text=True)
    assert shared.headers["Content-Type"] == "text/html; charset=utf-8"
    rate_form = client.get("/posts/DT-001/rate")  # a form with a CSRF token: never through the shared cache
    assert 'name="csrf_token"' in rate_form.get_data(as_text=True) and "ETag" not in rate_form.headers
    renders = []

    def a_page_with_a_form() -> str:  # should a cached page ever hold a form, its token stays its reader's
        renders.append(1)
        return f'<input name="csrf_token" value="{generate_csrf()}">'

    answers = []
    for _ in range(2):
        with app.test_request_context("/a-page-with-a-form"):
            answers.append(cache.page(("form",), a_page_with_a_form, final=True))
    assert len(renders) == 2 and answers[0].data != answers[1].data
    assert answers[0].headers["Cache-Control"] == "private, no-store" and "ETag" not in answers[0].headers


# --- settings ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind"), [("", "SimpleCache"), ("redis://127.0.0.1:6379/1", "RedisCache"), ("memcached://x", None)]
)
def test_the_cache_is_redis_when_its_url_is_set_and_in_process_otherwise(tmp_path, monkeypatch, url, kind):
    monkeypatch.setenv("CACHE_REDIS_URL", url)
    if kind is None:
        with pytest.raises(ConfigError, match="CACHE_REDIS_URL"):
            load(tmp_path)
        return
    settings = load(tmp_path)
    assert settings["CACHE_TYPE"] == kind and settings["CACHE_REDIS_URL"] == url
    if url:  # a Redis that hangs is given up on within half a second, as one that refuses
        assert settings["CACHE_OPTIONS"] == {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}
    monkeypatch.setenv("CACHE_DEFAULT_TIMEOUT", "0")
    with pytest.raises(ConfigError, match="CACHE_DEFAULT_TIMEOUT"):
        load(tmp_path)


# --- Redis: one cache for every process -------------------------------------------------------------------------


def _redis_reachable() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason=f"Redis not reachable at {REDIS_URL}")
def test_with_redis_a_change_in_one_process_is_seen_at_once_by_another(app):
    """Two app instances (two workers or hosts) on one database and one Redis: the first caches the post page, the
    second edits the post, the first shows the edit on its next request."""
    prefix = f"rating-test-{uuid.uuid4().hex[:8]}:"
    shared = {"CACHE_REDIS_URL": REDIS_URL, "CACHE_KEY_PREFIX": prefix}
    reader, editor = (make_app(app.config["SQLALCHEMY_DATABASE_URI"], **shared) for _ in range(2))
    assert reader.config["CACHE_TYPE"] == "RedisCache"
    try:
        client = reader.test_client()
        first = _text(client, POST)
        assert client.get(POST, headers={"If-None-Match": client.get(POST).headers["ETag"]}).status_code == 304
        with editor.app_context():
            _retitle("两台主机共享缓存后的新名称")
        assert "两台主机共享缓存后的新名称" not in first
        assert "两台主机共享缓存后的新名称" in _text(client, POST)
    finally:
        server = redis.Redis.from_url(REDIS_URL)
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        for instance in (reader, editor):
            with instance.app_context():
                db.engine.dispose()


def test_without_its_redis_the_public_pages_are_rendered_fresh(app, caplog):
    """A cache that cannot be reached costs speed, never a page: nothing listens on port 1."""
    down = make_app(app.config["SQLALCHEMY_DATABASE_URI"], CACHE_REDIS_URL="redis://127.0.0.1:1/5")
    try:
        client = down.test_client()
        for url in (POST, "/posts", "/api/v1/posts", f"/results/{YEAR}"):
            assert client.get(url).status_code in (200, 404), url
        assert "public page cache unavailable" in caplog.text
        with down.app_context():
            _retitle("缓存不可用时的新名称")  # the commit still succeeds
        assert "缓存不可用时的新名称" in _text(client, POST)
    finally:
        with down.app_context():
            db.engine.dispose()
