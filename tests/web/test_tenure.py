"""A verdict line is a tenure (SPEC §6): a transfer during the cycle splits every kind of record by date, each holder
gets their own figures, and only a holder in post for ``min_tenure_days`` of the cycle is ranked."""

import csv
import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from rating.clock import local_today
from rating.extensions import db
from rating.models.assessments import Assessment
from rating.models.audit import AuditEntry
from rating.models.cycles import Cycle
from rating.models.posts import Holder, Post, Tenure
from rating.models.ratings import Rating, RatingStatus
from rating.scoring.tenure import covers, holder_on, is_ranked, overlap_days
from rating.services import audit
from rating.services.cycles import change_method
from rating.services.tenures import local_midnight
from rating.services.verdict import lifecycle
from tests.conftest import csrf_token

CODE = "DT-010"
NEWCOMER = "岳新任"


# --- the rule, plain ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "ended", "expected"),
    [
        (None, None, 365),  # the first holder, still in post
        (None, date(2026, 7, 1), 182),
        (date(2026, 7, 2), None, 183),
        (date(2025, 3, 1), date(2025, 12, 31), 0),  # missed the cycle
        (date(2026, 12, 31), None, 1),
    ],
)
def test_overlap_counts_both_ends(started, ended, expected):
    assert overlap_days(started, ended, date(2026, 1, 1), date(2026, 12, 31)) == expected


def test_182_days_are_not_ranked_183_are():
    assert not is_ranked(182, 183) and is_ranked(183, 183) and is_ranked(182, 182)


def test_the_holder_on_a_day_is_the_one_whose_tenure_covers_it():
    spans = [(None, date(2026, 7, 1), "old"), (date(2026, 7, 2), None, "new")]
    assert holder_on(spans, date(2026, 7, 1)) == "old" and holder_on(spans, date(2026, 7, 2)) == "new"
    assert covers(None, None, date(1999, 1, 1)) and not covers(date(2026, 1, 2), None, date(2026, 1, 1))


# --- a transfer in the middle of the demo's open cycle --------------------------------------------------------------


def _write(tmp_path, name: str, header: list[str], rows: list[list]) -> str:
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def _invoke(runner, *args):
    result = runner.invoke(args=[str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


def _post_row(app) -> tuple[list, str, Cycle]:
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.code == CODE))
        old = next(t for t in post.tenures if t.ended_on is None).holder.name
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == local_today().year))
        row = [
            post.code,
            post.unit.name,
            str(post.unit.kind),
            post.title,
            NEWCOMER,
            "；".join(post.responsibility_lines),
            "；".join(post.commitment_lines),
        ]
        db.session.expunge(cycle)
        return row, old, cycle


def _transfer_mid_cycle(app, runner, tmp_path) -> tuple[str, Cycle, date]:
    """Ratings, findings and complaints on both sides of a transfer recorded late, then each holder assessed."""
    row, old, cycle = _post_row(app)
    transfer = cycle.starts_on + timedelta(days=182)  # the old holder served 182 days of the cycle
    before, after = cycle.starts_on + timedelta(days=40), transfer + timedelta(days=20)
    year = cycle.year
    ratings = [[CODE, 5, 1, "paper", f"{before} 10:00"]] * 6 + [[CODE, 1, 1, "paper", f"{after} 10:00"]] * 6
    _invoke(
        runner,
        "import-ratings",
        "--cycle",
        year,
        _write(tmp_path, "r.csv", ["post_code", "level", "verified", "channel", "created_at"], ratings),
    )
    header = ["code", "unit", "unit_kind", "title", "holder", "responsibilities", "commitments", "holder_since"]
    _invoke(runner, "import-posts", _write(tmp_path, "p.csv", header, [[*row, transfer.isoformat()]]))
    findings = [[CODE, before, "暗访", "脱岗", 4], [CODE, after, "暗访", "态度生硬", 6]]
    _invoke(
        runner,
        "import-inspections",
        "--cycle",
        year,
        _write(tmp_path, "f.csv", ["post_code", "date", "kind", "finding", "deduction"], findings),
    )
    complaints = [
        [CODE, "phone", "作风", "属实", f"{before} 09:00"],
        [CODE, "phone", "作风", "部分属实", f"{after} 09:00"],
    ]
    _invoke(
        runner,
        "import-complaints",
        "--cycle",
        year,
        _write(tmp_path, "c.csv", ["post_code", "channel", "category", "finding", "concluded_at"], complaints),
    )
    _invoke(
        runner,
        "import-assessments",
        "--cycle",
        year,
        _write(
            tmp_path,
            "a.csv",
            ["post_code", "grade_or_score", "holder"],
            [[CODE, "优秀", NEWCOMER], [CODE, "基本称职", old]],
        ),
    )
    _invoke(
        runner,
        "import-inspection-scores",
        "--cycle",
        year,
        _write(tmp_path, "s.csv", ["post_code", "score", "round", "holder"], [[CODE, 91, 1, NEWCOMER]]),
    )
    return old, cycle, transfer


def _lines(runner, year: int, tmp_path) -> list[dict]:
    _invoke(runner, "compute", "--cycle", year)
    out = tmp_path / "out.json"
    _invoke(runner, "export-results", "--cycle", year, "--format", "json", "--output", out)
    return json.loads(out.read_text(encoding="utf-8"))["results"]


def test_a_transfer_splits_every_record_by_date_and_each_holder_has_a_line(app, runner, tmp_path):
    old, cycle, transfer = _transfer_mid_cycle(app, runner, tmp_path)
    lines = _lines(runner, cycle.year, tmp_path)
    mine = {line["holder"]: line for line in lines if line["post_code"] == CODE}
    assert set(mine) == {old, NEWCOMER}
    assert mine[NEWCOMER]["ranked"] is True and mine[NEWCOMER]["rank"] is not None
    assert mine[old]["ranked"] is False and mine[old]["rank"] is None and mine[old]["title"] is None
    assert lines.index(mine[old]) >= sum(1 for line in lines if line["ranked"]), "unranked lines come last"
    with app.app_context():
        post_id = db.session.scalar(select(Post.id).where(Post.code == CODE))
        cut = local_midnight(transfer)
        counted = select(func.count()).where(
            Rating.post_id == post_id, Rating.cycle_id == cycle.id, Rating.status == RatingStatus.COUNTED
        )
        before = db.session.scalar(counted.where(Rating.created_at < cut))
        after = db.session.scalar(counted.where(Rating.created_at >= cut))
    assert (mine[old]["ratings"], mine[NEWCOMER]["ratings"]) == (before, after)
    # C: the old holder lost 4 + 10 (属实), the new one 6 + 5 (部分属实) on top of what the demo had each.
    assert mine[NEWCOMER]["assessment"] == 95.0 and mine[old]["assessment"] == 70.0
    assert mine[NEWCOMER]["inspection"] == 91.0


def test_at_min_tenure_182_both_holders_are_ranked(app, runner, tmp_path):
    _old, cycle, _transfer = _transfer_mid_cycle(app, runner, tmp_path)
    with app.app_context():
        change_method(audit.CLI, db.session.get(Cycle, cycle.id), {"min_tenure_days": 182})
        db.session.commit()
    lines = _lines(runner, cycle.year, tmp_path)
    mine = [line for line in lines if line["post_code"] == CODE]
    assert len(mine) == 2 and all(line["ranked"] and line["rank"] for line in mine)
    assert sum(1 for line in lines if line["ranked"]) == 101


def test_a_ranked_holder_without_an_assessment_blocks_computation(app, runner, tmp_path):
    row, _old, cycle = _post_row(app)
    header = ["code", "unit", "unit_kind", "title", "holder", "responsibilities", "commitments", "holder_since"]
    since = cycle.starts_on + timedelta(days=30)
    _invoke(runner, "import-posts", _write(tmp_path, "p.csv", header, [[*row, since.isoformat()]]))
    result = runner.invoke(args=["compute", "--cycle", str(cycle.year)])
    assert result.exit_code == 1 and CODE in result.output
    with app.app_context():
        tenures = db.session.scalars(
            select(Tenure).join(Post).where(Post.code == CODE).order_by(Tenure.started_on.nulls_first())
        ).all()
        assert [t.ended_on for t in tenures] == [since - timedelta(days=1), None]
        with pytest.raises(lifecycle.MissingComponents):
            lifecycle.compute_final(audit.CLI, db.session.get(Cycle, cycle.id))


def test_holder_since_before_the_current_tenure_is_refused_naming_the_line(app, runner, tmp_path):
    row, _old, cycle = _post_row(app)
    header = ["code", "unit", "unit_kind", "title", "holder", "responsibilities", "commitments", "holder_since"]
    later = cycle.starts_on + timedelta(days=100)
    _invoke(runner, "import-posts", _write(tmp_path, "p.csv", header, [[*row, later.isoformat()]]))
    row[4] = "再换一人"
    earlier = (later - timedelta(days=10)).isoformat()
    result = runner.invoke(args=["import-posts", _write(tmp_path, "q.csv", header, [[*row, earlier]])])
    assert result.exit_code == 1 and "第 2 行" in result.output and earlier in result.output
    bad = runner.invoke(args=["import-posts", _write(tmp_path, "b.csv", header, [[*row, "2026-13-01"]])])
    assert bad.exit_code == 1 and "2026-13-01" in bad.output


def test_an_unknown_holder_in_an_assessment_file_is_a_bad_row(app, runner, tmp_path):
    _row, _old, cycle = _post_row(app)
    path = _write(tmp_path, "a.csv", ["post_code", "grade_or_score", "holder"], [[CODE, "优秀", "不存在的人"]])
    result = runner.invoke(args=["import-assessments", "--cycle", str(cycle.year), path])
    assert result.exit_code == 1 and "不存在的人" in result.output


def test_the_hr_grid_has_a_row_per_holder_where_the_post_changed_hands(app, client, runner, login_as, tmp_path):
    row, old, cycle = _post_row(app)
    header = ["code", "unit", "unit_kind", "title", "holder", "responsibilities", "commitments", "holder_since"]
    _invoke(runner, "import-posts", _write(tmp_path, "p.csv", header, [[*row, cycle.starts_on + timedelta(days=90)]]))
    with app.app_context():
        unit = db.session.scalar(select(Post).where(Post.code == CODE)).unit.code
    login_as("admin")
    url = f"/hr/?cycle={cycle.year}&unit={unit}"
    page = client.get(url).get_data(as_text=True)
    assert f'name="v-{CODE}@{old}"' in page and f'name="v-{CODE}@{NEWCOMER}"' in page
    token = csrf_token(client, url)
    data = {"csrf_token": token, f"v-{CODE}@{old}": "称职", f"v-{CODE}@{NEWCOMER}": "优秀"}
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        grades = dict(
            db.session.execute(
                select(Holder.name, Assessment.grade)
                .join(Holder, Holder.id == Assessment.holder_id)
                .join(Post, Post.id == Assessment.post_id)
                .where(Post.code == CODE, Assessment.cycle_id == cycle.id)
            ).all()
        )
    assert grades == {old: "competent", NEWCOMER: "excellent"}


def test_the_office_records_a_transfer_with_its_reason_and_the_records_follow(app, client, login_as):
    _row, old, cycle = _post_row(app)
    on = cycle.starts_on + timedelta(days=100)
    login_as("admin")
    token = csrf_token(client, f"/admin/posts/{CODE}")
    response = client.post(
        f"/admin/posts/{CODE}/holder",
        data={"csrf_token": token, "name": NEWCOMER, "started_on": on.isoformat(), "reason": "轮岗交流"},
    )
    assert response.status_code == 302
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.code == CODE))
        new_holder = next(t for t in post.tenures if t.ended_on is None).holder_id
        late = db.session.scalars(
            select(Rating.holder_id).where(Rating.post_id == post.id, Rating.created_at >= local_midnight(on))
        ).all()
        early = db.session.scalars(
            select(Rating.holder_id).where(Rating.post_id == post.id, Rating.created_at < local_midnight(on))
        ).all()
        entry = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "holder.change").order_by(AuditEntry.id.desc())
        )
    assert late and set(late) == {new_holder} and early and new_holder not in set(early)
    assert entry.after["reason"] == "轮岗交流" and entry.before["holder"] == old
