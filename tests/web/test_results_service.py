"""The verdict over the database: the SQL aggregation checked against a separate, row-by-row reading of SPEC §3,
the refusals, the commands, publication, immutability, corrections and the open-data API."""

import hashlib
import json
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import DBAPIError

from rating.clock import local_today
from rating.extensions import db
from rating.models import (
    Assessment,
    Category,
    Complaint,
    ComplaintChannel,
    ComplaintStatus,
    Cycle,
    CycleStatus,
    Finding,
    InspectionFinding,
    InspectionKind,
    InspectionScore,
    Post,
    Rating,
    RatingStatus,
    Result,
    ResultKind,
    ResultSet,
    Tenure,
)
from rating.models.base import utcnow
from rating.services import audit
from rating.services import objections as objection_service
from rating.services.errors import Conflict
from rating.services.tenures import holder_on
from rating.services.verdict import export, lifecycle, publication

GRADES = {"excellent": 95, "competent": 85, "basically_competent": 70, "incompetent": 50}


def _cycle() -> Cycle:
    return db.session.scalar(select(Cycle).where(Cycle.year == local_today().year))


def _tenure_lines(cycle: Cycle) -> list[tuple[Post, int, int]]:
    """Each (post, holder id, days in post during the cycle, both ends counted) on an active post, by post code
    and start date: SPEC §6's verdict lines, read from the tenures."""
    lines = []
    for t in db.session.scalars(select(Tenure).join(Post).where(Post.active.is_(True))):
        first = max(t.started_on or cycle.starts_on, cycle.starts_on)
        last = min(t.ended_on or cycle.ends_on, cycle.ends_on)
        if last >= first:
            lines.append((t.post.code, first, t.post, t.holder_id, (last - first).days + 1))
    return [(post, holder_id, days) for _code, _first, post, holder_id, days in sorted(lines, key=lambda x: x[:2])]


def reference_verdict(cycle: Cycle) -> list[dict]:
    """SPEC §3 read literally, one raw row at a time, sharing no code with rating.scoring or the service. A line is
    a (post, holder) pair (SPEC §6); every record counts for the holder it carries; a holder in post for fewer than
    min_tenure_days of the cycle is listed after the ranking, with their own figures, but takes no place or title."""
    min_days = cycle.method.get("min_tenure_days", 183)
    # Stations' rating desks are not key posts: their ratings feed the station ranking (SPEC §6), not μ.
    desks = set(db.session.scalars(select(Post.id).where(Post.rates_unit.is_(True))))
    counted = db.session.scalars(
        select(Rating).where(Rating.cycle_id == cycle.id, Rating.status == RatingStatus.COUNTED)
    ).all()
    sw = swv = 0.0
    per_line = {}
    for r in counted:
        if r.post_id in desks:
            continue
        w = 1.0 if r.verified else 0.5
        v = (r.level - 1) * 25
        sw, swv = sw + w, swv + w * v
        wv_w_n = per_line.setdefault((r.post_id, r.holder_id), [0.0, 0.0, 0])
        wv_w_n[0] += w * v
        wv_w_n[1] += w
        wv_w_n[2] += 1
    mu = swv / sw if sw else 50.0
    ranked, short = [], []
    for post, holder_id, days in _tenure_lines(cycle):
        mine = {"cycle_id": cycle.id, "post_id": post.id, "holder_id": holder_id}
        a = db.session.scalar(select(Assessment).filter_by(**mine))
        grade = str(a.grade) if a and a.grade else None
        findings = db.session.scalars(select(InspectionFinding).filter_by(**mine))
        deductions = sum(f.deduction for f in findings if not f.withdrawn)
        veto = False
        for c in db.session.scalars(select(Complaint).filter_by(**mine)):
            # concluded, or reopened after an unsatisfied return visit with its finding standing (issue 14)
            standing = c.status == ComplaintStatus.CONCLUDED or c.reopened
            if c.finding is None or not standing or c.merged_into_id is not None:
                continue
            deductions += {"substantiated": 10, "partly": 5}.get(str(c.finding), 0)
            veto = veto or (c.finding == Finding.SUBSTANTIATED and c.category == Category.DISCIPLINE)
        scores = [s.score for s in db.session.scalars(select(InspectionScore).filter_by(**mine))]
        wv, w, n = per_line.get((post.id, holder_id), (0.0, 0.0, 0))
        s = (wv + 20 * mu) / (w + 20)
        a_score = (GRADES[grade] if grade else a.score) if a else None
        c_score = max(0.0, 100 - deductions)
        i_score = sum(scores) / len(scores) if scores else None
        t = None if a_score is None or i_score is None else 0.4 * s + 0.3 * a_score + 0.2 * c_score + 0.1 * i_score
        eligible = grade not in ("basically_competent", "incompetent") and not veto
        line = dict(code=post.code, s=s, a=a_score, c=c_score, i=i_score, t=t, n=n, eligible=eligible)
        (ranked if days >= min_days else short).append(line)
    ranked.sort(key=lambda x: (-round(x["t"], 6), -round(x["s"], 6), -round(x["c"], 6), x["code"]))
    benchmark = excellent = 0
    for rank, line in enumerate(ranked, start=1):
        line["rank"], line["title"] = rank, None
        if rank > len(ranked) - 5:
            line["title"] = "warning"
        elif line["eligible"] and benchmark < 20:
            benchmark, line["title"] = benchmark + 1, "benchmark"
        elif line["eligible"] and excellent < 40:
            excellent, line["title"] = excellent + 1, "excellent"
    for line in short:
        line["rank"], line["title"] = None, None
    return ranked + short


def _messy_records(cycle: Cycle) -> None:
    """Records that must not count, or count in a particular way, beside the demo data."""
    posts = {p.code: p for p in db.session.scalars(select(Post))}
    p1, p2, p3 = posts["DT-001"], posts["DT-002"], posts["DT-003"]
    now = utcnow()
    holder = {post.id: holder_on(post.id) for post in (p1, p2, p3)}  # as the services attribute records

    def rating(post, level, verified, status, n):
        return Rating(
            receipt=f"RT{n:012d}",
            cycle_id=cycle.id,
            post_id=post.id,
            holder_id=holder[post.id],
            level=level,
            channel="web",
            verified=verified,
            status=status,
            created_at=now,
        )

    db.session.add_all(
        [rating(p1, 1, True, RatingStatus.HELD, i) for i in range(30)]
        + [rating(p1, 1, False, RatingStatus.EXCLUDED, 100 + i) for i in range(30)]
        + [rating(p2, 5, True, RatingStatus.COUNTED, 200 + i) for i in range(40)]
    )
    db.session.add_all(
        [
            InspectionFinding(
                cycle_id=cycle.id,
                post_id=p3.id,
                holder_id=holder[p3.id],
                unit_id=p3.unit_id,
                found_on=local_today(),
                kind=InspectionKind.UNDERCOVER,
                description="离岗",
                deduction=7.5,
                recorded_by="t",
            ),
            InspectionFinding(
                cycle_id=cycle.id,
                post_id=p3.id,
                holder_id=holder[p3.id],
                unit_id=p3.unit_id,
                found_on=local_today(),
                kind=InspectionKind.OPEN,
                description="已撤销",
                deduction=40,
                withdrawn=True,
                recorded_by="t",
            ),
            InspectionFinding(
                cycle_id=cycle.id,
                post_id=None,
                unit_id=p3.unit_id,
                found_on=local_today(),
                kind=InspectionKind.OPEN,
                description="单位问题",
                deduction=30,
                recorded_by="t",
            ),
        ]
    )

    def complaint(post, finding, category, n, **extra):
        fields = {"status": "concluded", "concluded_at": now, "cycle_id": cycle.id, **extra}
        return Complaint(
            case_number=f"TX{n:010d}",
            query_code_hash="x",
            channel=ComplaintChannel.PHONE,
            post_id=post.id,
            holder_id=holder[post.id],
            unit_id=post.unit_id,
            category=category,
            text="测试投诉内容",
            finding=finding,
            **fields,
        )

    merged_into = complaint(p2, Finding.UNSUBSTANTIATED, Category.CONDUCT, 1)
    db.session.add(merged_into)
    db.session.flush()
    db.session.add_all(
        [
            complaint(p2, Finding.SUBSTANTIATED, Category.DISCIPLINE, 2),  # 一票否决
            complaint(p2, Finding.PARTLY, Category.CONDUCT, 3),
            complaint(p2, Finding.SUBSTANTIATED, Category.CONDUCT, 4, merged_into_id=merged_into.id),
            complaint(p2, Finding.SUBSTANTIATED, Category.DISCIPLINE, 5, status="in_progress"),  # not concluded
        ]
    )
    db.session.execute(update(Post).where(Post.code == "DT-100").values(active=False))
    db.session.flush()


@pytest.mark.parametrize("messy", [False, True], ids=["demo", "messy"])
def test_sql_aggregation_agrees_with_a_row_by_row_reading_of_the_method(app_ctx, messy):
    cycle = _cycle()
    if messy:
        _messy_records(cycle)
    draft = lifecycle.compute_final(audit.CLI, cycle)
    expected = reference_verdict(cycle)
    got = [(r.post_code, r.rank, r.title, r.ratings) for r in draft.rows]
    assert got == [(e["code"], e["rank"], e["title"], e["n"]) for e in expected]
    for row, e in zip(draft.rows, expected, strict=True):
        assert (row.service, row.assessment, row.conduct, row.inspection, row.composite) == pytest.approx(
            (e["s"], e["a"], e["c"], e["i"], e["t"]), abs=1e-9
        )
    titles = [r.title for r in draft.rows]
    assert (titles.count("benchmark"), titles.count("excellent"), titles.count("warning")) == (20, 40, 5)
    if messy:
        by_code = {r.post_code: r for r in draft.rows}
        assert "DT-100" not in by_code  # inactive posts are not ranked
        assert by_code["DT-002"].discipline_veto and by_code["DT-002"].title in (None, "warning")
        assert (by_code["DT-002"].complaints_substantiated, by_code["DT-002"].complaints_partly) == (1, 1)
        assert by_code["DT-003"].inspection_deductions == 7.5


def test_computation_freezes_the_method_and_moves_the_cycle_to_computed(app_ctx):
    cycle = _cycle()
    cycle.method = {**cycle.method, "prior_weight": 5.0}
    draft = lifecycle.compute_final(audit.CLI, cycle)
    assert cycle.status == CycleStatus.COMPUTED and draft.kind == ResultKind.DRAFT
    assert draft.method["prior_weight"] == 5.0 and draft.ranked == 100
    entry = db.session.execute(text("SELECT action, after FROM audit_log ORDER BY id DESC LIMIT 1")).one()
    assert entry.action == "result.compute" and draft.content_hash in str(entry.after)


def test_percentage_quotas_give_titles_in_proportion(app_ctx):
    cycle = _cycle()
    cycle.method = {
        **cycle.method,
        "benchmark_quota": {"value": 10, "unit": "percent"},
        "excellent_quota": {"value": 25, "unit": "percent"},
        "warning_quota": {"value": 2.5, "unit": "percent"},
    }
    titles = [r.title for r in lifecycle.compute_final(audit.CLI, cycle).rows]
    assert (titles.count("benchmark"), titles.count("excellent"), titles.count("warning")) == (10, 25, 3)


def test_missing_components_refuse_computation_naming_every_post_and_write_nothing(app_ctx):
    cycle = _cycle()
    db.session.execute(
        delete(Assessment).where(
            Assessment.cycle_id == cycle.id,
            Assessment.post_id.in_(select(Post.id).where(Post.code.in_(["DT-007", "DT-042"]))),
        )
    )
    db.session.execute(
        delete(InspectionScore).where(
            InspectionScore.cycle_id == cycle.id,
            InspectionScore.post_id.in_(select(Post.id).where(Post.code == "DT-042")),
        )
    )
    with pytest.raises(lifecycle.MissingComponents) as refused:
        lifecycle.compute_final(audit.CLI, cycle)
    assert refused.value.missing == [("DT-007", ["assessment"]), ("DT-042", ["assessment", "inspection"])]
    assert "DT-007" in str(refused.value) and "DT-042" in str(refused.value)
    assert cycle.status == CycleStatus.OPEN
    assert publication.latest(cycle, ResultKind.DRAFT) is None


def test_provisional_standings_show_missing_components_and_replace_the_previous_ones(app_ctx):
    cycle = _cycle()
    db.session.execute(
        delete(Assessment).where(
            Assessment.cycle_id == cycle.id, Assessment.post_id.in_(select(Post.id).where(Post.code == "DT-005"))
        )
    )
    first = lifecycle.compute_provisional(cycle)
    second = lifecycle.compute_provisional(cycle)
    kept = db.session.scalars(
        select(ResultSet).where(ResultSet.cycle_id == cycle.id, ResultSet.kind == ResultKind.PROVISIONAL)
    ).all()
    assert [s.version for s in kept] == [second.version] and second.version == first.version + 1
    # The line missing its assessment comes right after the ranked ones (and before any holder in post too briefly).
    assert second.ranked == 99 and [r.rank for r in second.rows[:99]] == list(range(1, 100))
    missing = second.rows[second.ranked]
    assert (missing.post_code, missing.rank, missing.composite, missing.assessment) == ("DT-005", None, None, None)
    assert [r.post_code for r in second.rows if r.rule == "missing"] == ["DT-005"]
    assert second.missing == [{"post_code": "DT-005", "missing": ["assessment"]}]
    assert cycle.status == CycleStatus.OPEN


def _publish(cycle: Cycle) -> ResultSet:
    lifecycle.compute_final(audit.CLI, cycle)
    lifecycle.start_notice(audit.CLI, cycle)
    cycle.notice_starts_on = local_today() - timedelta(days=8)
    cycle.notice_ends_on = local_today() - timedelta(days=1)
    return lifecycle.publish(audit.CLI, cycle)


def test_publication_needs_notice_its_end_and_every_objection_answered(app_ctx):
    cycle = _cycle()
    lifecycle.compute_final(audit.CLI, cycle)
    with pytest.raises(Conflict, match="公示"):
        lifecycle.publish(audit.CLI, cycle)
    lifecycle.start_notice(audit.CLI, cycle)
    objection = objection_service.lodge_objection(
        cycle, "DT-003 的综合检查得分与实际不符,请核实。", contact="13900001111"
    )
    with pytest.raises(Conflict) as refused:
        lifecycle.publish(audit.CLI, cycle)
    assert "公示期至" in str(refused.value) and "1 件异议" in str(refused.value)
    cycle.notice_ends_on = local_today() - timedelta(days=1)
    with pytest.raises(Conflict, match="未答复"):
        lifecycle.publish(audit.CLI, cycle)
    objection_service.answer(audit.CLI, objection, "经核实,得分无误。")
    published = lifecycle.publish(audit.CLI, cycle)
    assert cycle.status == CycleStatus.PUBLISHED and published.version == 1
    assert [r.post_code for r in published.rows] == [
        r.post_code for r in publication.latest(cycle, ResultKind.DRAFT).rows
    ]


def test_published_results_are_immutable_in_the_database(app_ctx):
    published = _publish(_cycle())
    row_id = published.rows[0].id
    db.session.flush()
    for statement in (
        update(Result).where(Result.id == row_id).values(composite=99.0),
        delete(Result).where(Result.id == row_id),
        update(ResultSet).where(ResultSet.id == published.id).values(content_hash="0" * 64),
    ):
        with pytest.raises(DBAPIError, match="immutable"):
            with db.session.begin_nested():
                db.session.execute(statement)
    assert db.session.scalar(select(Result.composite).where(Result.id == row_id)) == published.rows[0].composite


def test_content_hash_can_be_recomputed_from_the_published_json(app_ctx):
    cycle = _cycle()
    published = _publish(cycle)
    document = export.document(cycle, published)
    canonical = {k: document[k] for k in ("kind", "version", "method", "results")} | {"cycle": document["cycle"]}
    payload = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    assert hashlib.sha256(payload).hexdigest() == document["content_hash"] == published.content_hash


def test_a_correction_is_a_new_version_and_the_old_one_stays(app_ctx, client):
    cycle = _cycle()
    first = _publish(cycle)
    db.session.execute(
        update(Assessment)
        .where(
            Assessment.cycle_id == cycle.id,
            Assessment.post_id.in_(select(Post.id).where(Post.code == first.rows[0].post_code)),
        )
        .values(grade="incompetent", score=None)
    )
    with pytest.raises(Conflict):
        lifecycle.compute_final(audit.CLI, cycle)
    second = lifecycle.publish_correction(audit.CLI, cycle, "DT 岗位年度考核等次录入错误,已更正")
    assert second.version == 2 and second.reason.startswith("DT") and second.content_hash != first.content_hash
    corrected = {r.post_code: r for r in second.rows}[first.rows[0].post_code]
    assert corrected.grade == "incompetent" and corrected.title != "benchmark"
    db.session.commit()
    assert client.get(f"/api/v1/cycles/{cycle.year}/results").get_json()["version"] == 2
    old = client.get(f"/api/v1/cycles/{cycle.year}/results?version=1").get_json()
    assert old["version"] == 1 and old["results"][0]["title"] == "benchmark"


def test_api_serves_results_only_once_published_with_etag(app_ctx, client):
    cycle = _cycle()
    lifecycle.compute_final(audit.CLI, cycle)
    db.session.commit()
    assert client.get(f"/api/v1/cycles/{cycle.year}/results").status_code == 404
    assert client.get("/api/v1/cycles/1999/results").status_code == 404
    lifecycle.start_notice(audit.CLI, cycle)
    cycle.notice_ends_on = local_today() - timedelta(days=1)
    published = lifecycle.publish(audit.CLI, cycle)
    db.session.commit()
    response = client.get(f"/api/v1/cycles/{cycle.year}/results")
    body = response.get_json()
    assert set(body) >= {"cycle", "status", "method", "results"} and body["status"] == "published"
    assert set(body["results"][0]) == {
        "rank",
        "post_code",
        "post_title",
        "unit",
        "holder",
        "service",
        "assessment",
        "conduct",
        "inspection",
        "composite",
        "ratings",
        "title",
        "ranked",  # since verdict lines are tenures
    }
    # Ranked lines first, 1 to 100; a holder in post too briefly comes after them, with no rank or title.
    ranked = [line for line in body["results"] if line["ranked"]]
    assert [line["rank"] for line in ranked] == list(range(1, 101)) and body["results"][:100] == ranked
    assert all(line["rank"] is None and line["title"] is None for line in body["results"][100:])
    assert body["content_hash"] == published.content_hash
    again = client.get(f"/api/v1/cycles/{cycle.year}/results", headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304
    listed = {c["year"]: c for c in client.get("/api/v1/cycles").get_json()["items"]}
    assert listed[cycle.year]["published_version"] == 1


def test_compute_and_export_commands(app, runner, tmp_path):
    year = local_today().year
    result = runner.invoke(args=["compute", "--cycle", str(year)])
    assert result.exit_code == 0, result.output
    assert "benchmark 20, excellent 40, warning 5" in result.output
    out = runner.invoke(args=["export-results", "--cycle", str(year), "--format", "json"])
    document = json.loads(out.stdout)
    assert document["cycle"] == year and document["status"] == "computed"
    lines = len(document["results"])  # 100 ranked, then the holders in post too briefly
    assert [line["ranked"] for line in document["results"]] == [True] * 100 + [False] * (lines - 100)
    first = document["results"][0]
    assert first["rank"] == 1 and first["title"] == "benchmark"
    assert all(round(first[k], 2) == first[k] for k in ("service", "assessment", "conduct", "inspection", "composite"))
    assert {line["title"] for line in document["results"]} == {"benchmark", "excellent", "warning", None}
    csv_file, xlsx_file = tmp_path / "r.csv", tmp_path / "r.xlsx"
    assert runner.invoke(args=["export-results", "--cycle", str(year), "--format", "csv", "--output", str(csv_file)])
    csv_lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    assert csv_lines[0].startswith("rank,post_code,post_title,unit,holder,service") and len(csv_lines) == lines + 1
    runner.invoke(args=["export-results", "--cycle", str(year), "--format", "xlsx", "--output", str(xlsx_file)])
    sheet = load_workbook(xlsx_file).active
    assert sheet.max_row == lines + 1 and sheet.cell(2, 2).value == first["post_code"]


def test_commands_refuse_clearly(app, runner):
    year = local_today().year
    missing = runner.invoke(args=["export-results", "--cycle", str(year), "--format", "json"])
    assert missing.exit_code == 1 and "尚未计算" in missing.output
    assert runner.invoke(args=["compute", "--cycle", "1999"]).exit_code == 1
    with app.app_context():
        cycle = _cycle()
        db.session.execute(
            delete(InspectionScore).where(
                InspectionScore.cycle_id == cycle.id,
                InspectionScore.post_id.in_(select(Post.id).where(Post.code == "DT-009")),
            )
        )
        db.session.commit()
    refused = runner.invoke(args=["compute", "--cycle", str(year)])
    assert refused.exit_code == 1 and "DT-009" in refused.output
    publish = runner.invoke(args=["publish", "--cycle", str(year)])
    assert publish.exit_code == 1 and "公示" in publish.output


def test_a_crash_in_the_middle_of_compute_leaves_nothing(app, runner, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("power cut")

    year = local_today().year
    # The draft rows are written and the cycle closed when the audit entry fails: the whole transaction must go.
    # (A context, not monkeypatch.undo(): undo would also lift the app fixture's own patches.)
    with monkeypatch.context() as power:
        power.setattr(audit, "record", broken)
        crashed = runner.invoke(args=["compute", "--cycle", str(year)])
    assert crashed.exit_code != 0
    with app.app_context():
        cycle = _cycle()
        assert cycle.status == CycleStatus.OPEN
        assert publication.latest(cycle, ResultKind.DRAFT) is None
    assert runner.invoke(args=["compute", "--cycle", str(year)]).exit_code == 0
    with app.app_context():
        assert publication.latest(_cycle(), ResultKind.DRAFT).version == 1


def test_a_late_record_after_computing_asks_for_recomputation_before_notice(app_ctx):
    from rating.imports.officials import ScoreRow
    from rating.services.officials import record_scores

    cycle = _cycle()
    lifecycle.compute_final(audit.CLI, cycle)
    assert not cycle.result_stale
    post_id = db.session.scalar(select(Post.id).where(Post.code == "DT-010"))
    record_scores(audit.CLI, cycle, [ScoreRow(line=2, code="DT-010", post_id=post_id, score=12.0, round=9)])
    assert cycle.result_stale
    with pytest.raises(Conflict, match="重新计算"):
        lifecycle.start_notice(audit.CLI, cycle)
    lifecycle.compute_final(audit.CLI, cycle)
    assert not cycle.result_stale
    lifecycle.start_notice(audit.CLI, cycle)
    assert cycle.status == CycleStatus.NOTICE


def test_a_recomputation_in_notice_that_moves_a_title_restarts_the_notice(app_ctx):
    cycle = _cycle()
    draft = lifecycle.compute_final(audit.CLI, cycle)
    lifecycle.start_notice(audit.CLI, cycle)
    cycle.notice_starts_on, cycle.notice_ends_on = local_today() - timedelta(days=5), local_today() + timedelta(days=1)
    unchanged = lifecycle.compute_final(audit.CLI, cycle)  # same records, same titles: the notice runs on
    assert unchanged.version == 2 and cycle.notice_ends_on == local_today() + timedelta(days=1)
    top = draft.rows[0].post_code
    db.session.execute(
        update(Assessment)
        .where(Assessment.cycle_id == cycle.id, Assessment.post_id.in_(select(Post.id).where(Post.code == top)))
        .values(grade="basically_competent", score=None)
    )
    moved = lifecycle.compute_final(audit.CLI, cycle)
    assert {r.post_code: r.title for r in moved.rows}[top] is None
    assert (cycle.notice_starts_on, cycle.notice_ends_on) == (local_today(), local_today() + timedelta(days=6))


def test_provisional_standings_only_before_computation(app_ctx):
    cycle = _cycle()
    lifecycle.compute_final(audit.CLI, cycle)
    with pytest.raises(Conflict):
        lifecycle.compute_provisional(cycle)


def test_a_correction_ranks_the_posts_that_were_published(app_ctx):
    cycle = _cycle()
    first = _publish(cycle)
    db.session.execute(update(Post).where(Post.code == "DT-050").values(active=False))
    second = lifecycle.publish_correction(audit.CLI, cycle, "复核后更正,岗位范围不变")
    assert [r.post_code for r in second.rows] and {r.post_code for r in second.rows} == {
        r.post_code for r in first.rows
    }


def test_objection_references_are_numbered_per_cycle(app_ctx):
    cycle = _cycle()
    lifecycle.compute_final(audit.CLI, cycle)
    lifecycle.start_notice(audit.CLI, cycle)
    refs = [objection_service.lodge_objection(cycle, f"第 {n} 件异议:排名依据需要说明。").reference for n in (1, 2)]
    assert refs == [f"YY{cycle.year}-0001", f"YY{cycle.year}-0002"]
