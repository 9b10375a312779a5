"""The clocks of a complaint case (rating.scoring.case_clocks): refer within one working day, sign within one,
answer within the cycle's working days, an extension once; holidays and make-up working weekends (调休) count as
the calendar says."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rating.scoring import case_clocks
from rating.workdays import is_working_day


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 11, 25), date(2025, 11, 26)),  # Tuesday → Wednesday
        (date(2025, 11, 28), date(2025, 12, 1)),  # Friday → Monday
        (date(2025, 11, 29), date(2025, 12, 1)),  # taken in on a Saturday: the first working day after it
        (date(2025, 9, 26), date(2025, 9, 28)),  # Friday before National Day: Sunday 28 September is worked (调休)
        (date(2025, 9, 30), date(2025, 10, 9)),  # the eve of the National Day holidays (1–8 October)
    ],
)
def test_acceptance_clock_is_one_working_day(received, due):
    assert case_clocks.acceptance_due(received) == due
    assert case_clocks.signing_due(received) == due  # the unit's signing clock is the same day's length


def test_handling_clock_counts_working_days_over_the_holidays():
    assert case_clocks.handling_due(date(2025, 9, 30), 15) == date(2025, 10, 28)
    assert case_clocks.handling_due(date(2025, 11, 25), 15) == date(2025, 12, 16)


def test_extension_moves_the_deadline_by_working_days_within_the_limit():
    assert case_clocks.extended_due(date(2025, 9, 30), 5) == date(2025, 10, 14)
    for days in (0, case_clocks.MAX_EXTENSION_DAYS + 1):
        assert not case_clocks.extension_days_valid(days)
        with pytest.raises(ValueError):
            case_clocks.extended_due(date(2025, 9, 30), days)


TODAY = date(2025, 12, 10)


@pytest.mark.parametrize(
    ("status", "refer_by", "sign_by", "signed", "deadline", "expected"),
    [
        ("received", date(2025, 12, 10), None, False, None, ("acceptance", date(2025, 12, 10), False)),
        ("received", date(2025, 12, 9), None, False, None, ("acceptance", date(2025, 12, 9), True)),
        ("referred", None, date(2025, 12, 9), False, date(2025, 12, 30), ("signing", date(2025, 12, 9), True)),
        ("referred", None, date(2025, 12, 11), False, date(2025, 12, 9), ("signing", date(2025, 12, 11), True)),
        ("in_progress", None, date(2025, 12, 1), True, date(2025, 12, 10), ("handling", date(2025, 12, 10), False)),
        ("in_progress", None, date(2025, 12, 1), True, date(2025, 12, 9), ("handling", date(2025, 12, 9), True)),
        # a case referred before the clocks existed has no signing date: its handling deadline runs
        ("referred", None, None, False, date(2025, 12, 9), ("handling", date(2025, 12, 9), True)),
    ],
)
def test_running_clock(status, refer_by, sign_by, signed, deadline, expected):
    clock = case_clocks.running(status, refer_by, sign_by, signed, deadline, TODAY)
    assert (clock.clock, clock.due, clock.overdue) == expected


def test_a_concluded_case_has_no_clock():
    assert case_clocks.running("concluded", None, None, True, date(2025, 1, 1), TODAY) is None


@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
def test_every_due_date_is_a_later_working_day(day):
    due = case_clocks.acceptance_due(day)
    assert due > day and is_working_day(due)
