"""Benchmark: how fast the scheduler seals citizens' audit entries (rating.services.audit_seals), the one job that
grows with the ratings and runs in one process only.

    .venv/bin/python -m bench.audit_seal [--leaves 10000] [--rounds 3]

On a freshly migrated and seeded database, SQLite (a temp file) and PostgreSQL when BENCH_DATABASE_URL is set (a
scratch database ``rating_bench_<random>`` on that server, dropped afterwards): each round appends ``--leaves``
citizens' entries as ratings do (``audit.append``), commits, then times ``seal_pending`` sealing them. Prints the
seconds per round and the leaves sealed per second, beside the peak that docs/scaling.md sizes for (159 ratings/s).
This is not a test: it prints figures.
"""

import argparse
import os
import time

from bench.directory import seeded_database
from bench.rating_submit import scratch_postgres, scratch_sqlite

PEAK_RATINGS_PER_SECOND = 159  #: 100 million ratings a year, peaks of 50 times the mean (docs/scaling.md)


def seal_rounds(url: str, leaves: int, rounds: int) -> list[float]:
    from rating import create_app
    from rating.extensions import db
    from rating.services import audit, audit_seals

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    timings = []
    with app.app_context():
        audit_seals.seal_pending(audit.CLI)  # the demo's own leaves
        for _ in range(rounds):
            for n in range(leaves):
                audit.append(audit.CITIZEN, "rating.submit", "rating", n, after={"level": 4, "post": "DT-001"})
            db.session.commit()
            started = time.perf_counter()
            sealed = audit_seals.seal_pending(audit.CLI)
            timings.append(time.perf_counter() - started)
            if sealed != leaves:
                raise RuntimeError(f"sealed {sealed} leaves, expected {leaves}")
        db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", type=int, default=10_000, help="leaves per seal (SEAL_BATCH is 10,000)")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engines = [("sqlite", scratch_sqlite)]
    if os.environ.get("BENCH_DATABASE_URL"):
        engines.append(("postgresql", lambda: scratch_postgres(os.environ["BENCH_DATABASE_URL"])))
    for name, scratch in engines:
        with scratch() as url:
            seeded_database(url)
            timings = seal_rounds(url, args.leaves, args.rounds)
        best = min(timings)
        print(
            f"{name}: {args.leaves:,} leaves sealed in {', '.join(f'{t:.2f}' for t in timings)} s; best "
            f"{args.leaves / best:,.0f} leaves/s, {args.leaves / best / PEAK_RATINGS_PER_SECOND:.0f}x the peak of "
            f"{PEAK_RATINGS_PER_SECOND} ratings/s"
        )


if __name__ == "__main__":
    main()
