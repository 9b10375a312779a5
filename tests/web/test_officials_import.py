"""Officials' imports from the command line (SPEC §7): every kind of bad row is refused with its line and reason,
and a refused file writes nothing. Good files are audited with the user ``cli``."""

import pytest
from openpyxl import Workbook

from rating.clock import local_today
from rating.extensions import db
from rating.models import Assessment, AuditEntry, InspectionFinding, InspectionScore, Post
from rating.models.cycles import Cycle, CycleStatus

pytestmark = pytest.mark.bare
YEAR = local_today().year


@pytest.fixture(autouse=True)
def posts(make_cycle, make_unit, make_posts):
    """This year's cycle and the posts the files name, in unit M05 (named by a finding about a whole unit)."""
    make_cycle()
    return make_posts(codes=["TP-001", "TP-002", "TP-003", "TP-010", "TP-020", "TP-021"], unit=make_unit(code="M05"))


def write(tmp_path, text: str, name="rows.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def xlsx(tmp_path, rows, formula_at=None):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    if formula_at:
        book.active[formula_at] = "=SUM(1,2)"
    path = tmp_path / "rows.xlsx"
    book.save(path)
    return str(path)


def totals(app):
    with app.app_context():
        return tuple(
            db.session.scalar(db.select(db.func.count(model.id)))
            for model in (Assessment, InspectionScore, InspectionFinding, AuditEntry)
        )


def current_cycle_id() -> int:  # noqa: N802
    from rating.models import Cycle

    return db.session.scalar(db.select(Cycle.id).where(Cycle.year == YEAR))


def in_cycle(days_ago=1):
    from datetime import timedelta

    return (local_today() - timedelta(days=days_ago)).isoformat()


def test_assessments_import_sets_grades_and_scores_and_audits_as_cli(app, runner, tmp_path):
    path = write(tmp_path, "post_code,grade_or_score\nTP-001,基本称职\nTP-002,incompetent\ntp-003,66.5\n")
    result = runner.invoke(args=["import-assessments", "--cycle", str(YEAR), path])
    assert result.exit_code == 0, result.output
    with app.app_context():
        values = dict(
            db.session.execute(
                db.select(Post.code, Assessment.grade)
                .join(Post)
                .where(Post.code.in_(["TP-001", "TP-002"]), Assessment.cycle_id == current_cycle_id())
            ).all()
        )
        assert values == {"TP-001": "basically_competent", "TP-002": "incompetent"}
        score = db.session.scalar(
            db.select(Assessment.score)
            .join(Post)
            .where(Post.code == "TP-003", Assessment.cycle_id == current_cycle_id())
        )
        assert score == 66.5
        entry = db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "assessment.set").order_by(AuditEntry.id.desc())
        )
        assert entry.actor == "cli"


ASSESSMENT_BAD = [
    ("DT-999,优秀", "DT-999”不存在"),
    ("TP-001,良好", "考核结果“良好”无效"),
    ("TP-001,100.5", "考核结果“100.5”无效"),
    ("TP-001,-3", "无效"),
    ("TP-001,", "考核结果不能为空"),
]


@pytest.mark.parametrize(("bad", "reason"), ASSESSMENT_BAD)
def test_assessment_bad_rows_are_refused_and_nothing_written(app, runner, tmp_path, bad, reason):
    before = totals(app)
    path = write(tmp_path, f"post_code,grade_or_score\nTP-010,称职\n{bad}\n")
    result = runner.invoke(args=["import-assessments", "--cycle", str(YEAR), path])
    assert result.exit_code == 1 and "第 3 行" in result.output and reason in result.output
    assert "未写入任何数据" in result.output
    assert totals(app) == before


def test_duplicate_rows_are_refused(app, runner, tmp_path):
    path = write(tmp_path, "post_code,grade_or_score\nTP-010,称职\nTP-010,优秀\n")
    result = runner.invoke(args=["import-assessments", "--cycle", str(YEAR), path])
    assert result.exit_code == 1 and "与第 2 行重复" in result.output


def test_wrong_cycle_is_refused(app, runner, tmp_path):
    before = totals(app)
    path = write(tmp_path, "post_code,grade_or_score\nTP-010,称职\n")
    result = runner.invoke(args=["import-assessments", "--cycle", "1999", path])
    assert result.exit_code == 1 and "1999 年度的评议周期不存在" in result.output
    assert totals(app) == before


@pytest.mark.parametrize("command", ["import-assessments", "import-inspections", "import-inspection-scores"])
def test_empty_file_is_refused(app, runner, tmp_path, command):
    result = runner.invoke(args=[command, "--cycle", str(YEAR), write(tmp_path, "")])
    assert result.exit_code == 1 and "文件是空的" in result.output


def test_formula_cell_is_refused(app, runner, tmp_path):
    before = totals(app)
    path = xlsx(tmp_path, [["post_code", "score", "round"], ["TP-001", 80, 3]], formula_at="B2")
    result = runner.invoke(args=["import-inspection-scores", "--cycle", str(YEAR), path])
    assert result.exit_code == 1 and "公式" in result.output
    assert totals(app) == before


def test_a_50_megabyte_file_is_refused(app, runner, tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"post_code,grade_or_score\n" + b"TP-001,\xe7\xa7\xb0\xe8\x81\x8c\n" * (50 * 1024 * 1024 // 14))
    result = runner.invoke(args=["import-assessments", "--cycle", str(YEAR), str(path)])
    assert result.exit_code == 1 and "50 MB" in result.output


def test_imports_are_refused_once_the_result_is_in_notice(app, runner, tmp_path):
    with app.app_context():
        cycle = db.session.scalar(db.select(Cycle).where(Cycle.year == YEAR))
        cycle.status = CycleStatus.NOTICE
        db.session.commit()
    before = totals(app)
    path = write(tmp_path, "post_code,grade_or_score\nTP-010,称职\n")
    result = runner.invoke(args=["import-assessments", "--cycle", str(YEAR), path])
    assert result.exit_code == 1 and "公示" in result.output
    assert totals(app) == before


def test_scores_import_with_rounds(app, runner, tmp_path):
    path = xlsx(tmp_path, [["post_code", "score", "round"], ["TP-001", 81.25, 7], ["TP-002", "90", "7"]])
    result = runner.invoke(args=["import-inspection-scores", "--cycle", str(YEAR), path])
    assert result.exit_code == 0, result.output
    with app.app_context():
        scores = db.session.scalars(db.select(InspectionScore.score).where(InspectionScore.round == 7)).all()
        assert sorted(scores) == [81.25, 90]


SCORE_BAD = [
    ("TP-001,101,1", "分数“101”无效"),
    ("TP-001,80.123,1", "最多两位小数"),
    ("TP-001,80,0", "轮次“0”无效"),
    ("TP-001,80,一", "轮次"),
    ("DT-404,80,1", "不存在"),
]


@pytest.mark.parametrize(("bad", "reason"), SCORE_BAD)
def test_score_bad_rows(app, runner, tmp_path, bad, reason):
    before = totals(app)
    path = write(tmp_path, f"post_code,score,round\n{bad}\n")
    result = runner.invoke(args=["import-inspection-scores", "--cycle", str(YEAR), path])
    assert result.exit_code == 1 and "第 2 行" in result.output and reason in result.output
    assert totals(app) == before


def test_findings_import_on_posts_and_units_with_standard_deductions(app, runner, tmp_path):
    day = in_cycle()
    path = write(
        tmp_path,
        "post_code,date,kind,finding,deduction\n"
        f"TP-001,{day},暗访,上班时间脱岗二十分钟,absent\n"
        f"M05,{day},明查,大厅咨询台无人值守,0\n"
        f"TP-002,{day},undercover,多收工本费,7.5\n",
    )
    result = runner.invoke(args=["import-inspections", "--cycle", str(YEAR), path])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(
            db.select(InspectionFinding.description, InspectionFinding.deduction, InspectionFinding.post_id.is_(None))
            .where(InspectionFinding.recorded_by == "cli")
            .order_by(InspectionFinding.id)
        ).all()
        assert [(r[1], r[2]) for r in rows] == [(5.0, False), (0.0, True), (7.5, False)]


FINDING_BAD = [
    ("TP-001,2001-01-01,暗访,x,1", "不在本评议周期内"),
    ("TP-001,yesterday,暗访,x,1", "日期“yesterday”无效"),
    ("TP-001,{day},偷看,x,1", "检查方式“偷看”无效"),
    ("TP-001,{day},暗访,,1", "发现的问题不能为空"),
    ("TP-001,{day},暗访,x,lots", "扣分“lots”无效"),
    ("ZZ-1,{day},暗访,x,1", "不存在"),
]


@pytest.mark.parametrize(("bad", "reason"), FINDING_BAD)
def test_finding_bad_rows(app, runner, tmp_path, bad, reason):
    before = totals(app)
    path = write(tmp_path, "post_code,date,kind,finding,deduction\n" + bad.format(day=in_cycle()) + "\n")
    result = runner.invoke(args=["import-inspections", "--cycle", str(YEAR), path])
    assert result.exit_code == 1 and "第 2 行" in result.output and reason in result.output
    assert totals(app) == before


def test_all_bad_rows_are_listed_at_once(runner, tmp_path):
    path = write(tmp_path, "post_code,grade_or_score\nDT-999,优秀\nTP-001,称职\nTP-002,好\nTP-001,优秀\n")
    output = runner.invoke(args=["import-assessments", "--cycle", str(YEAR), path]).output
    assert "第 2 行" in output and "第 4 行" in output and "第 5 行" in output and "第 3 行:" not in output


def test_reimport_of_same_values_writes_nothing(app, runner, tmp_path):
    path = write(tmp_path, "post_code,grade_or_score\nTP-020,称职\n")
    runner.invoke(args=["import-assessments", "--cycle", str(YEAR), path])
    before = totals(app)
    result = runner.invoke(args=["import-assessments", "--cycle", str(YEAR), path])
    assert "'unchanged': 1" in result.output
    assert totals(app) == before


def test_csv_written_by_excel_in_chinese_is_read(app, runner, tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("post_code,grade_or_score\nTP-021,优秀\n".encode("gb18030"))
    assert runner.invoke(args=["import-assessments", "--cycle", str(YEAR), str(path)]).exit_code == 0


def test_xlsx_dates_are_read_as_dates(app, runner, tmp_path):
    from datetime import datetime, timedelta

    when = datetime.combine(local_today() - timedelta(days=2), datetime.min.time())
    path = xlsx(
        tmp_path, [["post_code", "date", "kind", "finding", "deduction"], ["TP-003", when, "明查", "未佩戴工作牌", 1]]
    )
    result = runner.invoke(args=["import-inspections", "--cycle", str(YEAR), path])
    assert result.exit_code == 0, result.output
