"""Tenure, the unit of the verdict (任职期间): which holder was in a post on a day, and whose tenure in a cycle is
long enough to be ranked (SPEC §6: a verdict line is one post and holder pair).

Plain Python: a tenure is ``(started_on, ended_on)``; an empty start means "from the beginning" (a post's first
holder imported without a date), an empty end "still in post". Both ends count as days in post.
"""

from collections.abc import Iterable
from datetime import date
from typing import TypeVar

Key = TypeVar("Key")


def covers(started_on: date | None, ended_on: date | None, day: date) -> bool:
    """Was the holder in post on ``day``?"""
    return (started_on is None or started_on <= day) and (ended_on is None or day <= ended_on)


def holder_on(tenures: Iterable[tuple[date | None, date | None, Key]], day: date) -> Key | None:
    """The holder whose tenure covers ``day`` (tenures of one post never overlap), or None."""
    return next((holder for started_on, ended_on, holder in tenures if covers(started_on, ended_on, day)), None)


def overlap_days(started_on: date | None, ended_on: date | None, cycle_start: date, cycle_end: date) -> int:
    """Days of the cycle the holder was in post, both ends included; 0 when the tenure misses the cycle."""
    first = cycle_start if started_on is None else max(started_on, cycle_start)
    last = cycle_end if ended_on is None else min(ended_on, cycle_end)
    return max(0, (last - first).days + 1)


def is_ranked(days: int, min_tenure_days: int) -> bool:
    """A holder in post for at least ``min_tenure_days`` of the cycle is ranked; a shorter tenure is listed with
    its own figures but takes no place, title or warning (as the civil-service assessment rules treat people
    who served under half a year)."""
    return days >= min_tenure_days
