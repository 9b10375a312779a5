"""Rendered result pages kept in memory (评议结果页面缓存), with ETags; used by rating.results.routes.

A published or notice result set is never changed once written, so a page drawn from it stays the same bytes for
as long as that set is the one shown. A view names what its page depends on (the set's id and content hash, the
cycle's notice state, the page); the language and the URL are added here. The first request renders and stores the
bytes, later ones are answered from memory or with 304 Not Modified. The URL is part of the key because the page's
language switch links back to it; odd query strings can only push older pages out of the bounded cache.

Only anonymous pages without flashed messages are shared: a signed-in user's page (its navigation differs, and
rating.security marks it ``private, no-store``) and a page that shows a flash are rendered fresh and never kept.
The result pages hold no form, so there is no CSRF token to leak between readers.

Which set a year shows is itself remembered for ``LOOKUP_SECONDS``: the one query a page would otherwise run on
every request; so is what the pages show of the cycle's transfer orders ("已调离" on a warned line). A publication,
correction, change of a cycle or of a transfer order committed in this process forgets both at once;
other processes (gunicorn's other workers, the command line) show the change within those seconds.
"""

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import Response, current_app, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session, object_session

from rating.models.accountability import TransferOrder
from rating.models.cycles import Cycle
from rating.models.results import ResultSet

#: Rendered pages kept per process (each at most about 60 KB, so a few megabytes per worker).
SIZE = 256
#: How long a process trusts its lookup of which set a year shows.
LOOKUP_SECONDS = 5.0


class LRU:
    """A bounded mapping that forgets the least recently used entry; safe under threaded workers."""

    def __init__(self, size: int = SIZE):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)


def pages() -> LRU:
    """This application's page cache (one per app, so tests and several apps in one process never share)."""
    return current_app.extensions.setdefault("results_pages", LRU())


def _lookups() -> dict:
    return current_app.extensions.setdefault("results_lookups", {})


def remembered(key, load: Callable):
    """``load()``, remembered for ``LOOKUP_SECONDS`` unless it is None (a page that does not exist yet is looked
    up again on every request, so it appears as soon as it is published)."""
    now = time.monotonic()
    found = _lookups().get(key)
    if found is not None and found[0] > now:
        return found[1]
    value = load()
    if value is not None:
        _lookups()[key] = (now + LOOKUP_SECONDS, value)
    return value


@event.listens_for(ResultSet, "after_insert")
@event.listens_for(Cycle, "after_update")
@event.listens_for(TransferOrder, "after_update")
def _note_change(_mapper, _connection, target) -> None:
    session = object_session(target)
    if session is not None:
        session.info["results_changed"] = True


@event.listens_for(Session, "after_commit")
def _forget_lookups(session) -> None:
    if session.info.pop("results_changed", False) and has_app_context():
        _lookups().clear()


def _shareable() -> bool:
    return not current_user.is_authenticated and "_flashes" not in session


#: A published set never changes: browsers and proxies may keep its pages for a minute. A notice page must be
#: revalidated (its ETag changes when the notice period ends by the calendar).
FINAL, REVALIDATE = "public, max-age=60", "no-cache"


def page(
    depends_on: tuple,
    render: Callable[[], str | bytes],
    *,
    final: bool = True,
    mimetype: str = "text/html; charset=utf-8",
    headers: dict | None = None,
) -> Response:
    """The response for a page that depends only on ``depends_on`` and the language: from memory when it was
    rendered before, 304 when the reader already has it."""
    if not _shareable():
        return Response(render(), mimetype=mimetype, headers=headers)
    language = str(get_locale())
    key = (depends_on, language, request.full_path)
    kept = pages().get(key)  # (etag, body)
    etag = kept[0] if kept else hashlib.sha256(repr((depends_on, language)).encode("utf-8")).hexdigest()[:32]
    # Set as plain strings: this runs on every request and the header objects cost more than the page lookup.
    # The language comes from the session cookie (or ?lang=, which is part of the URL anyway), hence Vary: Cookie.
    common = {"ETag": f'"{etag}"', "Cache-Control": FINAL if final else REVALIDATE, "Vary": "Cookie"}
    if "If-None-Match" in request.headers and request.if_none_match.contains(etag):
        return Response(status=304, headers=common)
    if kept is None:
        body = render()
        kept = (etag, body.encode("utf-8") if isinstance(body, str) else body)
        pages().put(key, kept)
    return Response(kept[1], mimetype=mimetype, headers={**common, **(headers or {})})
