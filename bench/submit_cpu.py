"""Benchmark: the CPU one citizen's rating submit costs inside the process, beside the bare insert endpoint.

    .venv/bin/python -m bench.submit_cpu [--ratings 2000] [--profile 25]

No server and no sockets: both WSGI apps are called directly with a request already built, so the figure is the
application's own work (Flask, its extensions, the project's code, the driver) without gunicorn's HTTP parsing or
the client. The rating app is configured as bench/rating_submit.py serves it (RATING_ENV=development, fixed
SECRET_KEY, both rating limits raised, the limiter on Redis unless BENCH_RATELIMIT_STORAGE_URI says otherwise) on a
freshly migrated and seeded SQLite file, or on a scratch PostgreSQL database when BENCH_DATABASE_URL is set. One
browser opens a form (session cookie and CSRF token), then posts valid ratings one after another, each as a new
device (a fresh ``rid`` cookie), to posts spread over DT-001..DT-100; every answer must be a 302 to its receipt.
Prints CPU ms per request (time.process_time) and wall ms of both, and their ratio; ``--profile N`` prints the N
costliest functions of the rating submit by CPU time (cProfile clocked by time.process_time). This is not a test: it
prints figures.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import secrets
import time
import urllib.parse
from collections.abc import Callable

from werkzeug.test import EnvironBuilder

from bench.directory import seeded_database
from bench.rating_submit import POSTS, app_settings, scratch_postgres, scratch_sqlite

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _call(app, environ: dict) -> tuple[str, dict, bytes]:
    """One request through the WSGI app: (status, headers, body)."""
    said = {}

    def start_response(status, headers, exc_info=None):
        said["status"], said["headers"] = status, headers

    chunks = app(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return said["status"], said["headers"], body


def _environ(method: str, path: str, cookies: dict, form: dict | None = None) -> dict:
    headers = {"User-Agent": "bench", "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    data = urllib.parse.urlencode(form) if form is not None else None
    builder = EnvironBuilder(
        path=path,
        method=method,
        headers=headers,
        data=data,
        content_type="application/x-www-form-urlencoded" if form is not None else None,
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    try:
        return builder.get_environ()
    finally:
        builder.close()


def _cookies_from(headers: list, cookies: dict) -> None:
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            key, _, val = pair.partition("=")
            cookies[key] = val


def rating_requests(app, count: int) -> list[dict]:
    """Open the form once, then ``count`` ready-made rating POSTs, each from a new device."""
    cookies: dict[str, str] = {}
    status, headers, body = _call(app, _environ("GET", "/posts/DT-001/rate", cookies))
    token = CSRF_FIELD.search(body.decode()).group(1)
    _cookies_from(headers, cookies)
    assert status.startswith("200") and "rating_session" in cookies, status
    requests = []
    for _ in range(count):
        mine = {**cookies, "rid": secrets.token_urlsafe(16)}
        form = {"csrf_token": token, "level": random.randint(1, 5)}
        requests.append(_environ("POST", f"/posts/{random.choice(POSTS)}/rate", mine, form))
    return requests


def bare_requests(count: int) -> list[dict]:
    return [
        _environ("POST", "/insert", {}, {"post": random.choice(POSTS), "level": random.randint(1, 5)})
        for _ in range(count)
    ]


def measure(app, requests: list[dict], ok: Callable[[str, list], bool]) -> tuple[float, float]:
    """CPU and wall milliseconds per request; raises if an answer is not what it should be."""
    cpu, wall = time.process_time(), time.perf_counter()
    for environ in requests:
        status, headers, _body = _call(app, environ)
        if not ok(status, headers):
            raise RuntimeError(f"unexpected answer {status} {headers}")
    n = len(requests)
    return (time.process_time() - cpu) * 1000 / n, (time.perf_counter() - wall) * 1000 / n


def _receipt(status: str, headers: list) -> bool:
    return status.startswith("302") and any(k == "Location" and "/receipt/" in v for k, v in headers)


def run(url: str, ratings: int, profile: int) -> None:
    os.environ.update(app_settings(url))
    seeded_database(url)
    from bench.bare_insert import create_app as bare_app
    from rating import create_app

    app = create_app()
    bare = bare_app()
    measure(app, rating_requests(app, 200), _receipt)  # warm-up: imports, statement caches, connections
    measure(bare, bare_requests(200), lambda status, _h: status.startswith("201"))
    rating_cpu, rating_wall = measure(app, rating_requests(app, ratings), _receipt)
    bare_cpu, bare_wall = measure(bare, bare_requests(ratings), lambda status, _h: status.startswith("201"))
    engine = url.split(":", 1)[0]
    print(
        f"{engine}: rating submit  CPU {rating_cpu:6.3f} ms/request   wall {rating_wall:6.3f} ms   ({ratings} ratings)"
    )
    print(f"{engine}: bare insert    CPU {bare_cpu:6.3f} ms/request   wall {bare_wall:6.3f} ms")
    print(f"{engine}: CPU ratio bare/rating {bare_cpu / rating_cpu:5.2f}")
    if profile:
        requests = rating_requests(app, ratings)
        profiler = cProfile.Profile(time.process_time)  # CPU time, not waits
        profiler.enable()
        measure(app, requests, _receipt)
        profiler.disable()
        if os.environ.get("BENCH_PROFILE_FILE"):
            profiler.dump_stats(os.environ["BENCH_PROFILE_FILE"])
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
        print(out.getvalue())
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(profile)
        print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ratings", type=int, default=2000)
    parser.add_argument("--profile", type=int, default=0, help="print this many costliest functions (cProfile)")
    args = parser.parse_args()
    scratch = scratch_postgres(os.environ["BENCH_DATABASE_URL"]) if os.environ.get("BENCH_DATABASE_URL") else None
    with scratch or scratch_sqlite() as url:
        run(url, args.ratings, args.profile)


if __name__ == "__main__":
    main()
