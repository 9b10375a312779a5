"""The parts of the multi-host drill (bench/multihost.py) as processes on this machine: app instances (each its own
gunicorn master), an HAProxy balancer in front of them, and one ``flask scheduler``. Prints nothing itself.

Every process is started here in its own process group and ended here by that group's id, never by name.
"""

import csv
import http.client
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from bench._load import ROOT, free_port, wait_for

BIN = Path(sys.executable).parent
#: HAProxy marks an instance down at its first refused connection or after two failed checks half a second apart,
#: up again after two good checks; it sends an instance at most as many requests at once as it has (sync) workers.
HAPROXY_CONFIG = """\
global
    maxconn 2000
    log stdout format raw local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    # Requests beyond an instance's workers wait here rather than in gunicorn's backlog, in front of health checks.
    timeout queue 30s
    timeout check 5s
    # A connection refused by a dead instance is retried on another (the request was never sent), at every retry.
    retries 3
    option redispatch 1
frontend citizens
    bind 127.0.0.1:{port}
    # The app trusts one proxy (PROXY_HOPS=1) and reads the client's address from this header.
    option forwardfor
    default_backend apps
backend apps
    balance roundrobin
    option httpchk GET /static/css/site.css
    # Which instance answered: on every response of an instance, never on an error made by the balancer.
    http-response set-header X-Served-By %s
{servers}
listen stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"""
SERVER_LINE = (
    "    server {name} 127.0.0.1:{port} maxconn {workers} check inter 500ms fall 2 rise 2"
    " observe layer4 error-limit 1 on-error mark-down"
)


def _start(argv: list[str], env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            argv, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out, start_new_session=True
        )


def _end(process: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
    """Signal the process group this module started (master and workers), then reap the master."""
    if process is None or process.poll() is not None:
        return
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class Instance:
    """One app instance: a gunicorn master and its workers on a fixed loopback port, as on a host of its own."""

    def __init__(self, name: str, env: dict, workers: int, folder: Path):
        self.name, self.env, self.workers = name, env, workers
        self.port = free_port()
        self.log = folder / f"{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        argv = [str(BIN / "gunicorn"), "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}"]
        self.process = _start([*argv, "--log-level", "warning", "rating:create_app()"], self.env, self.log)
        wait_for(self.port, "/static/css/site.css", timeout=60)

    def kill(self) -> None:
        """SIGKILL the master and every worker at once, as a lost host: nothing is finished or flushed."""
        _end(self.process, signal.SIGKILL)

    def stop(self) -> None:
        _end(self.process)


class Balancer:
    """HAProxy in the foreground, round robin over the instances with health checks; its CSV statistics page."""

    def __init__(self, instances: list[Instance], folder: Path):
        self.port, self.stats_port = free_port(), free_port()
        servers = "\n".join(SERVER_LINE.format(name=i.name, port=i.port, workers=i.workers) for i in instances)
        self.config = folder / "haproxy.cfg"
        self.config.write_text(HAPROXY_CONFIG.format(port=self.port, stats_port=self.stats_port, servers=servers))
        self.log = folder / "haproxy.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = _start([haproxy_binary(), "-db", "-f", str(self.config)], {}, self.log)
        wait_for(self.port, "/static/css/site.css")

    def stop(self) -> None:
        _end(self.process)

    def servers(self) -> dict[str, dict[str, str]]:
        """Per instance: HAProxy's counters (stot requests, hrsp_5xx, status, chkdown, downtime, ...)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.stats_port, timeout=5)
        conn.request("GET", "/stats;csv")
        text = conn.getresponse().read().decode().lstrip("# ")
        rows = csv.DictReader(io.StringIO(text))
        return {row["svname"]: row for row in rows if row["pxname"] == "apps" and row["svname"] != "BACKEND"}

    def wait_until(self, name: str, status: str, timeout: float = 30) -> float:
        """Seconds until the balancer's health checks report instance ``name`` with ``status`` (UP or DOWN)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.servers().get(name, {}).get("status", "").startswith(status):
                return time.monotonic() - started
            time.sleep(0.1)
        raise RuntimeError(f"HAProxy did not see {name} {status} within {timeout}s")


def haproxy_binary() -> str:
    """HAProxy from Debian; installed with apt-get when missing and the drill runs as root."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/sbin")
    if found:
        return found
    if os.geteuid() != 0:
        raise SystemExit("HAProxy is missing: apt-get install haproxy (as root), then run the drill again")
    subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "haproxy"], check=True)
    return shutil.which("haproxy", path="/usr/sbin:/usr/bin:/sbin") or "/usr/sbin/haproxy"


class Scheduler:
    """``flask --app rating scheduler``: the one process holding the jobs' lease."""

    def __init__(self, env: dict, folder: Path):
        self.env, self.log = env, folder / "scheduler.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = _start([str(BIN / "flask"), "--app", "rating", "scheduler"], self.env, self.log)

    def stop(self) -> None:
        _end(self.process)


def flask_command(env: dict, *args: str) -> str:
    """Run one ``flask --app rating`` command against the drill's database; its output, stderr included."""
    done = subprocess.run(
        [str(BIN / "flask"), "--app", "rating", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return (done.stdout + done.stderr).strip()
