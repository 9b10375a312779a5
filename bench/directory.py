"""Benchmark: the public post directory, the post page, the other public pages and the posts API under load, beside a
bare Flask endpoint.

    .venv/bin/python -m bench.directory [--clients 32] [--seconds 10]

Serves the seeded demo database with gunicorn (2 workers) on SQLite, and on PostgreSQL when BENCH_DATABASE_URL is
set, then prints requests/s, p50 and p99 for each page and the ratio to the bare endpoint measured in the same run, with
the goal (issue 16: each public page at least half the bare endpoint) and whether this run met it. The pages come
from the shared cache (rating.cache): in-process, or Redis when CACHE_REDIS_URL is set in the environment.

Every request, to the app and to the bare endpoint alike, sends ``Accept-Encoding: gzip, deflate, br`` as a browser
does: a page of 1 KB or more then comes gzip-compressed from the cache (the bare endpoint's "ok" is too short and
comes plain), and the client reads the compressed bytes without inflating them. Each server is measured only once
all its workers have loaded the app (bench/_gunicorn.py), and each page after a second's warm-up.
This is not a test: it prints figures, and on a loaded machine they say little.
"""

import argparse
import os
import tempfile
from pathlib import Path

from bench._load import gunicorn, run_load

PAGES = [
    ("home", "/"),
    ("directory page 1", "/posts"),
    ("directory search", "/posts?q=%E6%88%B7%E7%B1%8D"),
    ("post page", "/posts/DT-001"),
    ("notices", "/notices"),
    ("complaint statistics", "/complaints/stats"),
    ("API /api/v1/posts", "/api/v1/posts"),
]
#: What every request of these benchmarks sends, as a browser does.
BROWSER = {"Accept-Encoding": "gzip, deflate, br"}
#: Each public page at least this share of the bare endpoint's requests/s (issue 16, item 3).
GOAL = 0.50


def verdict(ratio: float, goal: float) -> str:
    """How a ratio compares with its goal, for the printed line."""
    return f"   goal >= {goal:.2f} {'met' if ratio >= goal else 'NOT met'}"


def seeded_database(url: str) -> None:
    from flask_migrate import upgrade

    from rating import create_app, demo
    from rating.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        if demo.database_is_empty():
            demo.run()
            db.session.commit()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--plain", action="store_true", help="send no Accept-Encoding: every page comes uncompressed")
    args = parser.parse_args()
    headers = {} if args.plain else BROWSER
    engines = [("sqlite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")]
    if os.environ.get("BENCH_DATABASE_URL"):
        engines.append(("postgresql", os.environ["BENCH_DATABASE_URL"]))
    cache = "Redis " + os.environ["CACHE_REDIS_URL"] if os.environ.get("CACHE_REDIS_URL") else "in-process"
    print(f"{args.clients} concurrent clients, {args.seconds:g} s per measurement, gunicorn -w 2, loopback")
    print(f"Accept-Encoding: {headers.get('Accept-Encoding', '(none)')}")
    print(f"page cache {cache}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with gunicorn("bench.bare_app:app", {}) as port:
        bare = run_load(port, "/", args.clients, args.seconds, headers=headers)
    print(bare.line("bare Flask endpoint"))
    for name, url in engines:
        seeded_database(url)
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATING_ENV": "production", "RATELIMIT_ENABLED": "0"}
        with gunicorn("rating:create_app()", env) as port:
            for label, path in PAGES:
                result = run_load(port, path, args.clients, args.seconds, headers=headers)
                ratio = result.rps / bare.rps
                print(result.line(f"{name}: {label}") + f"   ratio to bare {ratio:5.2f}" + verdict(ratio, GOAL))


if __name__ == "__main__":
    main()
