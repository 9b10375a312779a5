"""Public pages from a shared cache (公开页面缓存): one ETag/304 scheme for pages and API alike; used by the public,
results, complaint statistics and API blueprints.

Where: Flask-Caching (``extensions.cache``) on Redis when CACHE_REDIS_URL is set, shared by every worker and host;
otherwise an in-process SimpleCache (one process: development, tests).

Invalidation by generation: public content falls into a few *areas* (the directory, the results, the notices, the
complaints). Each area has a generation token in the cache; a page's key holds the tokens of the areas it shows, so
a new token makes every page of that area miss at once, in every process that reads the same cache. The token is
replaced after a commit that inserted, changed or deleted a row of one of the area's tables (``TABLE_AREAS``,
watched on every session: flushes and bulk statements alike), whichever service, command or job made it. A
citizen's rating touches none of them: the post page's tally stays as cached until the page expires
(CACHE_DEFAULT_TIMEOUT seconds) or its post, cycle or published results change.

Without Redis, another process (a second gunicorn worker, a command) does not see the new token: its pages follow
after CACHE_DEFAULT_TIMEOUT seconds, and the lookups that say which result set a year shows after
``LOOKUP_SECONDS``, so the results pages change within those seconds as before.

What is shared: only a page rendered for nobody in particular. A signed-in user's page (its navigation differs and
rating.security marks it ``private, no-store``), a page that shows a flashed message, and any page whose rendering
made a CSRF token or flashed a message are rendered fresh and never kept. The key holds the language (from the
session cookie or ``?lang=``, as ``rating.select_locale`` decides), hence ``Vary: Cookie``; the API's JSON is the
same in every language and is keyed without it.

The key holds the page's path and only the query parameters it reads, as each route declares them (``query=``), with
their values normalised; the page is rendered with those alone in ``request.args``. Any other parameter
(``/?junk=1``) is answered with the bare URL's entry, so a script cannot fill the cache with junk keys, and a page
cannot differ from what its key says. Its language switch links back to the page's own address (``page_path``), never
to a first reader's extra parameters.

One ETag scheme: the strong ETag of a response is a hash of its body and its language, stored with the body, so a
reader who sends it back in If-None-Match gets 304 Not Modified without a render. A text or JSON body of
``GZIP_MIN_BYTES`` or more is also stored gzip-compressed (once, when stored): a reader whose browser accepts gzip
gets it with ``Content-Encoding: gzip``, its own ETag (the plain one with ``-gz``) and ``Vary: Accept-Encoding``.

If Redis fails, pages are rendered fresh (and the failure logged) rather than refused; a change committed while it
is down cannot renew its areas' generations, so pages cached before may be shown until they expire.
"""

import gzip
import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from urllib.parse import urlencode

from flask import Response, current_app, g, has_app_context, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from redis.exceptions import RedisError
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.datastructures import ImmutableMultiDict

from rating.extensions import cache

#: Which public content a table feeds. Ratings are absent on purpose: they change no page until the verdict runs.
TABLE_AREAS = {
    "units": "directory",
    "posts": "directory",
    "holders": "directory",
    "tenures": "directory",
    "cycles": "results",
    "result_sets": "results",
    "results": "results",
    "ranking_sets": "results",
    "department_results": "results",
    "station_results": "results",
    "transfer_orders": "results",
    "inspection_findings": "notices",
    "ledger_entries": "notices",
    "complaints": "complaints",
    "complaint_centres": "complaints",
}
AREAS = tuple(sorted(set(TABLE_AREAS.values())))
#: How long a process trusts a lookup it remembered (which set a year shows), without Redis across processes.
LOOKUP_SECONDS = 5.0
#: A published set never changes: browsers and proxies may keep its pages for a minute. Anything else must be
#: revalidated (answered with 304 while unchanged).
FINAL, REVALIDATE = "public, max-age=60", "no-cache"
#: A page that holds something of its reader (a form's token, a message).
PRIVATE = "private, no-store"
#: A text or JSON body this long or longer is also kept gzip-compressed; a shorter one gains little on the wire.
GZIP_MIN_BYTES = 1024
#: The longest value of a query parameter a cached page reads (the directory's search words: 100 characters).
ARGUMENT_CHARS = 100


# --- generations ------------------------------------------------------------------------------------------------


def _generation_key(area: str) -> str:
    return f"generation:{area}"


def generations() -> dict[str, str]:
    """Every area's current token, read once per request (one round trip to Redis). Kept on the request, not on
    ``g``: a test's or a script's app context outlives many requests."""
    found = getattr(request, "public_generations", None) if has_request_context() else None
    if found is None:
        found = dict(zip(AREAS, cache.get_many(*[_generation_key(area) for area in AREAS]), strict=True))
        for area, token in found.items():
            if token is None:  # never set, or evicted: a new token only makes that area's pages miss once
                cache.add(_generation_key(area), uuid.uuid4().hex, timeout=0)
                found[area] = cache.get(_generation_key(area))
        if has_request_context():
            request.public_generations = found
    return found


def invalidate(areas: Iterable[str]) -> None:
    """Give each area a new token: every cached page and remembered lookup of it is out of date at once."""
    cache.set_many({_generation_key(area): uuid.uuid4().hex for area in areas}, timeout=0)
    if has_request_context():
        request.public_generations = None


def _note(session: Session, tables: Iterable[str]) -> None:
    areas = {TABLE_AREAS[name] for name in tables if name in TABLE_AREAS}
    if areas:
        session.info.setdefault("public_areas", set()).update(areas)


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, _context) -> None:
    changed = (*session.new, *session.dirty, *session.deleted)
    _note(session, {getattr(getattr(obj, "__table__", None), "name", None) for obj in changed})


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if (state.is_insert or state.is_update or state.is_delete) and state.bind_mapper is not None:
        _note(state.session, [state.bind_mapper.local_table.name])


@event.listens_for(Session, "after_commit")
def _invalidate_on_commit(session: Session) -> None:
    # Changes of a rolled-back savepoint stay noted: a needless new token costs one render, a missed one a stale page.
    areas = session.info.pop("public_areas", None)
    if areas and has_app_context() and "cache" in current_app.extensions:
        try:
            invalidate(areas)
        except RedisError:
            current_app.logger.exception("public page cache: could not invalidate %s", sorted(areas))


# --- lookups and pages ------------------------------------------------------------------------------------------


def remembered(key, load: Callable, areas: Iterable[str] = AREAS):
    """``load()``, remembered in this process for ``LOOKUP_SECONDS`` while ``areas`` keep their tokens, unless it is
    None (a page that does not exist yet is looked up again on every request, so it appears once published)."""
    lookups = current_app.extensions.setdefault("public_lookups", {})
    try:
        now, tokens = time.monotonic(), tuple(generations()[area] for area in areas)
    except RedisError:
        return load()  # logged by the page that follows
    found = lookups.get(key)
    if found is not None and found[0] > now and found[1] == tokens:
        return found[2]
    value = load()
    if value is not None:
        lookups[key] = (now + LOOKUP_SECONDS, tokens, value)
    return value


def shareable() -> bool:
    """Whether this request may be answered with, and fill, a page kept for everyone."""
    return not current_user.is_authenticated and "_flashes" not in session


def _etag(body: bytes, language: str) -> str:
    return hashlib.sha256(body + b"\0" + language.encode("ascii")).hexdigest()[:32]


def _encoded(body: str | bytes) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def page(
    depends_on: tuple,
    render: Callable[[], str | bytes | Response],
    *,
    query: tuple[str, ...] = (),
    areas: Iterable[str] = AREAS,
    final: bool = False,
    localised: bool = True,
    mimetype: str = "text/html; charset=utf-8",
    headers: dict | None = None,
) -> Response:
    """The response for a public GET that shows only ``areas``, ``depends_on`` and the query parameters named in
    ``query`` (plus the path and, when ``localised``, the language): from the cache when rendered before, 304 when
    the reader already has it. ``render`` sees only the ``query`` parameters in ``request.args`` (see
    ``_arguments``); it may return a Response (a redirect), which is passed on and never kept."""
    language = str(get_locale()) if localised else ""
    arguments = _arguments(query)
    # Set as plain strings: this runs on every request and the header objects cost more than the lookup.
    vary = {"Vary": "Cookie"} if localised else {}
    if not shareable():  # made for this reader (signed in, or shown a message): no proxy may keep it either
        return _fresh(render, arguments, mimetype, {**(headers or {}), **vary, "Cache-Control": PRIVATE})
    try:
        tokens = tuple(generations()[area] for area in sorted(areas))
        digest = hashlib.sha256(repr((depends_on, tokens, language, request.path, arguments)).encode()).hexdigest()
        key = f"page:{digest}"
        kept = cache.get(key)  # (etag, body, gzip-compressed body or None)
    except RedisError:
        current_app.logger.exception("public page cache unavailable: rendering %s fresh", request.path)
        return _fresh(render, arguments, mimetype, {**(headers or {}), **vary})
    if kept is None:
        body = _rendering(render, arguments)
        if isinstance(body, Response):
            return body
        if not _impersonal():  # made for this reader alone: neither kept here nor by any proxy
            return Response(body, content_type=mimetype, headers={**(headers or {}), **vary, "Cache-Control": PRIVATE})
        body = _encoded(body)
        kept = (_etag(body, language), body, _compressed(body, mimetype))
        _keep(key, kept)
    etag, body, zipped = kept
    encoding = {}
    if zipped is not None:  # the page comes in two encodings: every answer says which header chose it
        vary = {"Vary": "Accept-Encoding, Cookie" if localised else "Accept-Encoding"}
        if _accepts_gzip():
            etag, body, encoding = f"{etag}-gz", zipped, {"Content-Encoding": "gzip"}
    common = {"Cache-Control": FINAL if final else REVALIDATE, **vary, "ETag": f'"{etag}"'}
    if "If-None-Match" in request.headers and request.if_none_match.contains(etag):
        return Response(status=304, headers=common)
    return Response(body, content_type=mimetype, headers={**common, **encoding, **(headers or {})})


def _number(value: str) -> str | None:
    from rating.views import lenient_int  # the views' own reading of ?page= and ?cycle=

    try:
        return str(lenient_int(value))
    except ValueError:
        return None


def _day(value: str) -> str | None:
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


#: How a cached page's views read a parameter, so that the key holds what the page shows and no more: a page number
#: or year as its number, a day as its ISO date (the views read anything else as absent), a unit code as its first
#: 20 characters (without the spaces that end them). Any other parameter (the search words) is kept as its first
#: ``ARGUMENT_CHARS`` characters.
_READERS: dict[str, Callable[[str], str | None]] = {
    "page": _number,
    "cycle": _number,
    "from": _day,
    "to": _day,
    "unit": lambda value: value[:20].rstrip(),
}


def _arguments(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The query parameters ``names`` of this request as a cached page reads them (``_READERS``): the first value of
    each, without surrounding spaces; an empty or unreadable one is absent (the views read ``?q=`` or ``?page=x`` as
    no such parameter), so ``?page=a1`` and ``?page=a2`` share the page of no ``page``."""
    found = []
    for name in names:
        value = request.args.get(name, "").strip()
        value = _READERS.get(name, _first_chars)(value) if value else None
        if value:
            found.append((name, value))
    return tuple(found)


def _first_chars(value: str) -> str:
    return value[:ARGUMENT_CHARS]


def page_path() -> str:
    """The address of the page being rendered, for its language switch (a template global): a cached page's path
    with the parameters its key holds, so a page kept for everyone links to itself and to no first reader's extra
    parameters; any other page's full path."""
    return getattr(request, "page_path", None) or request.full_path


def _rendering(render: Callable, found: tuple[tuple[str, str], ...]):
    """``render()`` with only the parameters ``found`` in ``request.args``: a page cannot depend on what its key
    does not hold."""
    saved = request.args
    request.args = ImmutableMultiDict(found)
    request.page_path = request.path + (f"?{urlencode(found)}" if found else "")
    try:
        return render()
    finally:
        request.args = saved


def _compressed(body: bytes, mimetype: str) -> bytes | None:
    """``body`` gzip-compressed (the same bytes in every process: no timestamp), or None when it is short or not
    text (a spreadsheet is compressed already)."""
    if len(body) < GZIP_MIN_BYTES or not mimetype.startswith(("text/", "application/json")):
        return None
    return gzip.compress(body, compresslevel=9, mtime=0)


def _accepts_gzip() -> bool:
    """Whether the reader's Accept-Encoding takes gzip: a browser's plain list (``gzip, deflate, br``) is read
    without parsing; one with weights (``gzip;q=0``) is parsed."""
    header = request.headers.get("Accept-Encoding", "")
    if "gzip" not in header and "*" not in header:
        return False
    return ";" not in header or request.accept_encodings["gzip"] > 0


def _impersonal() -> bool:
    """Whether a page just rendered holds nothing of its reader: no CSRF token was made for it and no message
    flashed. (The session may have changed all the same, without a trace in the page: a language chosen with
    ``?lang=``, say.)"""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") not in g and "_flashes" not in session


def _keep(key: str, kept: tuple) -> None:
    try:
        cache.set(key, kept)
    except RedisError:
        current_app.logger.exception("public page cache unavailable: %s not kept", request.path)


def _fresh(render: Callable, found: tuple, mimetype: str, headers: dict) -> Response:
    body = _rendering(render, found)
    return body if isinstance(body, Response) else Response(body, content_type=mimetype, headers=headers)
