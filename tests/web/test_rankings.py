"""The department and station rankings over the database (SPEC §6, §7): the commands, all-or-nothing imports,
derived conduct, two years last across cycles, stations' minimum sample and lowest two, publication with the
cycle's verdict, immutability and the open data."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError

from rating.clock import local_today
from rating.extensions import db
from rating.models import AuditEntry, Cycle, Post, Rating, Unit
from rating.models.base import utcnow
from rating.models.rankings import DepartmentResult, Ranking, UnitScore
from rating.services import audit
from rating.services.errors import Conflict
from rating.services.rankings import lifecycle as rankings
from rating.services.rankings import publication
from rating.services.verdict import lifecycle
from rating.services.verdict.gather import gather

YEAR = local_today().year


def write(tmp_path, text: str, name="rows.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def invoke(runner, *args):
    return runner.invoke(args=[str(a) for a in args])


def scores_file(tmp_path, rows: dict[str, str]) -> str:
    body = "".join(f"{code},{values}\n" for code, values in rows.items())
    name = f"scores-{len(list(tmp_path.iterdir()))}.csv"
    return write(tmp_path, "unit_code,targets,responsibility,conduct,targets_met\n" + body, name)


def export_json(runner, command: str, year: int) -> list[dict]:
    result = invoke(runner, command, "--cycle", year, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["results"]


@pytest.mark.bare
def test_import_units_upserts_by_code_with_kinds_in_either_language_and_heads(app, runner, tmp_path):
    text = "code,name,kind,head\nM01,虚构发展局,市直部门,虚构局长甲\nS01,虚构东街所,station,虚构所长乙\n"
    assert invoke(runner, "import-units", write(tmp_path, text)).exit_code == 0
    again = "code,name,kind,head\nM01,虚构发展和改革局,municipal,虚构局长丙\n"
    assert invoke(runner, "import-units", "--cycle", YEAR, write(tmp_path, again, "b.csv")).exit_code == 0
    with app.app_context():
        units = {u.code: u for u in db.session.scalars(select(Unit))}
        assert (units["M01"].name, units["M01"].head) == ("虚构发展和改革局", "虚构局长丙")
        desk = db.session.scalar(select(Post).where(Post.rates_unit.is_(True)))
        assert (desk.code, desk.unit.code) == ("S01", "S01")  # the station can be rated at once
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "unit.update")).actor == "cli"


@pytest.mark.bare
def test_a_bad_units_file_writes_nothing_and_names_every_row(app, runner, tmp_path):
    text = "code,name,kind,head\nM01,虚构局,市直部门,甲\nM01,虚构局二,市直部门,乙\nM02,,外星单位,丙\n"
    result = invoke(runner, "import-units", write(tmp_path, text))
    assert result.exit_code == 1
    assert "第 3 行" in result.output and "第 4 行" in result.output and "外星单位" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Unit.id))) == 0


@pytest.mark.bare
def test_unit_scores_import_reads_targets_met_and_refuses_bad_rows_whole(app, runner, tmp_path, make_cycle, make_unit):
    make_cycle()
    for code in ("M01", "M02", "M03", "M04"):
        make_unit(code=code)
    good = scores_file(tmp_path, {"M01": "90,80,,是", "M02": "55,80,70,", "M03": "75,80,70,0", "M04": "40,50,60,1"})
    bad = scores_file(tmp_path, {"M01": "90,80,,是", "X9": "101,80,,也许"})
    refused = invoke(runner, "import-unit-scores", "--cycle", YEAR, bad)
    assert refused.exit_code == 1 and "X9" in refused.output and "101" in refused.output and "也许" in refused.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(UnitScore.id))) == 0
    assert invoke(runner, "import-unit-scores", "--cycle", YEAR, good).exit_code == 0
    with app.app_context():
        met = {s.unit.code: s.targets_met for s in db.session.scalars(select(UnitScore))}
        assert met == {"M01": True, "M02": None, "M03": False, "M04": True}
        assert db.session.scalar(select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "unit_score.set")) == 4
    assert invoke(runner, "compute-departments", "--cycle", YEAR).exit_code == 0
    lines = {line["unit_code"]: line for line in export_json(runner, "export-departments", YEAR)}
    assert lines["M02"]["yellow_card"] and lines["M03"]["yellow_card"] and not lines["M04"]["yellow_card"]
    assert lines["M01"]["rank"] is None  # no conduct entered, no computed verdict to derive it from
    assert list(lines["M02"]) == [
        "group", "rank", "unit_code", "unit", "targets", "responsibility", "conduct", "composite",
        "commended", "yellow_card", "last", "head_to_resign",
    ]  # fmt: skip


@pytest.mark.bare
def test_last_two_cycles_running_flags_the_head_to_resign(app, runner, tmp_path, make_cycle, make_unit):
    make_cycle(YEAR - 1, status="closed")
    make_cycle()
    for code in ("M01", "M02", "M03"):
        make_unit(code=code)
    with app.app_context():
        db.session.get(Unit, db.session.scalar(select(Unit.id).where(Unit.code == "M03"))).head = "虚构局长丁"
        db.session.commit()
    for year, rows in (
        (YEAR - 1, {"M01": "90,90,90,", "M02": "80,80,80,", "M03": "70,70,70,"}),
        (YEAR, {"M01": "70,70,70,", "M02": "90,90,90,", "M03": "65,65,65,"}),
    ):
        assert invoke(runner, "import-unit-scores", "--cycle", year, scores_file(tmp_path, rows)).exit_code == 0
        assert invoke(runner, "compute-departments", "--cycle", year).exit_code == 0
    lines = {line["unit_code"]: line for line in export_json(runner, "export-departments", YEAR)}
    assert lines["M03"]["last"] and lines["M03"]["head_to_resign"]
    assert [lines[c]["rank"] for c in ("M02", "M01", "M03")] == [1, 2, 3]
    assert lines["M02"]["commended"] and lines["M01"]["commended"] and not lines["M03"]["commended"]
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        row = next(r for r in publication.desk_set(cycle, Ranking.DEPARTMENTS).rows if r.unit_code == "M03")
        assert row.head == "虚构局长丁"


def station_ratings(unit_code: str, good: int, bad: int) -> str:
    day = local_today().replace(month=1, day=2).isoformat()
    rows = [f"{unit_code},{5 if i < good else 1},0,热线,{day} 10:00" for i in range(good + bad)]
    return "".join(row + "\n" for row in rows)


@pytest.mark.bare
def test_stations_ranked_by_satisfaction_with_minimum_sample_and_the_lowest_two_named(
    app, runner, tmp_path, make_cycle, make_unit
):
    make_cycle()
    for code in ("S01", "S02", "S03", "S04", "S05"):
        make_unit("station", code=code)
    body = (
        station_ratings("S01", 30, 0)
        + station_ratings("S02", 27, 3)
        + station_ratings("S03", 20, 10)
        + station_ratings("S04", 24, 8)
        + station_ratings("S05", 5, 0)
    )
    path = write(tmp_path, "unit_code,level,verified,channel,created_at\n" + body)
    result = invoke(runner, "import-station-ratings", "--cycle", YEAR, path)
    assert result.exit_code == 0, result.output
    assert invoke(runner, "compute-stations", "--cycle", YEAR).exit_code == 0
    lines = export_json(runner, "export-stations", YEAR)
    assert [(line["unit_code"], line["rank"]) for line in lines] == [
        ("S01", 1), ("S02", 2), ("S04", 3), ("S03", 4), ("S05", None)
    ]  # fmt: skip
    assert [line["unit_code"] for line in lines if line["named_lowest"]] == ["S04", "S03"]
    assert lines[-1]["ranked"] is False and lines[1]["rate"] == 0.9 and lines[1]["satisfied"] == 27
    assert list(lines[0]) == ["rank", "unit_code", "unit", "ratings", "satisfied", "rate", "ranked", "named_lowest"]
    with app.app_context():
        # the key posts' μ does not take the stations' ratings
        assert db.session.scalar(select(db.func.count(Rating.id))) == 127
        assert gather(db.session.scalar(select(Cycle).where(Cycle.year == YEAR))).cycle_tally.count == 0


@pytest.mark.bare
def test_an_unknown_station_refuses_the_whole_ratings_file(app, runner, tmp_path, make_cycle, make_unit):
    make_cycle()
    make_unit("station", code="S01")
    path = write(
        tmp_path,
        "unit_code,level,verified,channel,created_at\n"
        + station_ratings("S01", 2, 0)
        + "M99,5,0,热线,2026-01-01\nS01,5,0,热线,2000-01-01\n",
    )
    result = invoke(runner, "import-station-ratings", "--cycle", YEAR, path)
    assert result.exit_code == 1 and "M99" in result.output and "不在本评议周期内" in result.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Rating.id))) == 0


def _cycle() -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == YEAR))


def test_the_stations_tally_leaves_the_planner_as_it_found_it(app_ctx):
    """On the demo: the tally (which prices random reads as on an SSD for its one statement on PostgreSQL) counts
    the demo's stations and puts the setting back for the rest of the transaction."""
    from sqlalchemy import text

    from rating.services.rankings import gather

    postgres = db.session.get_bind().dialect.name == "postgresql"
    setting = text("SELECT current_setting('random_page_cost')")
    before = db.session.scalar(setting) if postgres else None
    tallies = gather.station_tallies(_cycle())
    assert len(tallies) >= 13 and all(ratings >= happy >= 0 for ratings, happy in tallies.values())
    if postgres:
        assert db.session.scalar(setting) == before


def test_conduct_derives_from_the_verdict_and_rankings_publish_with_it(app_ctx):
    """On the demo: every unit with scores but no conduct takes the mean composite of its ranked lines in the
    cycle's computed verdict; the rankings are public during notice and published with the verdict, immutably."""
    cycle = _cycle()
    draft = lifecycle.compute_final(audit.CLI, cycle)
    by_unit: dict[str, list[float]] = {}
    for row in draft.rows:
        if row.rank is not None:
            by_unit.setdefault(row.unit_code, []).append(row.composite)
    unit = db.session.scalar(select(Unit).where(Unit.code == next(iter(by_unit))))
    db.session.execute(delete(UnitScore).where(UnitScore.cycle_id == cycle.id))
    db.session.add(UnitScore(cycle_id=cycle.id, unit_id=unit.id, targets=80, responsibility=80, entered_by="t"))
    departments = rankings.compute_departments(audit.CLI, cycle)
    [line] = departments.rows
    expected = sum(by_unit[unit.code]) / len(by_unit[unit.code])
    assert line.conduct == pytest.approx(expected) and line.conduct_source == "posts"
    rankings.compute_stations(audit.CLI, cycle)
    assert publication.public_set(cycle, Ranking.DEPARTMENTS) is None  # not before notice
    lifecycle.start_notice(audit.CLI, cycle)
    assert publication.public_set(cycle, Ranking.DEPARTMENTS).kind == "draft"
    cycle.notice_starts_on, cycle.notice_ends_on = local_today() - timedelta(days=8), local_today() - timedelta(days=1)
    lifecycle.publish(audit.CLI, cycle)
    published = publication.public_set(cycle, Ranking.DEPARTMENTS)
    assert published.kind == "published" and published.content_hash == departments.content_hash.replace(
        departments.content_hash, published.content_hash
    )
    assert publication.public_set(cycle, Ranking.STATIONS).kind == "published"
    row_id = published.rows[0].id
    db.session.flush()
    for statement in (
        update(DepartmentResult).where(DepartmentResult.id == row_id).values(composite=1.0),
        delete(DepartmentResult).where(DepartmentResult.id == row_id),
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            with db.session.begin_nested():
                db.session.execute(statement)


def test_a_ranking_computed_after_publication_is_published_late_with_a_reason(app_ctx):
    """The demo's last year is published; its department ranking is computed afterwards and published with a
    reason, and the unit's history shows it."""
    last_year = db.session.scalar(select(Cycle).where(Cycle.year == YEAR - 1))
    draft = rankings.compute_departments(audit.CLI, last_year)
    assert publication.public_set(last_year, Ranking.DEPARTMENTS) is None or draft.kind == "draft"
    published = rankings.publish_late(audit.CLI, last_year, Ranking.DEPARTMENTS, "年终部门考核结果补充公布")
    assert published.reason == "年终部门考核结果补充公布" and published.source_id == draft.id
    code = published.rows[0].unit_code
    assert YEAR - 1 in [year for year, _status, _line in publication.unit_history(code)]


def test_publication_waits_for_a_department_ranking_older_than_its_inputs(app_ctx):
    """Unit scores changed, or the verdict recomputed, after the department draft: the cycle cannot be published
    until the ranking is computed again."""
    cycle = _cycle()
    db.session.execute(update(UnitScore).where(UnitScore.cycle_id == cycle.id).values(conduct=None))
    lifecycle.compute_final(audit.CLI, cycle)
    rankings.compute_departments(audit.CLI, cycle)
    lifecycle.start_notice(audit.CLI, cycle)
    cycle.notice_starts_on, cycle.notice_ends_on = local_today() - timedelta(days=8), local_today() - timedelta(days=1)
    lifecycle.compute_final(audit.CLI, cycle)  # the verdict recomputed during notice
    cycle.notice_starts_on, cycle.notice_ends_on = local_today() - timedelta(days=8), local_today() - timedelta(days=1)
    with pytest.raises(Conflict, match="须重新计算部门排名"):
        lifecycle.publish(audit.CLI, cycle)
    score = db.session.scalar(select(UnitScore).where(UnitScore.cycle_id == cycle.id).limit(1))
    rankings.compute_departments(audit.CLI, cycle)
    score.targets, score.updated_at = 10.0, utcnow()
    with pytest.raises(Conflict, match="单位考核分数有变动"):
        lifecycle.publish(audit.CLI, cycle)
    rankings.compute_departments(audit.CLI, cycle)
    assert lifecycle.publish(audit.CLI, cycle).kind == "published"
