"""Drill: two app instances behind HAProxy, one PostgreSQL, one Redis, one scheduler; citizens browse and rate.

    .venv/bin/python -m bench.multihost [--seconds 20] [--clients 16] [--workers 2] [--logs DIR]
                                        [--limit-storage memory://]

As two hosts would run it, on this machine: two gunicorn masters on two ports (``--workers`` each, the same
SECRET_KEY), HAProxy in front (round robin, health checks every 0.5 s; bench/_cluster.py), a scratch PostgreSQL database
``rating_bench_<random>`` on the server of BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/postgres;
dropped afterwards), Redis on REDIS_URL (default redis://127.0.0.1:6379) for the rate limits (database 11) and the
page cache (CACHE_REDIS_URL, database 12; both emptied first), and one ``flask scheduler``.

``--clients`` citizens (threads, keep-alive connections to the balancer) loop for ``--seconds``: a public page, a
post page, the post's rating form, a rating (a fresh device cookie each; a 302 to /receipt/... acknowledges it).
At 40 % of the run the second instance is SIGKILLed (master and workers); at 70 % it is started again. Then:
a limit check (one device through the balancer), a cache check (an administrator renames a post through the
balancer; both instances must serve the new name at once), the scheduler's seals and ``flask audit-verify``.
Prints the figures and whether each check holds, and exits 1 when one fails. Needs HAProxy (installed with apt-get
when missing and run as root). Not a test: the machine it runs on sets the figures; docs/scaling.md reads them.
"""

import argparse
import os
import subprocess
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import redis
from sqlalchemy import create_engine, text

from bench import _citizens as citizens
from bench._cluster import Balancer, Instance, Scheduler, flask_command
from bench.directory import seeded_database
from bench.rating_submit import HIGH_LIMIT, scratch_postgres

DEVICE_LIMIT = 6  #: ratings per device per minute in the drill (the app's default)
KILL_AT, RESTART_AT = 0.4, 0.7  #: fractions of the run


def settings(url: str, redis_url: str, limit_storage: str | None) -> dict:
    return {
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-multihost",
        "RATING_ENV": "development",  # session cookies over plain http on loopback
        "RATING_NETWORK_LIMIT": HIGH_LIMIT,  # every citizen comes from 127.0.0.1, the balancer
        "RATING_DEVICE_LIMIT": f"{DEVICE_LIMIT} per minute",
        "RATELIMIT_STORAGE_URI": limit_storage or f"{redis_url}/11",
        "CACHE_REDIS_URL": f"{redis_url}/12",
        "SCHEDULER_IN_PROCESS": "0",
        "PROXY_HOPS": "1",  # the client's address is the one HAProxy forwards (option forwardfor)
    }


def chaos(balancer: Balancer, victim: Instance, started: float, seconds: float, events: list[str]) -> None:
    """Kill ``victim`` at KILL_AT of the run and start it again at RESTART_AT; note what the balancer saw."""
    time.sleep(max(0.0, started + seconds * KILL_AT - time.monotonic()))
    victim.kill()
    events.append(f"{victim.name} SIGKILLed (master and workers) at {time.monotonic() - started:4.1f} s")
    events.append(f"  HAProxy marked it DOWN {balancer.wait_until(victim.name, 'DOWN'):4.1f} s later")
    time.sleep(max(0.0, started + seconds * RESTART_AT - time.monotonic()))
    restarted = time.monotonic() - started
    victim.start()
    events.append(
        f"{victim.name} started again at {restarted:4.1f} s, answering at {time.monotonic() - started:4.1f} s"
    )
    events.append(f"  HAProxy marked it UP {balancer.wait_until(victim.name, 'UP'):4.1f} s after it answered")


SEAL_SECONDS = "SELECT extract(epoch FROM sum(ended_at - started_at)) FROM job_runs WHERE job = 'seal_audit_log'"
#: A table's size with its indexes and TOAST, summed over its partitions if it has any.
TABLE_BYTES = (
    "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM pg_partition_tree(CAST(:table AS regclass))), "
    "pg_total_relation_size(CAST(:table AS regclass)))"
)


def stored(url: str) -> dict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                "receipts": set(conn.scalars(text("SELECT receipt FROM ratings"))),
                "rows": conn.scalar(text("SELECT count(*) FROM ratings")),
                "statuses": Counter(
                    dict(conn.execute(text("SELECT status, count(*) FROM ratings GROUP BY status")).all())
                ),
                "audited": conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'rating.submit'")),
                "unsealed": conn.scalar(text("SELECT count(*) FROM audit_log WHERE seq IS NULL AND seal_id IS NULL")),
                "seals": conn.scalar(text("SELECT count(*) FROM audit_log WHERE action = 'audit.seal'")),
                "lease": conn.execute(text("SELECT holder FROM scheduler_leases")).scalars().all(),
                "runners": conn.scalar(text("SELECT count(DISTINCT runner) FROM job_runs")),
                "seal_runs": conn.scalar(text("SELECT count(*) FROM job_runs WHERE job = 'seal_audit_log'")),
                "seal_seconds": conn.scalar(text(SEAL_SECONDS)) or 0.0,
                "bytes": {
                    table: conn.scalar(text(TABLE_BYTES), {"table": table}) for table in ("ratings", "audit_log")
                },
            }
    finally:
        engine.dispose()


def wait_for_seals(url: str, timeout: float = 80) -> float:
    """Seconds until the scheduler has sealed every citizen's audit entry (its job runs every minute)."""
    started = time.monotonic()
    while stored(url)["unsealed"] and time.monotonic() - started < timeout:
        time.sleep(2)
    return time.monotonic() - started


def holds(ok: bool) -> str:
    return "holds" if ok else "FAILED"


def report_load(load: citizens.Tally, seconds: float, balancer: Balancer) -> None:
    print(load.line("page views", load.page_ms, seconds))
    print(load.line("ratings acknowledged", load.rating_ms, seconds))
    served = ", ".join(f"{name} {n}" for name, n in sorted(load.served_by.items()))
    stats = balancer.servers()
    checks = ", ".join(
        f"{name}: {row['hrsp_5xx'] or 0} 5xx, {row['chkdown'] or 0} checks down, {row['downtime'] or 0} s down"
        for name, row in sorted(stats.items())
    )
    print(f"responses by instance: {served}   (HAProxy: {checks})")
    print(
        f"refused: {load.limited} rate-limited (429), {load.refused} other 4xx; "
        f"errors made by the balancer, never acknowledged (502: in flight on the killed instance; 503: no instance "
        f"up; 0: connection dropped): {dict(load.balancer_errors) or 'none'}"
    )


def report_ratings(before: dict, after: dict, acked: list[str]) -> bool:
    new = after["receipts"] - before["receipts"]
    distinct = set(acked)
    lost = distinct - new
    once = len(acked) == len(distinct) and after["rows"] == len(after["receipts"])
    print(
        f"ratings: {len(acked)} acknowledged, {len(new)} new rows, {len(distinct & new)} acknowledged and stored, "
        f"{len(lost)} acknowledged but missing, {len(new - distinct)} stored without an acknowledgement "
        f"(cut off by the kill), {after['audited'] - before['audited']} audit leaves; new rows by status: "
        f"{dict(after['statuses'] - before['statuses'])}"
    )
    ok = not lost and once
    if new:
        grown = {table: (after["bytes"][table] - before["bytes"][table]) / len(new) for table in after["bytes"]}
        print(
            f"storage per rating (PostgreSQL, with indexes; rough over {len(new)} rows): ratings "
            f"{grown['ratings']:.0f} B, audit log {grown['audit_log']:.0f} B"
        )
    print(f"check: acknowledged ratings stored, each exactly once: {holds(ok)}")
    return ok


def check_load(load: citizens.Tally, seconds: float, balancer: Balancer) -> bool:
    report_load(load, seconds, balancer)
    unserved = sum(n for status, n in load.balancer_errors.items() if status not in (0, 502))
    ok = load.app_errors == 0 and unserved == 0
    print(
        f"check: 0 server errors: {load.app_errors} 5xx from the instances, {unserved} requests no instance "
        f"took (only those in flight on the killed instance may fail): {holds(ok)}"
    )
    return ok


def check_limits(port: int) -> tuple[bool, list[str]]:
    accepted, receipts = citizens.limit_check(port, DEVICE_LIMIT)
    total = sum(accepted.values())
    print(
        f"check: limits hold across instances: one device sent {3 * DEVICE_LIMIT} ratings in a minute through the "
        f"balancer, {total} accepted ({', '.join(f'{name} {n}' for name, n in sorted(accepted.items()))}), "
        f"limit {DEVICE_LIMIT} per minute: {holds(total == DEVICE_LIMIT)}"
    )
    return total == DEVICE_LIMIT, receipts


def check_cache(port: int, instances: list[Instance], redis_url: str) -> bool:
    versions, ok = citizens.cache_check(port, [instance.port for instance in instances])
    keys = redis.Redis.from_url(f"{redis_url}/12").dbsize()
    print(
        f"check: cached post page consistent after an invalidation (post renamed): {versions} "
        f"(shared cache: {keys} keys in Redis): {holds(ok)}"
    )
    return ok


def check_scheduler(before: dict, after: dict, waited: float, env: dict) -> bool:
    verify = flask_command(env, "audit-verify")
    ok = after["unsealed"] == 0 and verify.startswith("audit chain intact")
    ok = ok and len(after["lease"]) == 1 and after["runners"] == 1
    print(
        f"scheduler: lease held by {after['lease']}, {after['runners']} runner in the run log, "
        f"{after['seal_runs']} seal runs taking {after['seal_seconds']:.2f} s in all, "
        f"{after['seals'] - before['seals']} new seals, {after['unsealed']} entries unsealed {waited:.0f} s after "
        f"the load\nflask audit-verify: {verify}\ncheck: one scheduler sealed every leaf, chain intact: {holds(ok)}"
    )
    return ok


def drill(args: argparse.Namespace, url: str, env: dict, parts: tuple) -> bool:
    instances, balancer = parts
    before = stored(url)
    events: list[str] = []
    started = time.monotonic()
    victim = (balancer, instances[1], started, args.seconds, events)
    threading.Thread(target=chaos, args=victim, daemon=True).start()
    load = citizens.browse_and_rate(balancer.port, args.clients, args.seconds)
    while len(events) < 4 and time.monotonic() - started < args.seconds + 60:
        time.sleep(0.2)
    print(f"{args.clients} citizens, {args.seconds:g} s, through HAProxy to 2 instances of gunicorn -w {args.workers}")
    print("\n".join(events))
    results = [check_load(load, args.seconds, balancer)]
    limits_hold, limit_receipts = check_limits(balancer.port)
    results += [limits_hold, check_cache(balancer.port, instances, env["REDIS_URL"])]
    waited = wait_for_seals(url)
    after = stored(url)
    results.append(report_ratings(before, after, load.receipts + limit_receipts))
    results.append(check_scheduler(before, after, waited, env))
    return all(results)


def run(args: argparse.Namespace, url: str, folder: Path) -> bool:
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    for number in (11, 12):
        redis.Redis.from_url(f"{redis_url}/{number}").flushdb()
    seeded_database(url)
    env = {**settings(url, redis_url, args.limit_storage), "REDIS_URL": redis_url}
    instances = [Instance(f"app{n}", env, args.workers, folder) for n in (1, 2)]
    balancer = Balancer(instances, folder)
    scheduler = Scheduler(env, folder)
    try:
        for part in (*instances, balancer, scheduler):
            part.start()
        return drill(args, url, env, (instances, balancer))
    except Exception:
        for log in sorted(folder.glob("*.log")):  # the folder goes with the run: show what the processes said
            print(f"--- {log.name}, last lines:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-15:]))
        raise
    finally:
        for part in (scheduler, balancer, *instances):
            part.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument(
        "--limit-storage",
        help="the limiter's store instead of Redis, e.g. memory:// to see the limit check fail (a count per worker)",
    )
    parser.add_argument("--logs", help="keep the instances', HAProxy's and the scheduler's logs in this folder")
    args = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    print(f"load before: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    with tempfile.TemporaryDirectory(prefix="rating_drill_") as scratch, scratch_postgres(server) as url:
        folder = Path(args.logs or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        ok = run(args, url, folder)
    print(f"load after: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    print(f"drill: {'every check holds' if ok else 'a check FAILED (see above)'}")
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
