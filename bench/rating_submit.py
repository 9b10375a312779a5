"""Benchmark: citizens submitting ratings (POST /posts/<code>/rate) under load, beside a bare insert endpoint.

    .venv/bin/python -m bench.rating_submit [--clients 32] [--seconds 10]

Serves a freshly migrated and seeded database (with an open cycle) with gunicorn as gunicorn.conf.py says
(WEB_WORKERS, WEB_WORKER_CLASS, WEB_THREADS; the bare insert likewise) on SQLite (a temp file), and on PostgreSQL
when BENCH_DATABASE_URL is set: the benchmark creates a scratch database ``rating_bench_<random>`` on that URL's
server and drops it afterwards, so no existing data is touched. Each client thread opens the rating form once
(session cookie and CSRF token), then posts valid ratings back to back to posts spread over DT-001..DT-100, each
with a fresh device cookie; a 302 to /receipt/... is a success (a rating held by the burst rule is still a success).
The baseline is bench/bare_insert.py, a bare Flask endpoint inserting one row with SQLAlchemy Core into the same
database, loaded the same way. Prints requests/s, p50, p99 and errors of both, their ratio, whether the goals hold
(ratio >= 0.60 and p99 < 100 ms at 32 clients), and whether every acknowledged rating was stored exactly once. This
is not a test: it prints figures.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from http.cookies import SimpleCookie
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench._load import LoadResult, gunicorn, server_settings
from bench.bare_insert import sqlalchemy_url
from bench.directory import seeded_database

POSTS = [f"DT-{n:03d}" for n in range(1, 101)]
CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: All load comes from 127.0.0.1, one network: the app's rate limits are raised for the benchmark server.
HIGH_LIMIT = "1000000 per minute"
SECRET_KEY = "bench-rating-submit"
GOAL_RATIO = 0.60
GOAL_P99_MS = 100.0
GOAL_CLIENTS = 32

#: One request's outcome: success, and the receipt number when a rating was acknowledged.
Outcome = tuple[bool, str | None]


class Browser:
    """One client: a connection to 127.0.0.1 (reopened when the server closes it) and the cookies it was given."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, http.client.HTTPResponse, str]:
        """Returns (status, response, body); status 0 when the connection failed."""
        headers = {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read().decode("utf-8", "replace")
        except OSError:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            return 0, None, ""
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value and morsel["max-age"] != "0":
                    self.cookies[name] = morsel.value
                else:
                    self.cookies.pop(name, None)
        return response.status, response, content


def rating_client(port: int) -> Callable[[], Outcome]:
    """Open one rating form for the session and CSRF token, then post a rating per call, as a new device each time."""
    browser = Browser(port)
    status, _response, page = browser.request("GET", f"/posts/{random.choice(POSTS)}/rate")
    found = CSRF_FIELD.search(page)
    if status != 200 or found is None or "rating_session" not in browser.cookies:
        raise RuntimeError(f"could not open the rating form (status {status})")
    token = found.group(1)

    def send() -> Outcome:
        browser.cookies["rid"] = secrets.token_urlsafe(16)  # one device rates one post once a day
        form = {"csrf_token": token, "level": random.randint(1, 5)}
        status, response, _page = browser.request("POST", f"/posts/{random.choice(POSTS)}/rate", form)
        location = response.headers.get("Location", "") if response is not None else ""
        if status == 302 and "/receipt/" in location:
            return True, location.rsplit("/", 1)[1]
        return False, None

    return send


def bare_client(port: int) -> Callable[[], Outcome]:
    browser = Browser(port)

    def send() -> Outcome:
        form = {"post": random.choice(POSTS), "level": random.randint(1, 5)}
        status, _response, _page = browser.request("POST", "/insert", form)
        return status == 201, None

    return send


def run_posts(
    port: int, start_client: Callable[[int], Callable[[], Outcome]], clients: int, seconds: float, warmup: float = 1.0
) -> tuple[LoadResult, list[str]]:
    """Like ``_load.run_load`` with POSTs: each thread sets up its client, then all send back to back for ``seconds``
    after ``warmup``. Returns the measured window and every receipt acknowledged, warm-up included."""
    latencies: list[float] = []
    receipts: list[str] = []
    errors = [0]
    window = {}
    lock = threading.Lock()

    def start_clock() -> None:
        window["start"] = time.monotonic() + warmup
        window["stop"] = window["start"] + seconds

    ready = threading.Barrier(clients, action=start_clock)

    def client() -> None:
        try:
            send = start_client(port)
        except (OSError, RuntimeError):
            send = None
        ready.wait()
        mine: list[float] = []
        acked: list[str] = []
        failed = 0 if send else 1
        while send and (now := time.monotonic()) < window["stop"]:
            t0 = time.perf_counter()
            ok, receipt = send()
            elapsed = (time.perf_counter() - t0) * 1000
            if receipt:
                acked.append(receipt)
            if now >= window["start"]:
                if ok:
                    mine.append(elapsed)
                else:
                    failed += 1
        with lock:
            latencies.extend(mine)
            receipts.extend(acked)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(len(latencies), errors[0], seconds, latencies), receipts


def line(result: LoadResult, label: str) -> str:
    if not result.latencies_ms:
        return f"{label:<28} no successful requests   errors {result.errors}"
    return result.line(label)


@contextmanager
def scratch_postgres(url: str) -> Iterator[str]:
    """A fresh database on the server of ``url``, created and dropped through an AUTOCOMMIT connection."""
    server = make_url(sqlalchemy_url(url))
    name = f"rating_bench_{secrets.token_hex(5)}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_sqlite() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="rating_bench_") as folder:
        yield f"sqlite:///{Path(folder) / 'bench.db'}"


def stored_ratings(url: str) -> tuple[set[str], dict[str, int], int]:
    """Receipts in the ratings table, ratings per status, and audit entries of submissions."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            receipts = set(conn.scalars(text("SELECT receipt FROM ratings")))
            statuses = dict(conn.execute(text("SELECT status, count(*) FROM ratings GROUP BY status")).all())
            audited = conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'rating.submit'"))
    finally:
        engine.dispose()
    return receipts, statuses, audited


def verdict(holds: bool) -> str:
    return "holds" if holds else "MISSED"


def app_settings(url: str) -> dict[str, str]:
    """The app's environment for a benchmark of the rating path: both rating limits raised (all load comes from one
    address), and, as in production with several workers, one shared limiter store (memory:// counts per worker)."""
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET_KEY,
        "RATING_ENV": "development",
        "RATING_NETWORK_LIMIT": HIGH_LIMIT,
        "RATING_DEVICE_LIMIT": HIGH_LIMIT,
        "RATELIMIT_STORAGE_URI": os.environ.get("BENCH_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/14"),
    }


def bench_engine(name: str, url: str, clients: int, seconds: float) -> None:
    seeded_database(url)
    with gunicorn("bench.bare_insert:create_app()", {"DATABASE_URL": url}) as port:
        bare, _ = run_posts(port, bare_client, clients, seconds)
    env = app_settings(url)
    before, statuses_before, audited_before = stored_ratings(url)
    with gunicorn("rating:create_app()", env) as port:
        rating, receipts = run_posts(port, rating_client, clients, seconds)
    after, statuses_after, audited_after = stored_ratings(url)

    print(f"{name}: served by {server_settings(url)}")
    print(line(rating, f"{name}: rating submit"))
    print(line(bare, f"{name}: bare insert"))
    ratio = rating.rps / bare.rps if bare.rps else float("nan")
    p99 = rating.percentile(0.99)
    at = "" if clients == GOAL_CLIENTS else f"   (goals are stated at {GOAL_CLIENTS} clients, measured at {clients})"
    print(f"{name}: ratio rating/bare {ratio:5.2f}   goal >= {GOAL_RATIO:.2f}: {verdict(ratio >= GOAL_RATIO)}{at}")
    print(f"{name}: rating p99 {p99:7.2f} ms   goal < {GOAL_P99_MS:g} ms: {verdict(p99 < GOAL_P99_MS)}{at}")

    new = after - before
    acked = set(receipts)
    held = statuses_after.get("held", 0) - statuses_before.get("held", 0)
    exactly_once = len(receipts) == len(acked) and acked <= new and len(new) == len(acked)
    print(
        f"{name}: acknowledged {len(receipts)} ratings (warm-up included; {len(acked)} distinct receipts), "
        f"rows written {len(new)} ({held} held by the burst rule), acknowledged and stored {len(acked & new)}, "
        f"audit entries {audited_after - audited_before}; every acknowledged rating stored exactly once: "
        f"{'yes' if exactly_once else 'NO'}"
    )
    if not exactly_once:
        print(
            f"{name}: acknowledged but missing {len(acked - new)}, stored without acknowledgement {len(new - acked)} "
            f"(a request that failed on the client side may still have been stored)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=GOAL_CLIENTS)
    parser.add_argument("--seconds", type=float, default=10)
    args = parser.parse_args()
    print(
        f"{args.clients} concurrent clients, {args.seconds:g} s per measurement after 1 s warm-up, "
        f"gunicorn.conf.py, loopback; rating server: RATING_ENV=development, fixed SECRET_KEY,\n"
        f'RATING_NETWORK_LIMIT and RATING_DEVICE_LIMIT raised to "{HIGH_LIMIT}" (all load comes from 127.0.0.1); '
        f"a fresh device cookie per rating; burst-held ratings count as successes; limiter store: Redis"
    )
    engines: list[tuple[str, Callable[[], AbstractContextManager[str]]]] = [("sqlite", scratch_sqlite)]
    if os.environ.get("BENCH_DATABASE_URL"):
        engines.append(("postgresql", lambda: scratch_postgres(os.environ["BENCH_DATABASE_URL"])))
    for name, scratch in engines:
        with scratch() as url:
            bench_engine(name, url, args.clients, args.seconds)


if __name__ == "__main__":
    main()
