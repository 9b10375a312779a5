"""The officials' demo data (seeds/assessments.csv, inspection_scores.csv, inspections.csv, loaded by
rating.demo.officials) as a user meets it: the current year's open cycle is complete, the notices page shows what was
notified, and the five inspection rounds are dated relative to today. Seeding again changes nothing. The article's
figures (the 9 + 41 + 46 units inspected) are checked in test_demo.py."""

import csv
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from rating.clock import local_today
from rating.demo.officials import inspection_round_date
from rating.extensions import db
from rating.models.assessments import Assessment, InspectionFinding, InspectionScore
from rating.models.audit import AuditEntry
from rating.models.cycles import Cycle
from rating.models.posts import Post, Tenure
from tests.conftest import ROOT


def _seed_rows(name: str) -> list[dict[str, str]]:
    with (ROOT / "seeds" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _cycle() -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == local_today().year))


def _findings() -> list[InspectionFinding]:
    return list(db.session.scalars(select(InspectionFinding).where(InspectionFinding.cycle_id == _cycle().id)))


def test_progress_page_shows_nothing_missing(login_as):
    client = login_as("admin")
    page = client.get(f"/admin/cycles/{local_today().year}/progress").get_data(as_text=True)
    assert "全部 100 个岗位的年度考核和综合检查评议均已录入" in page
    assert "尚缺" not in page and "未完成" not in page


def test_every_post_has_an_assessment_and_two_rounds_of_scores(app_ctx):
    cycle = _cycle()
    posts = set(db.session.scalars(select(Post.id).where(Post.active.is_(True), Post.rates_unit.is_(False))))
    assessed = set(db.session.scalars(select(Assessment.post_id).where(Assessment.cycle_id == cycle.id)))
    rounds = dict(
        db.session.execute(
            select(InspectionScore.post_id, func.count(func.distinct(InspectionScore.round)))
            .where(InspectionScore.cycle_id == cycle.id)
            .group_by(InspectionScore.post_id)
        ).all()
    )
    assert len(posts) == 100 and assessed == posts
    assert rounds == dict.fromkeys(posts, 2)
    entered_by = db.session.scalars(select(func.distinct(Assessment.entered_by)).where(Assessment.cycle_id == cycle.id))
    assert set(entered_by) == {"seed"}


def test_assessments_have_a_realistic_spread(app_ctx):
    """The seeds' grades, which went to each post's holder at the cycle's end (the earlier holders of the posts
    that changed hands are assessed besides)."""
    grades = Counter(
        str(grade) if grade else "score"
        for grade in db.session.scalars(
            select(Assessment.grade)
            .join(Tenure, (Tenure.post_id == Assessment.post_id) & (Tenure.holder_id == Assessment.holder_id))
            .where(Assessment.cycle_id == _cycle().id, Tenure.ended_on.is_(None))
        )
    )
    assert sum(grades.values()) == 100
    assert 18 <= grades["excellent"] <= 22 and 60 <= grades["competent"] <= 70
    assert 5 <= grades["basically_competent"] <= 7 and grades["incompetent"] == 2
    assert 4 <= grades["score"] <= 6
    scores = list(db.session.scalars(select(InspectionScore.score).where(InspectionScore.cycle_id == _cycle().id)))
    assert all(60 <= s <= 100 for s in scores) and sum(s >= 75 for s in scores) >= 180


def test_notices_list_the_notified_findings_only(client, app_ctx):
    findings = _findings()
    notified = [f for f in findings if f.notified]
    quiet = [f for f in findings if not f.notified and f.description != "未发现问题"]
    assert 10 <= len(notified) <= 12 and quiet
    page = client.get("/notices").get_data(as_text=True)
    assert "目前没有通报" not in page
    for finding in notified:
        assert finding.description in page
    for finding in quiet:
        assert finding.description not in page
    assert "未发现问题" not in page


def test_most_inspections_find_nothing_and_problems_name_the_holder(app_ctx):
    findings = _findings()
    clean = [f for f in findings if f.description == "未发现问题"]
    problems = [f for f in findings if f.description != "未发现问题"]
    assert len(clean) > len(problems)  # most visits find nothing
    assert all(f.deduction == 0 and not f.notified for f in clean)
    assert 25 <= len(problems) <= 35 and all(f.deduction > 0 for f in problems)
    on_posts = [f for f in problems if f.post_id]
    assert len(on_posts) > len(problems) / 2 and all(f.holder_id for f in on_posts)  # 责任人 recorded
    assert len({f.found_on for f in findings}) <= 5  # five rounds


def test_no_post_loses_more_than_25_points(app_ctx):
    totals = db.session.execute(
        select(InspectionFinding.post_id, func.sum(InspectionFinding.deduction))
        .where(InspectionFinding.cycle_id == _cycle().id, InspectionFinding.post_id.is_not(None))
        .group_by(InspectionFinding.post_id)
    ).all()
    assert totals and max(total for _, total in totals) <= 25


def test_finding_dates_lie_in_the_cycle_and_not_in_the_future(app_ctx):
    cycle, today = _cycle(), local_today()
    dates = [f.found_on for f in _findings()]
    assert dates and all(cycle.starts_on <= d <= min(today, cycle.ends_on) for d in dates)


def test_rounds_are_dated_relative_to_today_and_clamped_into_the_cycle():
    cycle = Cycle(year=2030, starts_on=date(2030, 1, 1), ends_on=date(2030, 12, 31))
    late = [inspection_round_date(r, cycle, date(2030, 11, 27)) for r in range(1, 6)]
    assert late == [date(2030, 7, 30), date(2030, 8, 24), date(2030, 9, 18), date(2030, 10, 13), date(2030, 11, 7)]
    early = [inspection_round_date(r, cycle, date(2030, 2, 10)) for r in range(1, 6)]
    assert early == [date(2030, 1, 1)] * 4 + [date(2030, 1, 21)]


def test_seed_file_needs_no_distinct_dates():
    """Early in January every round falls on the cycle's first day; the rows must still be distinct."""
    rows = _seed_rows("inspections.csv")
    keys = Counter((row["code"], row["kind"], row["finding"]) for row in rows)
    assert max(keys.values()) == 1
    assert {row["round"] for row in rows} == {"1", "2", "3", "4", "5"}


@pytest.mark.parametrize("runs", [1, 2])
def test_seeding_again_writes_nothing(app, runner, runs):
    with app.app_context():
        before = (
            db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(InspectionFinding.id))),
        )
    for _ in range(runs):
        result = runner.invoke(args=["seed", "--allow-production"])
        assert result.exit_code == 0, result.output
        assert "assessments: created 0, changed 0, unchanged 100" in result.output
        assert "inspection scores: created 0, changed 0, unchanged 200" in result.output
        assert "inspection findings: 0 (notified 0)" in result.output
    with app.app_context():
        after = (
            db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(InspectionFinding.id))),
        )
    assert after == before
