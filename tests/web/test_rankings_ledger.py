"""A published department ranking in the accountability ledger (its yellow cards and the two-years-last flag, each
once), and rankings never published older than their inputs: the stations' ratings changed after the station
draft, in the service, the verdict desk, the rankings desk, the scheduler and the command (issue 13)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from rating import verdict_jobs
from rating.clock import local_today
from rating.extensions import db
from rating.models import AuditEntry, Cycle, LedgerEntry, LedgerSource, Post, Rating, RatingStatus, Unit
from rating.models.rankings import Ranking, RankingSet
from rating.services import audit, ledger, ratings
from rating.services.errors import Conflict
from rating.services.rankings import lifecycle as rankings
from rating.services.rankings import publication
from rating.services.verdict import lifecycle
from tests.conftest import csrf_token

YEAR = local_today().year
#: The demo's municipal unit last in both cycles (rating.demo.rankings.LAST_TWICE).
LAST_TWICE = "M25"
STALE_STATIONS = "须重新计算站所排名"


def _cycle(year: int = YEAR) -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == year))


def _notice_over(cycle: Cycle) -> None:
    cycle.notice_starts_on, cycle.notice_ends_on = local_today() - timedelta(days=8), local_today() - timedelta(days=1)


def _in_notice(cycle: Cycle) -> None:
    """This year's verdict and both rankings computed and in notice, the notice period over."""
    lifecycle.compute_final(audit.CLI, cycle)
    rankings.compute_departments(audit.CLI, cycle)
    rankings.compute_stations(audit.CLI, cycle)
    lifecycle.start_notice(audit.CLI, cycle)
    _notice_over(cycle)


def _department_entries(cycle: Cycle) -> list[LedgerEntry]:
    return [
        entry
        for entry in db.session.scalars(select(LedgerEntry).where(LedgerEntry.department_result_id.is_not(None)))
        if ledger.department_year(entry) == cycle.year
    ]


def _station_rating() -> Rating:
    return db.session.scalar(
        select(Rating)
        .join(Post, Post.id == Rating.post_id)
        .where(Post.rates_unit.is_(True), Rating.status == RatingStatus.COUNTED, Rating.level >= 3)
        .order_by(Rating.id)
        .limit(1)
    )


def test_a_published_department_ranking_opens_an_entry_per_yellow_card_and_two_years_flag_once(app_ctx):
    cycle = _cycle()
    _in_notice(cycle)
    lifecycle.publish(audit.CLI, cycle)
    published = publication.public_set(cycle, Ranking.DEPARTMENTS)
    assert published.kind == "published"
    entries = _department_entries(cycle)
    expected = {(row.id, LedgerSource.YELLOW_CARD) for row in published.rows if row.yellow_card}
    expected |= {(row.id, LedgerSource.HEAD_TO_RESIGN) for row in published.rows if row.head_to_resign}
    assert {(e.department_result_id, e.source) for e in entries} == expected
    [resign] = [e for e in entries if e.source == LedgerSource.HEAD_TO_RESIGN]
    head = db.session.scalar(select(Unit.head).where(Unit.code == LAST_TWICE))
    assert resign.unit.code == LAST_TWICE and resign.person == head and head
    assert resign.summary == f"{YEAR} 年度部门综合考核连续两年末位,主要负责人{head}引咎辞职"
    carded = next(e for e in entries if e.source == LedgerSource.YELLOW_CARD)
    assert "黄牌警告" in carded.summary and carded.person is None and carded.post_id is None
    opened = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "ledger.open", AuditEntry.entity_id == str(resign.id))
    )
    assert opened.after["source"] == "head_to_resign"

    # idempotent: again, and for a later published version of the same cycle (recomputed, published late)
    assert ledger.open_missing(audit.CLI) == []
    rankings.compute_departments(audit.CLI, cycle)
    second = rankings.publish_late(audit.CLI, cycle, Ranking.DEPARTMENTS, "部门考核分数复核后重新公布")
    assert second.version == published.version + 1
    assert len(_department_entries(cycle)) == len(expected)


def test_a_department_line_may_not_hold_two_entries_of_one_source(app_ctx):
    line = next(row for row in publication.public_set(_cycle(YEAR - 1), Ranking.DEPARTMENTS).rows if row.yellow_card)
    twin = LedgerEntry(
        source=LedgerSource.YELLOW_CARD, department_result_id=line.id, unit_id=line.unit_id, summary="重复"
    )
    with pytest.raises(Exception, match="(?i)unique"):
        with db.session.begin_nested():
            db.session.add(twin)
            db.session.flush()
    orphan = LedgerEntry(source=LedgerSource.HEAD_TO_RESIGN, unit_id=line.unit_id, summary="无来源")
    with pytest.raises(Exception, match="(?i)check"):
        with db.session.begin_nested():
            db.session.add(orphan)
            db.session.flush()


def test_the_ledger_pages_show_department_entries_with_their_labels_and_the_head(app, client, login_as):
    with app.app_context():
        cycle = _cycle()
        _in_notice(cycle)
        lifecycle.publish(audit.CLI, cycle)
        resign = next(e for e in _department_entries(cycle) if e.source == LedgerSource.HEAD_TO_RESIGN)
        entry_id, head = resign.id, resign.person
        db.session.commit()
    login_as("admin")
    listing = client.get("/admin/ledger?source=head_to_resign&state=").get_data(as_text=True)
    assert "部门考核连续两年末位" in listing and head in listing and f"/admin/ledger/{entry_id}" in listing
    assert "部门考核黄牌警告" in client.get("/admin/ledger?source=yellow_card&state=").get_data(as_text=True)
    page = client.get(f"/admin/ledger/{entry_id}").get_data(as_text=True)
    assert f"/results/{YEAR}/departments" in page and head in page
    with app.app_context():
        entry = db.session.get(LedgerEntry, entry_id)
        ledger.record_measure(
            audit.Actor("admin"),
            entry,
            measure="resignation",
            note="主要负责人已引咎辞职。",
            decided_by="市委",
            decided_on=local_today(),
            deadline=None,
        )
        ledger.close(audit.Actor("admin"), entry)
        db.session.commit()
    token = csrf_token(client, f"/admin/ledger/{entry_id}")
    notice = "该局连续两年部门综合考核末位,主要负责人引咎辞职。"
    form = {"csrf_token": token, "public": "y", "name_published": "y", "notice_text": notice}
    assert client.post(f"/admin/ledger/{entry_id}/publish", data=form).status_code == 302
    public = client.get("/accountability").get_data(as_text=True)
    assert notice in public and "部门考核连续两年末位" in public and head in public


def test_stations_changed_after_the_station_draft_block_publication_until_recomputed(app_ctx):
    cycle = _cycle()
    _in_notice(cycle)
    ratings.hold(audit.Actor("admin"), _station_rating(), "复核同一来源的集中评价")
    lifecycle.compute_final(audit.CLI, cycle)  # the verdict is recomputed; the station ranking is not
    _notice_over(cycle)
    reasons = publication.blockers(cycle)
    assert any(STALE_STATIONS in r for r in reasons)
    assert any("部门排名中站所的政风行风评议" in r for r in reasons)  # this year's stations take conduct from it
    with pytest.raises(Conflict, match=STALE_STATIONS):
        lifecycle.publish(audit.CLI, cycle)
    rankings.compute_stations(audit.CLI, cycle)
    rankings.compute_departments(audit.CLI, cycle)
    assert publication.blockers(cycle) == []
    assert lifecycle.publish(audit.CLI, cycle).kind == "published"


def test_the_verdict_desk_and_the_scheduler_name_a_stale_station_ranking(app, client, login_as):
    with app.app_context():
        cycle = _cycle()
        _in_notice(cycle)
        ratings.hold(audit.Actor("admin"), _station_rating(), "复核同一来源的集中评价")
        lifecycle.compute_final(audit.CLI, cycle)
        _notice_over(cycle)
        db.session.commit()
    with pytest.raises(verdict_jobs.Blocked, match=STALE_STATIONS):
        verdict_jobs.end_notice_periods(app)
    login_as("admin")
    assert STALE_STATIONS in client.get(f"/admin/verdict/{YEAR}").get_data(as_text=True)
    assert STALE_STATIONS in client.get(f"/admin/unit-scores?cycle={YEAR}").get_data(as_text=True)
    with app.app_context():
        assert _cycle().status == "notice"


def test_a_stale_station_ranking_is_not_published_late_by_the_command_or_the_desk(app, runner, client, login_as):
    with app.app_context():
        cycle = _cycle()
        _in_notice(cycle)
        lifecycle.publish(audit.CLI, cycle)
        rankings.compute_stations(audit.CLI, cycle)  # a late draft
        rating = _station_rating()
        ratings.moderate(audit.Actor("admin"), rating, "excluded", "核实为同一人重复评价")
        db.session.commit()
    reason = "站所评价复核后重新公布"
    result = runner.invoke(args=["publish-rankings", "--cycle", str(YEAR), "--ranking", "stations", "--reason", reason])
    assert result.exit_code == 1 and STALE_STATIONS in result.output
    login_as("admin")
    page = client.get(f"/admin/unit-scores?cycle={YEAR}").get_data(as_text=True)
    assert "暂不能公布" in page and STALE_STATIONS in page
    token = csrf_token(client, f"/admin/unit-scores?cycle={YEAR}")
    refused = client.post(
        f"/admin/rankings/{YEAR}/stations/publish", data={"csrf_token": token, "reason": reason}, follow_redirects=True
    )
    assert STALE_STATIONS in refused.get_data(as_text=True)
    with app.app_context():
        versions = db.session.scalars(
            select(RankingSet.version).where(RankingSet.ranking == "stations", RankingSet.kind == "published")
        ).all()
        assert versions == [1]
    assert runner.invoke(args=["compute-stations", "--cycle", str(YEAR)]).exit_code == 0
    done = runner.invoke(args=["publish-rankings", "--cycle", str(YEAR), "--ranking", "stations", "--reason", reason])
    assert done.exit_code == 0 and "published version 2" in done.output
