"""Importing posts (SPEC §7) from the command line and the back office: every bad row is reported with its line
and reason, and a file with any bad row writes nothing."""

import csv
import io

import pytest
from openpyxl import Workbook

from rating.extensions import db
from rating.models import AuditEntry, Post, Tenure, Unit
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
HEADER = ["code", "unit", "unit_kind", "title", "holder", "responsibilities", "commitments"]
GOOD = [
    "NEW-001",
    "市测试服务中心",
    "窗口服务单位",
    "综合受理窗口岗",
    "林晓岚",
    "受理申请；审核材料；出具回执",
    "当场受理；5个工作日办结",
]


def csv_bytes(rows, header=HEADER) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER, formula_at=None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    if formula_at:
        sheet[formula_at] = "=1+1"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.count(Post.id))),
            db.session.scalar(db.select(db.func.count(Unit.id))),
            db.session.scalar(db.select(db.func.count(AuditEntry.id))),
        )


def run_import(runner, tmp_path, data: bytes, name="posts.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["import-posts", str(path)])


def test_cli_imports_a_good_csv_and_audits_it(app, runner, tmp_path):
    before = counts(app)
    result = run_import(runner, tmp_path, csv_bytes([GOOD, ["NEW-002", *GOOD[1:4], "周立群", "办理登记", ""]]))
    assert result.exit_code == 0, result.output
    assert "新增岗位 2 个" in result.output and "新增单位 1 个" in result.output
    posts, units, audits = counts(app)
    assert (posts, units) == (before[0] + 2, before[1] + 1)
    assert audits == before[2] + 3  # one unit, two posts
    with app.app_context():
        post = db.session.scalar(db.select(Post).where(Post.code == "NEW-001"))
        assert post.holder_name == "林晓岚"
        assert post.responsibility_lines == ["受理申请", "审核材料", "出具回执"]
        assert post.unit.kind == "window"
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.post_id == post.id))
        assert entry.actor == "cli" and entry.action == "post.create" and entry.after["holder"] == "林晓岚"


def test_cli_imports_xlsx_with_english_codes(app, runner, tmp_path):
    row = ["NEW-010", "市测试服务中心", "window", "综合受理窗口岗", "林晓岚", "受理申请\n审核材料", "当场受理"]
    result = run_import(runner, tmp_path, xlsx_bytes([row]), "posts.xlsx")
    assert result.exit_code == 0, result.output
    with app.app_context():
        post = db.session.scalar(db.select(Post).where(Post.code == "NEW-010"))
        assert post.responsibility_lines == ["受理申请", "审核材料"]


BAD_ROWS = [
    (["bad code!", *GOOD[1:]], "岗位编号"),
    ([GOOD[0], "", *GOOD[2:]], "单位 不能为空"),
    ([GOOD[0], GOOD[1], "外星部门", *GOOD[3:]], "单位类别"),
    ([*GOOD[:3], "", *GOOD[4:]], "岗位名称 不能为空"),
    ([*GOOD[:4], "", *GOOD[5:]], "岗位责任人 不能为空"),
    ([*GOOD[:5], "", GOOD[6]], "岗位职责不能为空"),
    ([*GOOD[:4], "名" * 51, *GOOD[5:]], "超过 50 个字符"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD_ROWS)
def test_cli_refuses_a_file_with_one_bad_row_and_writes_nothing(app, runner, tmp_path, bad, reason):
    before = counts(app)
    other = ["NEW-099", *GOOD[1:]]
    result = run_import(runner, tmp_path, csv_bytes([other, bad]))
    assert result.exit_code == 1
    assert "第 3 行" in result.output and reason in result.output
    assert "未写入任何数据" in result.output
    assert counts(app) == before


def test_every_bad_row_is_reported_not_just_the_first(runner, tmp_path):
    rows = [["X!", *GOOD[1:]], GOOD, [GOOD[0], *GOOD[1:4], "", *GOOD[5:]]]
    output = run_import(runner, tmp_path, csv_bytes(rows)).output
    assert "第 2 行" in output and "第 4 行" in output
    assert "与第 3 行重复" in output  # NEW-001 twice


def test_unit_kind_conflicting_with_the_database_is_refused(app, runner, tmp_path, make_unit):
    department = make_unit("municipal")
    row = ["NEW-020", department.name, "窗口服务单位", *GOOD[3:]]
    before = counts(app)
    result = run_import(runner, tmp_path, csv_bytes([row]))
    assert result.exit_code == 1 and "已登记为其他类别" in result.output
    assert counts(app) == before


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"", "posts.csv", "文件是空的"),
        (",".join(HEADER).encode(), "posts.csv", "没有数据行"),
        (b"code,unit\nA,B\n", "posts.csv", "缺少列"),
        (b"whatever", "posts.txt", "只接受 CSV 或 XLSX"),
        (b"not a zip", "posts.xlsx", "无法读取 XLSX"),
    ],
)
def test_malformed_files_are_refused_with_a_reason(app, runner, tmp_path, data, name, reason):
    before = counts(app)
    result = run_import(runner, tmp_path, data, name)
    assert result.exit_code == 1 and reason in result.output
    assert counts(app) == before


def test_formula_cells_are_refused(runner, tmp_path):
    result = run_import(runner, tmp_path, xlsx_bytes([GOOD], formula_at="D2"), "posts.xlsx")
    assert result.exit_code == 1 and "公式" in result.output and "第 2 行" in result.output


def test_gbk_csv_from_chinese_excel_is_read(app, runner, tmp_path):
    result = run_import(runner, tmp_path, csv_bytes([GOOD]).decode().encode("gb18030"))
    assert result.exit_code == 0, result.output


def test_reimporting_the_same_file_changes_nothing(app, runner, tmp_path):
    data = csv_bytes([GOOD])
    run_import(runner, tmp_path, data)
    before = counts(app)
    result = run_import(runner, tmp_path, data)
    assert "未变 1 个" in result.output
    assert counts(app) == before


def test_reimport_with_new_holder_keeps_the_old_tenure(app, runner, tmp_path):
    run_import(runner, tmp_path, csv_bytes([GOOD]))
    result = run_import(runner, tmp_path, csv_bytes([[*GOOD[:4], "宋雨桐", *GOOD[5:]]]))
    assert "责任人变更 1 人" in result.output
    with app.app_context():
        post = db.session.scalar(db.select(Post).where(Post.code == "NEW-001"))
        tenures = db.session.scalars(db.select(Tenure).where(Tenure.post_id == post.id)).all()
        assert sorted((t.holder.name, t.ended_on is None) for t in tenures) == [("宋雨桐", True), ("林晓岚", False)]


def test_missing_file_is_reported(runner):
    result = runner.invoke(args=["import-posts", "/nonexistent/posts.csv"])
    assert result.exit_code == 1 and "file not found" in result.output


def test_back_office_upload_previews_then_confirms(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/posts/import")
    data = {"csrf_token": token, "file": (io.BytesIO(csv_bytes([GOOD])), "posts.csv")}
    preview = client.post("/admin/posts/import", data=data, content_type="multipart/form-data")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "导入预览" in page and "林晓岚" in page
    before = counts(app)
    assert before[0] == 0  # nothing written by the preview
    confirm_token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    done = client.post("/admin/posts/import/confirm", data={"csrf_token": token, "token": confirm_token})
    assert done.status_code == 302
    assert counts(app)[0] == 1
    assert "导入完成" in client.get("/admin/posts").get_data(as_text=True)


def test_back_office_upload_shows_bad_rows_and_writes_nothing(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/posts/import")
    data = {"csrf_token": token, "file": (io.BytesIO(csv_bytes([["??", *GOOD[1:]]])), "posts.csv")}
    response = client.post("/admin/posts/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "第 2 行" in response.get_data(as_text=True) and "未写入任何数据" in response.get_data(as_text=True)
    assert counts(app)[0] == 0


def test_confirm_token_cannot_be_replayed(app, client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/posts/import")
    data = {"csrf_token": token, "file": (io.BytesIO(csv_bytes([GOOD])), "posts.csv")}
    page = client.post("/admin/posts/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    confirm_token = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    client.post("/admin/posts/import/confirm", data={"csrf_token": token, "token": confirm_token})
    again = client.post("/admin/posts/import/confirm", data={"csrf_token": token, "token": confirm_token})
    assert again.status_code == 302 and again.headers["Location"].endswith("/admin/posts/import")
