"""Method settings of a cycle (SPEC §3): defaults, validation, quotas."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rating.scoring.method import InvalidMethod, MethodSettings, Quota


def test_defaults_are_the_spec_method():
    method = MethodSettings()
    assert method.weights == {"service": 0.40, "assessment": 0.30, "conduct": 0.20, "inspection": 0.10}
    assert (method.benchmark_quota.posts(100), method.excellent_quota.posts(100), method.warning_quota.posts(100)) == (
        20,
        40,
        5,
    )
    assert method.grade_scores == {"excellent": 95, "competent": 85, "basically_competent": 70, "incompetent": 50}
    assert method.complaint_deductions["substantiated"] == 10 and method.complaint_deductions["partly"] == 5
    assert method.prior_weight == 20 and method.verified_weight == 1.0 and method.unverified_weight == 0.5
    assert method.empty_cycle_mean == 50 and method.notice_days == 7


def test_round_trip_through_a_dict_is_lossless():
    method = MethodSettings(excellent_quota=Quota(30, "percent"), prior_weight=10)
    assert MethodSettings.from_dict(method.to_dict()) == method


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"weights": {"service": 0.5, "assessment": 0.3, "conduct": 0.2, "inspection": 0.1}}, "sum to 1"),
        ({"weights": {"service": 1.0}}, "weights must name"),
        ({"weights": {"service": 1.2, "assessment": -0.2, "conduct": 0, "inspection": 0}}, "negative"),
        ({"benchmark_quota": {"value": 120, "unit": "percent"}}, "out of range"),
        ({"warning_quota": {"value": 2.5, "unit": "count"}}, "whole number"),
        ({"excellent_quota": {"value": 10, "unit": "posts"}}, "count or percent"),
        ({"grade_scores": {"excellent": 95}}, "grade_scores"),
        ({"grade_scores": {"excellent": 120, "competent": 85, "basically_competent": 70, "incompetent": 50}}, "0–100"),
        ({"complaint_deductions": {"substantiated": -10}}, "negative"),
        ({"prior_weight": -1}, "prior_weight"),
        ({"unverified_weight": 2.0}, "unverified_weight"),
        ({"notice_days": 0}, "notice_days"),
        ({"colour": "red"}, "unknown settings: colour"),
    ],
)
def test_invalid_settings_are_refused_with_the_reason(change, problem):
    data = {**MethodSettings().to_dict(), **change}
    with pytest.raises(InvalidMethod) as error:
        MethodSettings.from_dict(data)
    assert problem in str(error.value)


def test_several_problems_are_reported_together():
    with pytest.raises(InvalidMethod) as error:
        MethodSettings.from_dict({"prior_weight": -1, "notice_days": 0})
    assert len(error.value.problems) == 2


@pytest.mark.parametrize(
    ("percent", "ranked", "posts"),
    [(20, 100, 20), (20, 7, 1), (10, 15, 2), (2.5, 100, 3), (0, 50, 0), (100, 9, 9), (12.5, 4, 1)],
)
def test_percentage_quotas_round_half_up(percent, ranked, posts):
    assert Quota(percent, "percent").posts(ranked) == posts


@given(st.floats(0, 100, allow_nan=False), st.integers(0, 100_000))
def test_percentage_quota_never_exceeds_the_ranked_posts(percent, ranked):
    assert 0 <= Quota(percent, "percent").posts(ranked) <= ranked
