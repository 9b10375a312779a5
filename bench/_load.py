"""A small closed-loop HTTP load generator (keep-alive connections, one per client thread) and gunicorn helpers.

Used by the benchmarks in this folder; prints nothing itself. Traffic goes to 127.0.0.1 only.
"""

import http.client
import os
import runpy
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else float("nan")

    def line(self, label: str) -> str:
        return (
            f"{label:<28} {self.rps:9.1f} req/s   p50 {statistics.median(self.latencies_ms):7.2f} ms   "
            f"p99 {self.percentile(0.99):7.2f} ms   errors {self.errors}"
        )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str = "/", timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not answer within {timeout}s")


def server_settings(database_url: str) -> str:
    """The gunicorn settings gunicorn.conf.py gives a server of ``database_url``, in words."""
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = database_url
    try:
        conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL")
        else:
            os.environ["DATABASE_URL"] = saved
    threads = f" --threads {conf['threads']}" if conf["worker_class"] == "gthread" else ""
    return f"gunicorn -w {conf['workers']} -k {conf['worker_class']}{threads}"


@contextmanager
def gunicorn(app_spec: str, env: dict, ready_timeout: float = 120):
    """Run gunicorn with the project's gunicorn.conf.py (the production settings, through bench/_gunicorn.py) on a
    free loopback port; yields the port once every worker has loaded the app. The app and its baseline are served
    alike."""
    port = free_port()
    bin_dir = Path(sys.executable).parent
    config = str(ROOT / "bench" / "_gunicorn.py")
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    workers = int(env["WEB_WORKERS"]) if "WEB_WORKERS" in env else conf["workers"]
    with tempfile.TemporaryDirectory() as ready:
        process = subprocess.Popen(
            [str(bin_dir / "gunicorn"), "-c", config, "-b", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
            cwd=ROOT,
            env={**os.environ, **env, "BENCH_READY_DIR": ready},
        )
        try:
            wait_for(port)
            deadline = time.monotonic() + ready_timeout
            while len(os.listdir(ready)) < workers:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError(f"gunicorn's workers did not all start within {ready_timeout}s")
                time.sleep(0.1)
            yield port
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)


def run_load(
    port: int, path: str, clients: int, seconds: float, warmup: float = 1.0, headers: dict | None = None
) -> LoadResult:
    """``clients`` threads each send GETs back to back for ``seconds``, with ``headers``; bounded in time, loopback
    only. A compressed answer is read as it came (counted, not inflated)."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start_at = time.monotonic() + warmup
    stop_at = start_at + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine: list[float] = []
        failed = 0
        while (now := time.monotonic()) < stop_at:
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            elapsed = (time.perf_counter() - t0) * 1000
            if now >= start_at:
                if ok:
                    mine.append(elapsed)
                else:
                    failed += 1
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return LoadResult(len(latencies), errors[0], seconds, latencies)
