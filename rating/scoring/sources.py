"""Bounded influence of one source (同一来源限额) and the campaign rule (刷评识别), as plain arithmetic.

A *source* is where unverified ratings come from: a network prefix (/24 for IPv4, /64 for IPv6, as the Open311 limit
counts), or, in a registered service hall (办事大厅) where many honest citizens share one Wi-Fi, one device on that
network on one day. Within a cycle, the unverified ratings one source gives one post beyond a small allowance are
held, whatever their pace. A group that pushes one post far beyond its own history in one direction is a campaign
and is held as a whole for the office's review.

Called by rating.services.sources (accounting on the rating path) and the tests; no Flask, no database.
"""

import enum
import ipaddress
from dataclasses import dataclass
from functools import lru_cache
from math import isclose

from rating.scoring.method import MethodSettings

#: Prefix lengths that make one source: a household or office router, a mobile carrier's block.
IPV4_PREFIX = 24
IPV6_PREFIX = 64


class Direction(enum.StrEnum):
    UP = "up"  #: 抬高 (every rating above the post's own history)
    DOWN = "down"  #: 压低
    MIXED = "mixed"  #: 有高有低 (not a campaign)


class WithheldRule(enum.StrEnum):
    """Why a rating is not counted, as the public breakdown counts them (counts only, never who)."""

    ALLOWANCE = "allowance"  #: beyond the allowance of one source
    CAMPAIGN = "campaign"  #: its source was held as a whole as a campaign, or excluded on review
    BURST = "burst"  #: the earlier burst rule (ratings held before the allowance existed)
    REVIEW = "review"  #: held or excluded by an administrator (moderation, an upheld appeal)


@lru_cache(maxsize=4096)
def network_prefix(address: str) -> str:
    """The source network of an address: ``203.0.113.0/24`` or ``2001:db8:1:2::/64``; an unparsable address
    (a proxy that sent nothing useful) is its own source. Remembered for the last few thousand addresses: every
    rating asks, and a network's citizens come back."""
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return f"other:{address.strip()[:60]}"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    length = IPV4_PREFIX if ip.version == 4 else IPV6_PREFIX
    return str(ipaddress.ip_network(f"{ip}/{length}", strict=False))


def normalise_prefix(text: str) -> str:
    """A service hall's network as the office types it (an address or a CIDR) turned into the source prefix it
    registers; raises ValueError when it is not a network."""
    network = ipaddress.ip_network(text.strip(), strict=False)
    return network_prefix(str(network.network_address))


def is_held(taken: int, allowance: int) -> bool:
    """The ``taken``-th rating of a source (1 for its first) is held once the allowance is used up."""
    return taken > allowance


def value(level: int) -> int:
    """v = (level − 1) × 25, as in SPEC §3."""
    return (level - 1) * 25


@dataclass(frozen=True)
class History:
    """A post's own counted ratings in the cycle, outside the group being judged: how many, and their mean v."""

    count: int = 0
    mean: float | None = None


def direction(levels: dict[int, int], history: History, gap: float) -> Direction:
    """UP when every rating of the group lies at least ``gap`` above the post's history, DOWN when every one lies
    ``gap`` below, MIXED otherwise. Without history the middle of the scale (50) stands in for it."""
    centre = 50.0 if history.mean is None else history.mean
    values = [value(level) for level, n in levels.items() if n > 0]
    if not values:
        return Direction.MIXED
    if all(v >= centre + gap or isclose(v, centre + gap) for v in values):
        return Direction.UP
    if all(v <= centre - gap or isclose(v, centre - gap) for v in values):
        return Direction.DOWN
    return Direction.MIXED


def shift(levels: dict[int, int], history: History) -> float:
    """How far the group would move the post's mean v if all of it counted (points on 0–100)."""
    size = sum(levels.values())
    if size == 0:
        return 0.0
    group_mean = sum(value(level) * n for level, n in levels.items()) / size
    centre = 50.0 if history.mean is None else history.mean
    return abs(size * (group_mean - centre) / (history.count + size))


def is_campaign(levels: dict[int, int], history: History, method: MethodSettings) -> Direction | None:
    """The direction of a campaign (one post pushed far beyond its own history, one direction only), or None.

    ``levels`` counts the group's ratings by level (held ones included). A campaign has at least
    ``campaign_min_size`` ratings, all on one side of the post's history by at least ``campaign_gap`` points, and
    would move the post's mean by at least ``campaign_shift`` points.
    """
    if sum(levels.values()) < method.campaign_min_size:
        return None
    way = direction(levels, history, method.campaign_gap)
    if way == Direction.MIXED or shift(levels, history) < method.campaign_shift:
        return None
    return way


def due_for_check(taken: int, method: MethodSettings) -> bool:
    """Whether the ``taken``-th rating of a source over its allowance re-examines the group for a campaign: at the
    minimum size and every ``campaign_min_size`` ratings after it, so a flood costs a check now and then, not on
    every rating."""
    size = method.campaign_min_size
    return taken > method.source_allowance and taken >= size and (taken - size) % size == 0
