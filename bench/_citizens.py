"""What the multi-host drill (bench/multihost.py) sends through the balancer: citizens browsing and rating, one
device over its limit, and an administrator renaming a post. Built on bench/rating_submit.py's Browser (cookies,
CSRF token, device cookie, a 302 to /receipt/... acknowledges a rating). Prints nothing itself.
"""

import csv
import hashlib
import html
import random
import re
import secrets
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pyotp

from bench._load import ROOT
from bench.rating_submit import CSRF_FIELD, POSTS, Browser

#: The public pages a citizen opens besides the post page (home, directory and search, results, notices).
PAGES = ["/", "/posts", "/posts?q=%E6%88%B7%E7%B1%8D", "/results/", "/notices"]
SERVED_BY = "X-Served-By"  #: set by HAProxy on the responses of an instance (bench/_cluster.py)


@dataclass
class Tally:
    page_ms: list[float] = field(default_factory=list)
    rating_ms: list[float] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    served_by: Counter = field(default_factory=Counter)
    app_errors: int = 0  #: 5xx answered by an instance
    #: By status (0: the connection dropped): 5xx made by HAProxy, answers no instance gave.
    balancer_errors: Counter = field(default_factory=Counter)
    limited: int = 0
    refused: int = 0

    def add(self, other: "Tally") -> None:
        for name in ("page_ms", "rating_ms", "receipts"):
            getattr(self, name).extend(getattr(other, name))
        self.served_by.update(other.served_by)
        self.balancer_errors.update(other.balancer_errors)
        for name in ("app_errors", "limited", "refused"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def count(self, status: int, response) -> bool:
        """Count one answer by who gave it; True when it is a success (2xx or 3xx)."""
        instance = response.headers.get(SERVED_BY) if response is not None else None
        if instance:
            self.served_by[instance] += 1
        if status >= 500 and instance:
            self.app_errors += 1
        elif status >= 500 or status == 0:
            self.balancer_errors[status] += 1
            time.sleep(0.2)  # a citizen waits a moment before trying again
        elif status == 429:
            self.limited += 1
        elif status >= 400:
            self.refused += 1
        return 200 <= status < 400

    @staticmethod
    def line(label: str, latencies: list[float], seconds: float) -> str:
        if not latencies:
            return f"{label:<22} none"
        ordered = sorted(latencies)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (
            f"{label:<22} {len(latencies) / seconds:8.1f} /s   p50 {statistics.median(ordered):7.1f} ms   "
            f"p99 {p99:7.1f} ms   ({len(latencies)} in all)"
        )


def _timed(browser: Browser, method: str, path: str, form: dict | None = None):
    t0 = time.perf_counter()
    status, response, page = browser.request(method, path, form)
    return status, response, page, (time.perf_counter() - t0) * 1000


def journey(browser: Browser, tally: Tally) -> None:
    """One citizen's visit: a public page, a post page, its rating form, a rating as a new device."""
    code = random.choice(POSTS)
    page = ""
    for path in (random.choice(PAGES), f"/posts/{code}", f"/posts/{code}/rate"):
        status, response, page, elapsed = _timed(browser, "GET", path)
        if tally.count(status, response):
            tally.page_ms.append(elapsed)
    token = CSRF_FIELD.search(page)
    if token is None:
        return
    browser.cookies["rid"] = secrets.token_urlsafe(16)
    form = {"csrf_token": token.group(1), "level": random.randint(1, 5)}
    status, response, _page, elapsed = _timed(browser, "POST", f"/posts/{code}/rate", form)
    tally.count(status, response)
    location = response.headers.get("Location", "") if response is not None else ""
    if status == 302 and "/receipt/" in location:
        tally.receipts.append(location.rsplit("/", 1)[1])
        tally.rating_ms.append(elapsed)


def browse_and_rate(port: int, clients: int, seconds: float) -> Tally:
    """``clients`` threads, each a citizen with its own cookies and keep-alive connection, for ``seconds``."""
    total, lock = Tally(), threading.Lock()
    stop_at = time.monotonic() + seconds

    def citizen() -> None:
        mine, browser = Tally(), Browser(port)
        while time.monotonic() < stop_at:
            journey(browser, mine)
        with lock:
            total.add(mine)

    threads = [threading.Thread(target=citizen) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return total


def limit_check(port: int, limit: int) -> tuple[Counter, list[str]]:
    """One device sends three times its per-minute limit of ratings (to different posts) through the balancer,
    within one minute. Returns the accepted ones by instance, and the receipts acknowledged."""
    if time.time() % 60 > 50:  # the limit counts per clock minute: start the burst at the top of one
        time.sleep(61 - time.time() % 60)
    browser = Browser(port)
    status, _response, page = browser.request("GET", f"/posts/{POSTS[0]}/rate")
    token = CSRF_FIELD.search(page)
    if token is None:
        raise RuntimeError(f"could not open the rating form through the balancer (status {status})")
    browser.cookies["rid"] = "drill-device-" + secrets.token_hex(4)
    accepted, receipts = Counter(), []
    for code in POSTS[: 3 * limit]:
        status, response, _page = browser.request(
            "POST", f"/posts/{code}/rate", {"csrf_token": token.group(1), "level": 4}
        )
        if status != 429 and response is not None:
            accepted[response.headers.get(SERVED_BY, "?")] += 1
            location = response.headers.get("Location", "")
            if "/receipt/" in location:
                receipts.append(location.rsplit("/", 1)[1])
    return accepted, receipts


def _token(page: str) -> str:
    found = CSRF_FIELD.search(page)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def sign_in_admin(browser: Browser) -> None:
    """The demo administrator signs in through the balancer: password, then the authenticator code."""
    with (ROOT / "seeds" / "users.csv").open(encoding="utf-8") as rows:
        admin = next(row for row in csv.DictReader(rows) if row["role"] == "admin")
    _status, _response, page = browser.request("GET", "/login")
    form = {"csrf_token": _token(page), "username": admin["username"], "password": admin["password"]}
    status, _response, _page = browser.request("POST", "/login", form)
    _status, _response, page = browser.request("GET", "/login/code")
    status, response, _page = browser.request(
        "POST", "/login/code", {"csrf_token": _token(page), "code": pyotp.TOTP(admin["totp_secret"]).now()}
    )
    if status != 302 or "/login" in response.headers.get("Location", ""):
        raise RuntimeError(f"the demo administrator could not sign in (status {status})")


def _edit_form(page: str) -> dict:
    """The post's edit form as it stands: title, responsibilities, commitments, active."""
    title = re.search(r'<input[^>]*name="title"[^>]*value="([^"]*)"', page) or re.search(
        r'<input[^>]*value="([^"]*)"[^>]*name="title"', page
    )
    form = {"csrf_token": _token(page), "title": html.unescape(title.group(1))}
    for name in ("responsibilities", "commitments"):
        found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
        form[name] = html.unescape(found.group(1)).lstrip("\r\n") if found else ""
    active = re.search(r'<input[^>]*name="active"[^>]*>', page)
    if active and "checked" in active.group(0):
        form["active"] = "y"
    return form


def _versions(ports: list[int], path: str, tries: int = 6) -> list[str]:
    """What each instance serves at ``path`` (each asked ``tries`` times on fresh connections, so that every
    worker answers), per-response tokens removed."""
    pages = []
    for port in ports:
        for _ in range(tries):
            _status, _response, page = Browser(port).request("GET", path)
            pages.append(re.sub(r'(nonce|value)="[^"]*"', "", page))
    return pages


def cache_check(port: int, instance_ports: list[int], code: str = "DT-001") -> tuple[str, bool]:
    """Both instances serve a post page (caching it), the administrator renames the post through the balancer,
    then every worker of both instances must serve the new name, one version of the page."""
    _versions(instance_ports, f"/posts/{code}")
    admin = Browser(port)
    sign_in_admin(admin)
    _status, _response, page = admin.request("GET", f"/admin/posts/{code}/edit")
    form = _edit_form(page)
    marker = f"演练{secrets.token_hex(3)}"
    form["title"] = f"{form['title'][:80]} {marker}"
    status, _response, _page = admin.request("POST", f"/admin/posts/{code}/edit", form)
    if status != 302:
        raise RuntimeError(f"renaming {code} failed (status {status})")
    pages = _versions(instance_ports, f"/posts/{code}")
    stale = sum(marker not in page for page in pages)
    distinct = len({hashlib.sha256(page.encode()).hexdigest() for page in pages})
    words = f"{len(pages)} answers from both instances, {stale} with the old name, {distinct} distinct page(s)"
    return words, stale == 0 and distinct == 1
