"""The method of SPEC §3, exhaustively: shrinkage, components, ranking ties, titles, vetoes, quotas."""

import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rating.scoring.method import MethodSettings, Quota
from rating.scoring.verdict import PostInput, RatingTally, Title, compute, cycle_mean, rating_value, service_score

METHOD = MethodSettings()


def post(
    code,
    *,
    levels=(),
    verified=True,
    grade="competent",
    score=None,
    deductions=0.0,
    subst=0,
    partly=0,
    veto=False,
    inspection=85.0,
):
    w = 1.0 if verified else 0.5
    return PostInput(
        code=code,
        rating_weighted_sum=sum((lv - 1) * 25 * w for lv in levels),
        rating_weight=w * len(levels),
        rating_count=len(levels),
        grade=None if score is not None else grade,
        assessment_score=score,
        inspection_deductions=deductions,
        complaints_substantiated=subst,
        complaints_partly=partly,
        discipline_veto=veto,
        inspection_mean=inspection,
    )


def by_code(results):
    return {r.code: r for r in results}


def test_empty_cycle_mean_is_50_and_a_post_without_ratings_scores_mu():
    posts = [post("A"), post("B")]
    assert cycle_mean(posts, METHOD) == 50
    assert by_code(compute(posts, METHOD))["A"].service == 50


def test_shrinkage_three_five_star_ratings_do_not_top_the_board():
    few = post("FEW", levels=[5, 5, 5])
    many = post("MANY", levels=[5] * 90 + [4] * 10)
    crowd = post("CROWD", levels=[3] * 300 + [4] * 100)
    mu = cycle_mean([few, many, crowd], METHOD)
    assert service_score(few, mu, 20) < service_score(many, mu, 20)
    # S = (Σw·v + m·μ) / (Σw + m), worked by hand
    assert service_score(few, 50.0, 20) == pytest.approx((300 + 20 * 50) / 23)
    ranked = [r.code for r in compute([few, many, crowd], METHOD)]
    assert ranked.index("MANY") < ranked.index("FEW")


def test_unverified_ratings_weigh_half():
    results = by_code(compute([post("V", levels=[1], verified=True), post("U", levels=[1], verified=False)], METHOD))
    mu = (0 * 1 + 0 * 0.5) / 1.5
    assert results["V"].service == pytest.approx((0 + 20 * mu) / 21)
    assert results["U"].service == pytest.approx((0 + 20 * mu) / 20.5)


@pytest.mark.parametrize(
    ("grade", "score", "expected"),
    [
        ("excellent", None, 95),
        ("competent", None, 85),
        ("basically_competent", None, 70),
        ("incompetent", None, 50),
        (None, 77.5, 77.5),
    ],
)
def test_assessment_grade_table_and_numeric_scores(grade, score, expected):
    assert compute([post("A", grade=grade, score=score)], METHOD)[0].assessment == expected


@pytest.mark.parametrize(
    ("deductions", "subst", "partly", "expected"),
    [(0, 0, 0, 100), (7.5, 0, 0, 92.5), (0, 1, 0, 90), (0, 0, 1, 95), (3, 2, 1, 72), (60, 5, 0, 0)],
)
def test_conduct_deductions_floor_at_zero(deductions, subst, partly, expected):
    assert compute([post("A", deductions=deductions, subst=subst, partly=partly)], METHOD)[0].conduct == expected


def test_composite_is_the_weighted_sum():
    r = compute([post("A", levels=[5, 4], grade="excellent", deductions=5, inspection=90)], METHOD)[0]
    assert r.composite == pytest.approx(0.4 * r.service + 0.3 * 95 + 0.2 * 95 + 0.1 * 90)


NO_PRIOR = replace(METHOD, prior_weight=0)


def test_equal_composites_break_by_service():
    # T: 0.4·100 + 0.3·55 + 0.2·100 + 0.1·50 = 81.5 = 0.4·75 + 0.3·75 + 0.2·100 + 0.1·90
    x = post("X", levels=[5] * 10, score=55.0, inspection=50)
    y = post("Y", levels=[4] * 10, score=75.0, inspection=90)
    results = by_code(compute([y, x], NO_PRIOR))
    assert round(results["X"].composite, 6) == round(results["Y"].composite, 6) == 81.5
    assert (results["X"].rank, results["Y"].rank) == (1, 2)


def test_equal_composite_and_service_break_by_conduct():
    # Same S; X loses 10 conduct points (2 composite) and gains 20 inspection points (2 composite).
    x = post("X", levels=[4] * 10, deductions=10, inspection=70)
    y = post("Y", levels=[4] * 10, deductions=0, inspection=50)
    results = by_code(compute([x, y], NO_PRIOR))
    assert round(results["X"].composite, 6) == round(results["Y"].composite, 6)
    assert (results["Y"].rank, results["X"].rank) == (1, 2)


def test_full_ties_break_by_post_code():
    results = compute([post("DT-002", levels=[5]), post("DT-010", levels=[5]), post("DT-001", levels=[5])], METHOD)
    assert [r.code for r in results] == ["DT-001", "DT-002", "DT-010"]


def test_differences_below_the_sixth_decimal_are_ties():
    a = post("B", inspection=80.0000001)
    b = post("A", inspection=80.0)
    assert [r.code for r in compute([a, b], METHOD)] == ["A", "B"]


def hundred(method=METHOD, **overrides):
    # Composite strictly decreasing with the index: P001 best.
    return [post(f"P{i:03d}", inspection=100 - i * 0.5, **overrides.get(i, {})) for i in range(1, 101)]


def test_quotas_20_benchmark_40_excellent_5_warnings():
    results = compute(hundred(), METHOD)
    titles = [r.title for r in results]
    assert titles[:20] == [Title.BENCHMARK] * 20
    assert titles[20:60] == [Title.EXCELLENT] * 40
    assert titles[60:95] == [None] * 35
    assert titles[95:] == [Title.WARNING] * 5
    assert [r.rank for r in results] == list(range(1, 101))


def test_ineligible_grades_and_veto_are_skipped_and_the_walk_goes_on():
    posts = [replace(p, rating_weighted_sum=500.0, rating_weight=10.0, rating_count=10) for p in hundred()]
    # Many five-star ratings keep these two at the top despite their grades.
    posts[0] = replace(post("P001", levels=[5] * 200, grade="basically_competent", inspection=99.5))
    posts[25] = replace(post("P026", levels=[5] * 200, grade="incompetent", inspection=87))
    posts[1] = replace(posts[1], discipline_veto=True)  # 违规违纪 属实: 一票否决
    results = compute(posts, METHOD)
    by = by_code(results)
    assert by["P001"].rank == 1 and by["P001"].title is None and by["P001"].rule == "ineligible_grade"
    assert by["P026"].rank <= 3 and by["P026"].title is None
    assert by["P002"].title is None and by["P002"].rule == "discipline_veto"
    eligible_order = [r.code for r in results if r.eligible and r.title != Title.WARNING]
    assert [r.code for r in results if r.title == Title.BENCHMARK] == eligible_order[:20]
    assert [r.code for r in results if r.title == Title.EXCELLENT] == eligible_order[20:60]
    assert by["P022"].title == Title.BENCHMARK  # the 20th eligible: P003 … P022
    assert by["P023"].title == Title.EXCELLENT


def test_a_warned_post_gets_no_title_even_if_titles_remain():
    posts = [post(f"Q{i}", inspection=100 - i) for i in range(1, 11)]
    titles = [r.title for r in compute(posts, METHOD)]
    assert titles == [Title.BENCHMARK] * 5 + [Title.WARNING] * 5


@pytest.mark.parametrize(
    ("n", "benchmark", "excellent", "warning"),
    [(100, 20, 40, 5), (65, 20, 40, 5), (50, 20, 25, 5), (25, 20, 0, 5), (12, 7, 0, 5), (5, 0, 0, 5), (3, 0, 0, 3)],
)
def test_too_few_posts_keep_warnings_and_shrink_excellent_first(n, benchmark, excellent, warning):
    titles = [r.title for r in compute([post(f"R{i:03d}", inspection=100 - i * 0.1) for i in range(n)], METHOD)]
    assert (titles.count(Title.BENCHMARK), titles.count(Title.EXCELLENT), titles.count(Title.WARNING)) == (
        benchmark,
        excellent,
        warning,
    )


def test_percentage_quotas():
    method = replace(
        METHOD,
        benchmark_quota=Quota(10, "percent"),
        excellent_quota=Quota(25, "percent"),
        warning_quota=Quota(4, "percent"),
    )
    titles = [r.title for r in compute([post(f"S{i:03d}", inspection=100 - i * 0.1) for i in range(50)], method)]
    assert (titles.count(Title.BENCHMARK), titles.count(Title.EXCELLENT), titles.count(Title.WARNING)) == (5, 13, 2)


def test_weights_that_do_not_sum_to_one_are_refused():
    with pytest.raises(ValueError, match="sum to 1"):
        compute(
            [post("A")], replace(METHOD, weights={"service": 0.5, "assessment": 0.3, "conduct": 0.2, "inspection": 0.1})
        )


levels = st.lists(st.integers(1, 5), max_size=12)
post_strategy = st.builds(
    lambda code, lv, ver, grade, ded, subst, partly, veto, insp: post(
        code,
        levels=lv,
        verified=ver,
        grade=grade,
        deductions=ded,
        subst=subst,
        partly=partly,
        veto=veto,
        inspection=insp,
    ),
    st.just(""),
    levels,
    st.booleans(),
    st.sampled_from(["excellent", "competent", "basically_competent", "incompetent"]),
    st.floats(0, 50, allow_nan=False),
    st.integers(0, 3),
    st.integers(0, 3),
    st.booleans(),
    st.floats(0, 100, allow_nan=False),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(post_strategy, min_size=1, max_size=40), st.randoms())
def test_reordering_input_changes_nothing(posts, rnd):
    posts = [replace(p, code=f"H{i:03d}") for i, p in enumerate(posts)]
    shuffled = posts[:]
    rnd.shuffle(shuffled)
    assert compute(posts, METHOD) == compute(shuffled, METHOD)


@settings(max_examples=60, deadline=None)
@given(st.lists(post_strategy, min_size=1, max_size=30), st.integers(0, 29))
def test_a_verified_five_rating_never_lowers_its_posts_service_score(posts, which):
    posts = [replace(p, code=f"K{i:03d}") for i, p in enumerate(posts)]
    target = posts[which % len(posts)]
    before = by_code(compute(posts, METHOD))[target.code].service
    boosted = replace(
        target,
        rating_weighted_sum=target.rating_weighted_sum + 100,
        rating_weight=target.rating_weight + 1,
        rating_count=target.rating_count + 1,
    )
    after = by_code(compute([boosted if p.code == target.code else p for p in posts], METHOD))[target.code].service
    assert after >= before - 1e-9


@settings(max_examples=40, deadline=None)
@given(st.lists(post_strategy, min_size=1, max_size=80))
def test_titles_respect_quotas_and_eligibility(posts):
    posts = [replace(p, code=f"T{i:03d}") for i, p in enumerate(posts)]
    results = compute(posts, METHOD)
    titles = [r.title for r in results]
    assert titles.count(Title.BENCHMARK) <= 20 and titles.count(Title.EXCELLENT) <= 40
    assert titles.count(Title.WARNING) == min(5, len(posts))
    for r in results:
        if r.title in (Title.BENCHMARK, Title.EXCELLENT):
            assert r.eligible
    # every benchmark ranks above every excellent
    ranks = {t: [r.rank for r in results if r.title == t] for t in Title}
    if ranks[Title.BENCHMARK] and ranks[Title.EXCELLENT]:
        assert max(ranks[Title.BENCHMARK]) < min(ranks[Title.EXCELLENT])


def test_random_module_is_not_used_by_the_method():
    random.seed(1)
    first = compute(hundred(), METHOD)
    random.seed(2)
    assert compute(hundred(), METHOD) == first


def test_a_tie_across_the_benchmark_boundary_is_settled_by_post_code():
    posts = [post(f"P{i:03d}", levels=[5] * 10) for i in range(1, 19)]  # 18 clearly ahead
    posts += [post(code, levels=[4] * 10) for code in ("Z-2", "Z-1", "Z-3")]  # three equal for places 19–21
    posts += [post(f"Q{i:03d}", levels=[2] * 10) for i in range(80)]
    results = by_code(compute(posts, METHOD))
    assert [results[c].rank for c in ("Z-1", "Z-2", "Z-3")] == [19, 20, 21]
    assert [results[c].title for c in ("Z-1", "Z-2", "Z-3")] == [Title.BENCHMARK, Title.BENCHMARK, Title.EXCELLENT]


def test_mu_given_by_the_caller_counts_ratings_of_posts_that_are_not_ranked():
    posts = [post("A", levels=[5] * 4), post("B")]
    default = by_code(compute(posts, METHOD))
    wider = by_code(compute(posts, METHOD, mu=0.0))
    assert default["B"].service == pytest.approx(100.0)  # μ from A alone
    assert wider["B"].service == 0.0 and wider["A"].service == pytest.approx(400 / 24)


def test_weighted_spread_and_service_band():
    from rating.scoring.verdict import service_band, weighted_spread

    assert weighted_spread(0, 0, 0) == 0.0
    assert weighted_spread(2.0, 2 * 50, 2 * 2500) == 0.0  # all ratings equal
    assert weighted_spread(2.0, 0 + 100, 0 + 10000) == pytest.approx(50.0)  # one 0 and one 100
    low, high = service_band(60.0, 25.0, 0.0, 20.0)
    assert (low, high) == pytest.approx((60 - 1.96 * 25 / 20**0.5, 60 + 1.96 * 25 / 20**0.5))
    narrow = service_band(60.0, 25.0, 980.0, 20.0)
    assert narrow[1] - narrow[0] < (high - low) / 6  # fifty times the weight, a seventh of the width
    assert service_band(99.0, 50.0, 1.0, 20.0)[1] == 100.0  # clipped to the scale


@given(st.lists(st.tuples(st.booleans(), st.integers(min_value=1, max_value=5)), max_size=60))
def test_a_tally_from_level_sums_equals_the_sums_of_each_ratings_value(ratings):
    """Ratings arrive from SQL as count, Σlevel and Σlevel² per verified flag; the tally must hold the exact Σv and
    Σv² of v = (level − 1) × 25, as if every rating had been valued one by one."""
    groups = []
    for flag in (True, False):
        levels = [level for verified, level in ratings if verified is flag]
        groups.append((flag, len(levels), sum(levels), sum(level * level for level in levels)))
    tally = RatingTally.of(groups)
    for flag, count, total, squares in (
        (True, tally.verified_count, tally.verified_sum, tally.verified_squares),
        (False, tally.unverified_count, tally.unverified_sum, tally.unverified_squares),
    ):
        values = [rating_value(level) for verified, level in ratings if verified is flag]
        assert (count, total, squares) == (len(values), sum(values), sum(v * v for v in values))
