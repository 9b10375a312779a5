"""Several rate limits of one view checked in one round trip to the limiter's store (the rating submit's network and
device limits, issue 16 item 1).

Flask-Limiter checks each limit of a view with its own call to the store, and reads the store twice more after the
view for the ``X-RateLimit-*`` headers: on Redis, a rating under the default limits (two per string) made six round
trips. ``limits`` here does what its stacked ``@limiter.limit`` decorators did, with the same extension (its store,
``RATELIMIT_ENABLED``, ``RATELIMIT_KEY_PREFIX``, strategy, headers) and the same counters (the keys Flask-Limiter gives
them), so ``limiter.reset()`` clears them and a deploy keeps counting where the last one stopped: every window is
counted in the order Flask-Limiter counts them (shortest first, then as declared), counting stops at the first one
exceeded, which answers 429, and the headers describe that one, or else the first. On Redis with the fixed-window
strategy (the default) all of that is one Lua script; on any other store or strategy the windows are hit one by one
through the extension's own strategy, as Flask-Limiter would.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, wraps

from flask import after_this_request, current_app, request
from flask_limiter import RateLimitExceeded
from flask_limiter._limits import RuntimeLimit  # what RateLimitExceeded names; nothing else of it is used
from flask_limiter.constants import HeaderNames
from limits import RateLimitItem, parse_many
from limits.storage import RedisClusterStorage, RedisStorage
from limits.strategies import FixedWindowRateLimiter

from rating.extensions import limiter

#: KEYS: the counters in the order they are counted; ARGV: each one's expiry and amount, then the cost. Counts until
#: the first window exceeded; returns its position (0 when none is) and the TTL of the window the headers describe,
#: then the counts taken.
_HIT_ALL = """
local cost = tonumber(ARGV[#ARGV])
local taken = {}
local breached = 0
for i, key in ipairs(KEYS) do
    local current = redis.call("incrby", key, cost)
    if current == cost then
        redis.call("expire", key, ARGV[2 * i - 1])
    end
    taken[i] = current
    if current > tonumber(ARGV[2 * i]) then
        breached = i
        break
    end
end
local shown = KEYS[math.max(breached, 1)]
return {breached, redis.call("ttl", shown), unpack(taken)}
"""

#: A limit's text (a setting such as "120 per minute;2000 per day") or a function of the request giving it, and the
#: function giving the request's key for it.
Spec = tuple[str | Callable[[], str], Callable[[], str]]


@dataclass(frozen=True)
class Outcome:
    """The window the headers describe (the one exceeded, if any), its remaining count and when it resets."""

    item: RateLimitItem
    breached: bool
    remaining: int
    reset_at: float


@lru_cache(maxsize=64)
def _parsed(text: str) -> tuple[RateLimitItem, ...]:
    return tuple(parse_many(text))


#: A window of a limit and what identifies this request's counter of it (Flask-Limiter's: key prefix, key, scope).
Window = tuple[RateLimitItem, tuple[str, ...]]


def _windows(specs: tuple[Spec, ...]) -> list[Window]:
    """Every window of the limits with its identifiers, in Flask-Limiter's order: by length of window, stable."""
    scope = request.endpoint
    prefix = [limiter._key_prefix] if limiter._key_prefix else []
    windows = []
    for text, key_func in specs:
        key = key_func()
        if not (key and scope):  # as Flask-Limiter, which skips such a limit (and logs it)
            limiter.logger.error("Skipping limit: %s. Empty value found in parameters.", text)
            continue
        for item in _parsed(text() if callable(text) else text):
            windows.append((item, (*prefix, key, scope)))
    return sorted(windows, key=lambda window: window[0].GRANULARITY.seconds)


def _script(storage: RedisStorage):
    script = getattr(storage, "_rating_hit_all", None)
    if script is None:
        script = storage._rating_hit_all = storage.get_connection().register_script(_HIT_ALL)
    return script


def _hit_in_one_trip(storage: RedisStorage, windows: list[Window]) -> Outcome:
    keys = [storage.prefixed_key(item.key_for(*identifiers)) for item, identifiers in windows]
    args = [value for item, _identifiers in windows for value in (item.get_expiry(), item.amount)] + [1]
    breached, ttl, *taken = _script(storage)(keys, args)
    shown = max(breached, 1) - 1
    item = windows[shown][0]
    return Outcome(item, breached > 0, max(0, item.amount - int(taken[shown])), max(int(ttl), 0) + time.time())


def _hit_one_by_one(windows: list[Window]) -> Outcome:
    strategy = limiter.limiter
    shown, breached = windows[0], False
    for window in windows:
        item, identifiers = window
        if not strategy.hit(item, *identifiers):
            shown, breached = window, True
            break
    stats = strategy.get_window_stats(shown[0], *shown[1])
    return Outcome(shown[0], breached, stats.remaining, stats.reset_time)


def _hit(windows: list[Window]) -> Outcome:
    storage = limiter.storage
    one_trip = (
        isinstance(storage, RedisStorage)
        and not isinstance(storage, RedisClusterStorage)  # a script's keys must share a cluster slot
        and type(limiter.limiter) is FixedWindowRateLimiter
    )
    return _hit_in_one_trip(storage, windows) if one_trip else _hit_one_by_one(windows)


def _headers(outcome: Outcome) -> Callable:
    def add(response):
        reset_at = int(outcome.reset_at + 1)
        response.headers.add(HeaderNames.LIMIT.value, str(outcome.item.amount))
        response.headers.add(HeaderNames.REMAINING.value, str(outcome.remaining))
        response.headers.add(HeaderNames.RESET.value, str(reset_at))
        response.headers.set(HeaderNames.RETRY_AFTER.value, str(int(reset_at - time.time())))
        return response

    return add


def check(*specs: Spec) -> None:
    """Count this request against every window of ``specs``; 429 (RateLimitExceeded) when one is exceeded."""
    if not (limiter.enabled and limiter.initialized) or any(exempt() for exempt in limiter._request_filters):
        return
    windows = _windows(specs)
    if not windows:
        return
    outcome = _hit(windows)
    if current_app.config.get("RATELIMIT_HEADERS_ENABLED"):
        after_this_request(_headers(outcome))
    if outcome.breached:
        limiter.logger.info("ratelimit %s exceeded at endpoint: %s", outcome.item, request.endpoint)
        raise RateLimitExceeded(RuntimeLimit(outcome.item, key_func=str, scope=request.endpoint))


def limits(*specs: Spec):
    """Decorate a view with several limits counted in one round trip: ``@limits((text, key_func), ...)``, each as
    ``@limiter.limit(text, key_func=key_func)`` would, listed innermost decorator first."""

    def decorate(view):
        @wraps(view)
        def limited(*args, **kwargs):
            check(*specs)
            return view(*args, **kwargs)

        return limited

    return decorate
