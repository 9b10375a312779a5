"""The department and station rankings of SPEC §6, rule by rule, and a property: the order of the rows does not
matter."""

from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rating.scoring.departments import Outcome, UnitInput, derived_conduct, rank_departments
from rating.scoring.method import InvalidMethod, MethodSettings
from rating.scoring.stations import StationInput, rank_stations, wilson_interval

METHOD = MethodSettings()


def unit(code, targets=80.0, responsibility=80.0, conduct=80.0, met=None, group="municipal"):
    return UnitInput(code, group, targets, responsibility, conduct, met)


def lines_by_code(units, last_before=(), method=METHOD):
    return {line.code: line for line in rank_departments(units, method, last_before)}


def test_composite_uses_the_cycle_weights():
    line = lines_by_code([unit("A", 90, 80, 70)])["A"]
    assert line.composite == pytest.approx(0.5 * 90 + 0.3 * 80 + 0.2 * 70)
    method = replace(METHOD, department_weights={"targets": 0.2, "responsibility": 0.3, "conduct": 0.5})
    assert lines_by_code([unit("A", 90, 80, 70)], method=method)["A"].composite == pytest.approx(18 + 24 + 35)


def test_units_are_ranked_within_their_kind():
    units = [unit("M1", 90, group="municipal"), unit("M2", 70), unit("P1", 60, group="provincial")]
    lines = lines_by_code(units)
    assert (lines["M1"].rank, lines["M2"].rank, lines["P1"].rank) == (1, 2, 1)
    assert [line.group for line in rank_departments(units, METHOD)] == ["municipal", "municipal", "provincial"]


@pytest.mark.parametrize(
    "units, order",
    [
        # equal D: targets decides
        ([unit("A", 80, 80, 80), unit("B", 90, 50, 100)], ["B", "A"]),
        # equal D and targets: the code decides
        ([unit("B", 80, 80, 80), unit("A", 80, 80, 80)], ["A", "B"]),
        # D differing only beyond 6 decimals is a tie
        ([unit("B", 80, 80, 80.000000001), unit("A", 80, 80, 80)], ["A", "B"]),
    ],
)
def test_ties(units, order):
    assert [line.code for line in rank_departments(units, METHOD)] == order


def test_commended_only_with_targets_met_and_never_the_last():
    units = [unit("A", 99, met=False), unit("B", 95), unit("C", 90), unit("D", 85), unit("E", 50, met=True)]
    lines = lines_by_code(units)
    assert {c for c, line in lines.items() if line.has(Outcome.COMMENDED)} == {"B", "C", "D"}
    two = lines_by_code([unit("A", 90), unit("B", 80)])
    assert two["A"].has(Outcome.COMMENDED) and not two["B"].has(Outcome.COMMENDED)


def test_yellow_card_follows_targets_met_or_the_targets_score():
    lines = lines_by_code([unit("A", 95, met=False), unit("B", 59.9), unit("C", 60), unit("D", 40, met=True)])
    assert {c for c, line in lines.items() if line.has(Outcome.YELLOW_CARD)} == {"A", "B"}
    assert lines["C"].targets_met and lines["D"].targets_met


def test_last_only_in_groups_of_two_or_more():
    lines = lines_by_code([unit("M1", 90), unit("M2", 70), unit("P1", 50, group="provincial")])
    assert lines["M2"].has(Outcome.LAST)
    assert not lines["P1"].has(Outcome.LAST) and not lines["M1"].has(Outcome.LAST)


def test_head_to_resign_when_last_in_this_and_the_previous_cycle():
    units = [unit("M1", 90), unit("M2", 70)]
    assert lines_by_code(units, last_before={"M2"})["M2"].has(Outcome.HEAD_TO_RESIGN)
    assert not lines_by_code(units, last_before={"M1"})["M1"].has(Outcome.HEAD_TO_RESIGN)
    assert not lines_by_code(units)["M2"].has(Outcome.HEAD_TO_RESIGN)


def test_a_unit_without_conduct_is_listed_after_the_ranked_and_not_last():
    ordered = rank_departments([unit("A", 90), unit("B", 80), unit("C", 99, conduct=None)], METHOD)
    assert [(line.code, line.rank) for line in ordered] == [("A", 1), ("B", 2), ("C", None)]
    assert ordered[1].has(Outcome.LAST) and ordered[2].has(Outcome.MISSING_CONDUCT)
    assert ordered[2].composite is None


@pytest.mark.parametrize(
    "composites, station_rate, conduct",
    [([80.0, 90.0], None, 85.0), ([], 0.75, 75.0), ([70.0], 0.2, 70.0), ([], None, None)],
)
def test_derived_conduct(composites, station_rate, conduct):
    assert derived_conduct(composites, station_rate) == (pytest.approx(conduct) if conduct is not None else None)


def test_department_settings_are_validated():
    with pytest.raises(InvalidMethod):
        MethodSettings.from_dict({"department_weights": {"targets": 0.5, "responsibility": 0.5, "conduct": 0.5}})
    with pytest.raises(InvalidMethod):
        MethodSettings.from_dict({"station_min_ratings": -1})


def station(code, ratings, satisfied):
    return StationInput(code, ratings, satisfied)


def stations_by_code(stations, method=METHOD):
    return {line.code: line for line in rank_stations(stations, method)}


def test_satisfaction_rate_counts_levels_three_to_five_over_all():
    line = stations_by_code([station("S1", 40, 30)])["S1"]
    assert line.rate == 0.75 and line.ranked and line.rank == 1


def test_wilson_interval():
    low, high = wilson_interval(30, 40)
    assert low == pytest.approx(0.5981, abs=1e-4) and high == pytest.approx(0.8581, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(40, 40)[1] == 1.0


def test_minimum_sample():
    lines = stations_by_code([station("S1", 29, 29), station("S2", 30, 3), station("S3", 31, 30)])
    assert not lines["S1"].ranked and lines["S1"].rank is None and not lines["S1"].named_lowest
    assert lines["S2"].rank == 2 and lines["S3"].rank == 1
    assert stations_by_code([station("S1", 5, 5)], replace(METHOD, station_min_ratings=5))["S1"].ranked


@pytest.mark.parametrize(
    "stations, order",
    [
        ([station("A", 40, 30), station("B", 80, 60)], ["B", "A"]),  # same rate: more ratings first
        ([station("B", 40, 30), station("A", 40, 30)], ["A", "B"]),  # then the code
        ([station("A", 40, 20), station("B", 40, 39)], ["B", "A"]),
    ],
)
def test_station_order(stations, order):
    assert [line.code for line in rank_stations(stations, METHOD)] == order


def test_the_lowest_two_ranked_are_named():
    stations = [station(f"S{i}", 50, 50 - i) for i in range(5)] + [station("U", 3, 0)]
    lines = stations_by_code(stations)
    assert {c for c, line in lines.items() if line.named_lowest} == {"S3", "S4"}
    two = stations_by_code([station("A", 40, 30), station("B", 40, 20)])
    assert [c for c, line in two.items() if line.named_lowest] == ["B"]  # never every ranked station


unit_rows = st.lists(
    st.builds(
        UnitInput,
        code=st.sampled_from([f"U{i:02d}" for i in range(30)]),
        group=st.sampled_from(["municipal", "provincial", "county"]),
        targets=st.sampled_from([40.0, 59.5, 60.0, 75.0, 90.0]),
        responsibility=st.sampled_from([50.0, 80.0, 95.0]),
        conduct=st.sampled_from([None, 60.0, 80.0]),
        targets_met=st.sampled_from([None, True, False]),
    ),
    unique_by=lambda u: u.code,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(unit_rows, st.randoms(use_true_random=False))
def test_reordering_units_changes_nothing(units, rnd):
    shuffled = list(units)
    rnd.shuffle(shuffled)
    last_before = {u.code for u in units[::3]}
    assert rank_departments(shuffled, METHOD, last_before) == rank_departments(units, METHOD, last_before)


station_rows = st.lists(
    st.tuples(st.sampled_from([f"S{i:02d}" for i in range(20)]), st.integers(0, 60), st.integers(0, 60)).map(
        lambda t: StationInput(t[0], max(t[1], t[2]), min(t[1], t[2]))
    ),
    unique_by=lambda s: s.code,
    max_size=20,
)


@settings(max_examples=60, deadline=None)
@given(station_rows, st.randoms(use_true_random=False))
def test_reordering_stations_changes_nothing(stations, rnd):
    shuffled = list(stations)
    rnd.shuffle(shuffled)
    assert rank_stations(shuffled, METHOD) == rank_stations(stations, METHOD)
