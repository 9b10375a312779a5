"""Benchmark: the public ranking page of a published cycle under load, beside a bare Flask endpoint.

    .venv/bin/python -m bench.results_page [--clients 32] [--seconds 10]

Seeds a temporary SQLite database (and BENCH_DATABASE_URL's PostgreSQL database when set), computes the current
cycle's verdict, puts it up for public notice, moves the notice period into the past and publishes it, all through
the services. Then it serves the app with gunicorn (2 workers) and prints requests/s, p50 and p99 for
GET /results/<year> (and, for comparison, the title lists and one breakdown) with the ratio to the bare endpoint
measured in the same run, and whether it met its goal: 0.60 of the bare endpoint for the ranking page, 0.50 for the
others (issue 16). The pages come from the shared cache (rating.cache): in-process, or Redis when CACHE_REDIS_URL
is set in the environment.

Every request, to the app and to the bare endpoint alike (and wrk's), sends ``Accept-Encoding: gzip, deflate, br``
as a browser does: the ranking page (about 44 KB) then comes gzip-compressed from the cache, stored so once, and the
client reads the compressed bytes without inflating them; the bare endpoint's "ok" is too short to compress and comes
plain. Each server is measured only once all its workers have loaded the app (bench/_gunicorn.py).

The house load generator (bench/_load.py) is Python: on a small machine it shares the cores with the server, and
reading a 40 KB page costs it far more than reading "ok". So two more figures tell the page's own cost apart:
the app's floor (a constant-string view behind all of the app's hooks: session, sign-in, locale, access rule,
security headers), and, when /usr/bin/wrk exists, the bare endpoint and the ranking page measured again with wrk.
This is not a test and has no pass/fail: it prints figures.
"""

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from datetime import timedelta
from pathlib import Path

from bench._load import gunicorn, run_load
from bench.directory import BROWSER, GOAL, seeded_database, verdict

#: The published ranking page at least this share of the bare endpoint's requests/s (issue 16, item 3); its other
#: pages at least ``GOAL``.
RANKING_GOAL = 0.60


def floor_app():
    """The whole app plus one public view that returns a constant: what any page of it costs at the least.
    ``gunicorn 'bench.results_page:floor_app()'``."""
    from rating import create_app
    from rating.security import public

    app = create_app()

    @app.get("/_floor")
    @public
    def floor():
        return "ok"

    return app


def published_cycle(url: str) -> int:
    """Publish the seeded current cycle through the services (once); returns its year."""
    from sqlalchemy import select

    from rating import create_app
    from rating.clock import local_today
    from rating.extensions import db
    from rating.models.cycles import Cycle, CycleStatus
    from rating.services import audit
    from rating.services.verdict import lifecycle

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SCHEDULER_IN_PROCESS": False})
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == local_today().year))
        if cycle.status != CycleStatus.PUBLISHED:
            lifecycle.compute_final(audit.CLI, cycle)
            lifecycle.start_notice(audit.CLI, cycle)
            cycle.notice_starts_on -= timedelta(days=10)
            cycle.notice_ends_on = local_today() - timedelta(days=1)
            lifecycle.publish(audit.CLI, cycle)
            db.session.commit()
        year = cycle.year
        db.engine.dispose()
    return year


def wrk(port: int, path: str, clients: int, seconds: float, headers: dict) -> tuple[float, str]:
    """(requests/s, p99) from wrk, or (0, "") when wrk is not installed."""
    if not shutil.which("wrk"):
        return 0.0, ""
    command = [
        "wrk",
        "-t2",
        f"-c{clients}",
        f"-d{max(1, round(seconds))}s",
        "--latency",
        *(arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")),
        f"http://127.0.0.1:{port}{path}",
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    return rps, re.search(r"99%\s+(\S+)", out).group(1)


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
        bare_wrk = wrk(port, "/", args.clients, args.seconds, headers)
    print(bare.line("bare Flask endpoint"))
    for name, url in engines:
        seeded_database(url)
        year = published_cycle(url)
        pages = [  # (label, path, goal)
            ("ranking page", f"/results/{year}", RANKING_GOAL),
            ("app floor", "/_floor", None),
            ("title lists", f"/results/{year}/titles", GOAL),
            ("breakdown page", f"/results/{year}/posts/DT-001", GOAL),
            ("department ranking", f"/results/{year}/departments", GOAL),
            ("API results", f"/api/v1/cycles/{year}/results", GOAL),
        ]
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "RATING_ENV": "production", "RATELIMIT_ENABLED": "0"}
        with gunicorn("bench.results_page:floor_app()", env) as port:
            for label, path, goal in pages:
                result = run_load(port, path, args.clients, args.seconds, headers=headers)
                ratio = result.rps / bare.rps
                print(
                    result.line(f"{name}: {label}")
                    + f"   ratio to bare {ratio:5.2f}"
                    + (verdict(ratio, goal) if goal else "")
                )
            ranking = wrk(port, pages[0][1], args.clients, args.seconds, headers)
        if bare_wrk[0] and ranking[0]:
            print(f"{'wrk: bare Flask endpoint':<28} {bare_wrk[0]:9.1f} req/s   p99 {bare_wrk[1]}")
            print(
                f"{'wrk: ' + name + ': ranking page':<28} {ranking[0]:9.1f} req/s   p99 {ranking[1]}"
                f"   ratio to bare {ranking[0] / bare_wrk[0]:5.2f}" + verdict(ranking[0] / bare_wrk[0], RANKING_GOAL)
            )


if __name__ == "__main__":
    main()
