"""The arithmetic of rating sources (rating.scoring.sources), table-driven and with Hypothesis properties."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rating.scoring.method import InvalidMethod, MethodSettings
from rating.scoring.sources import (
    Direction,
    History,
    direction,
    due_for_check,
    is_campaign,
    is_held,
    network_prefix,
    normalise_prefix,
    shift,
)

METHOD = MethodSettings()  # allowance 2, campaign from 5 ratings, gap 25, shift 2


@pytest.mark.parametrize(
    ("address", "prefix"),
    [
        ("203.0.113.77", "203.0.113.0/24"),
        ("203.0.113.1", "203.0.113.0/24"),
        ("2001:db8:5:6:ffff::9", "2001:db8:5:6::/64"),
        ("::ffff:198.51.100.9", "198.51.100.0/24"),  # an IPv4 client seen through an IPv6 socket
        ("unknown", "other:unknown"),
    ],
)
def test_a_source_is_the_24_or_64_network(address, prefix):
    assert network_prefix(address) == prefix


@pytest.mark.parametrize(
    ("typed", "prefix"), [("198.51.100.7", "198.51.100.0/24"), ("198.51.100.0/22", "198.51.100.0/24")]
)
def test_a_hall_is_registered_by_its_source_prefix(typed, prefix):
    assert normalise_prefix(typed) == prefix


def test_a_hall_that_is_no_network_is_refused():
    with pytest.raises(ValueError):
        normalise_prefix("hall-1")


@pytest.mark.parametrize(("taken", "held"), [(1, False), (2, False), (3, True), (1000, True)])
def test_ratings_beyond_the_allowance_are_held(taken, held):
    assert is_held(taken, METHOD.source_allowance) is held


@pytest.mark.parametrize(
    ("levels", "history", "expected"),
    [
        ({1: 5}, History(40, 70.0), Direction.DOWN),  # five one-star on a post averaging 70: a campaign
        ({5: 30}, History(40, 60.0), Direction.UP),
        ({5: 5}, History(40, 80.0), None),  # five-star on a post already at 80: not beyond its history
        ({1: 4, 5: 1}, History(40, 70.0), None),  # both directions
        ({1: 4}, History(40, 70.0), None),  # below the minimum size
        ({1: 5}, History(5000, 70.0), None),  # too few to move a much-rated post by 2 points
        ({1: 5}, History(), Direction.DOWN),  # no history: the middle of the scale stands in for it
    ],
)
def test_the_campaign_rule(levels, history, expected):
    assert is_campaign(levels, history, METHOD) == expected


@pytest.mark.parametrize(("taken", "due"), [(2, False), (3, False), (5, True), (6, False), (10, True), (15, True)])
def test_a_source_is_examined_now_and_then_not_on_every_rating(taken, due):
    assert due_for_check(taken, METHOD) is due


@pytest.mark.parametrize(
    "changes",
    [{"source_allowance": -1}, {"campaign_min_size": 2}, {"campaign_gap": 120}, {"review_block_size": -5}],
)
def test_source_settings_are_validated(changes):
    with pytest.raises(InvalidMethod):
        MethodSettings.from_dict(changes)


levels_st = st.dictionaries(st.integers(1, 5), st.integers(0, 200), min_size=1)
history_st = st.builds(History, st.integers(0, 10_000), st.one_of(st.none(), st.floats(0, 100)))


@given(levels_st, history_st)
def test_a_campaign_is_one_direction_and_big_enough(levels, history):
    way = is_campaign(levels, history, METHOD)
    if way is not None:
        assert sum(levels.values()) >= METHOD.campaign_min_size
        assert direction(levels, history, METHOD.campaign_gap) == way != Direction.MIXED
        assert shift(levels, history) >= METHOD.campaign_shift


@given(levels_st, history_st)
def test_adding_an_opposite_rating_never_makes_a_campaign(levels, history):
    """A mixed group is never a campaign, whatever its size."""
    mixed = {**levels, 1: levels.get(1, 0) + 1, 5: levels.get(5, 0) + 1}
    if history.mean is None or 25 < history.mean < 75:
        assert is_campaign(mixed, history, METHOD) is None


@given(st.integers(1, 100_000), st.integers(0, 50))
def test_exactly_the_allowance_counts(count, allowance):
    counted = sum(not is_held(n, allowance) for n in range(1, count + 1))
    assert counted == min(count, allowance)


@given(st.ip_addresses(v=4))
def test_every_address_of_a_24_shares_its_source(address):
    prefix = network_prefix(str(address))
    assert prefix.endswith("/24") and network_prefix(prefix.split("/")[0]) == prefix
