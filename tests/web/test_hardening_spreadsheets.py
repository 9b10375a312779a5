"""Issue 17, findings 5–7: every downloaded cell that a spreadsheet would run is text; imports refuse formulas,
refuse zip bombs before parsing, apply their limits while reading, chunk their lookups, and preview a few rows."""

import csv
import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from rating.clock import local_today
from rating.exports import csv_text, safe_cell, xlsx_bytes
from rating.extensions import db
from rating.imports.reader import ImportFailed, Limits, read_table
from rating.models import Holder, Post, Tenure
from rating.models.cycles import Cycle
from rating.services import audit, lookups
from rating.services.verdict import lifecycle
from tests.conftest import csrf_token

HOSTILE = ["=1+HYPERLINK(\"http://evil.example\",\"x\")", "-1+cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "\t=1", "\r=1"]
POSTS_HEADER = ["code", "unit", "unit_kind", "title", "holder", "responsibilities", "commitments"]


def posts_csv(count: int, holder: str = "林晓岚") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(POSTS_HEADER)
    for n in range(count):
        writer.writerow([f"NEW-{n:05d}", "市测试服务中心", "窗口服务单位", "综合受理窗口岗", holder, "受理申请", ""])
    return buffer.getvalue().encode("utf-8")


# --- downloads ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe_whatever_follows(text):
    assert safe_cell(text) == "'" + text
    assert list(csv.reader(io.StringIO(csv_text(["a"], [[text]]).lstrip("\ufeff"))))[1] == ["'" + text]
    cell = load_workbook(io.BytesIO(xlsx_bytes(["a"], [[text]]))).active["A2"]
    assert cell.data_type == "s" and cell.value.replace("\n", "\r") == "'" + text.replace("\n", "\r")


def test_numbers_stay_numbers_and_ordinary_text_is_untouched():
    assert safe_cell(-1.5) == -1.5 and safe_cell(-3) == -3 and safe_cell("林晓岚") == "林晓岚"
    cell = load_workbook(io.BytesIO(xlsx_bytes(["a"], [[-1.25]]))).active["A2"]
    assert cell.data_type == "n" and cell.value == -1.25
    assert list(csv.reader(io.StringIO(csv_text(["a"], [[-1.25]]).lstrip("\ufeff"))))[1] == ["-1.25"]


def test_public_result_downloads_neutralise_a_hostile_holder_name_and_keep_scores_numeric(app, client):
    year = local_today().year
    hostile = HOSTILE[1]
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == year))
        holder = db.session.scalar(
            select(Holder).join(Tenure, Tenure.holder_id == Holder.id).join(Post).where(Post.code == "DT-001")
        )
        holder.name = hostile
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        db.session.commit()
    text = client.get(f"/results/{year}/results.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    line = next(row for row in rows if row["岗位编号"] == "DT-001")
    assert line["责任人"] == "'" + hostile
    assert all(not row["综合得分 T"].startswith("'") and float(row["综合得分 T"]) >= 0 for row in rows)
    sheet = load_workbook(io.BytesIO(client.get(f"/results/{year}/results.xlsx").data)).active
    header = [cell.value for cell in sheet[1]]
    values = [dict(zip(header, (c.value for c in row), strict=False)) for row in sheet.iter_rows(min_row=2)]
    found = next(v for v in values if v["岗位编号"] == "DT-001")
    assert found["责任人"] == "'" + hostile and isinstance(found["综合得分 T"], float | int)
    document = client.get(f"/results/{year}/results.json").get_json()  # open data carry the name as it is
    assert next(r for r in document["results"] if r["post_code"] == "DT-001")["holder"] == hostile


@pytest.mark.bare
def test_hr_template_neutralises_a_hostile_holder_name(client, login_as, make_unit, make_post, make_cycle):
    make_cycle()
    unit = make_unit()
    make_post(unit=unit, holder=HOSTILE[0])
    login_as("hr_officer", unit=unit)
    sheet = load_workbook(io.BytesIO(client.get("/hr/template.xlsx").data)).active
    holders = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert holders == ["'" + HOSTILE[0]]


# --- imports: formulas -------------------------------------------------------------------------------------------


def test_a_csv_cell_beginning_with_equals_is_refused_as_a_formula():
    with pytest.raises(ImportFailed) as failed:
        read_table(b"a,b\nx,=1+HYPERLINK(1)\n", "f.csv", ["a", "b"])
    assert "公式" in str(failed.value) and "B" in str(failed.value) and "第 2 行" in str(failed.value)


def test_plus_minus_and_at_are_text_and_our_own_apostrophe_goes_back_out():
    table = read_table(b"a,b,c\n+8613900000000,-5,'-1+cmd\n", "f.csv", ["a", "b", "c"])
    assert table.rows[0][1] == {"a": "+8613900000000", "b": "-5", "c": "-1+cmd"}


# --- imports: size and rows --------------------------------------------------------------------------------------


def _bomb(unpacked_bytes: int) -> bytes:
    """A valid workbook whose sheet is padded with a huge, perfectly compressible blank run."""
    book = Workbook()
    book.active.append(["a"])
    book.active.append(["1"])
    buffer = io.BytesIO()
    book.save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * unpacked_bytes)
            bomb.writestr(item.filename, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_parsing_with_a_clear_error(monkeypatch):
    data = _bomb(3_000_000)
    assert len(data) < 100_000
    parsed = []
    monkeypatch.setattr("rating.imports.reader.load_workbook", lambda *a, **k: parsed.append(1))
    with pytest.raises(ImportFailed) as failed:
        read_table(data, "bomb.xlsx", ["a"], limits=Limits(max_unpacked=2_000_000))
    assert "解压后超过" in str(failed.value) and parsed == []


def test_the_default_unpacked_limit_refuses_a_400_mb_workbook():
    assert Limits().max_unpacked < 400 * 1024 * 1024


def test_a_workbook_under_the_unpacked_limit_reads():
    table = read_table(_bomb(1000), "ok.xlsx", ["a"], limits=Limits(max_unpacked=2_000_000))
    assert [record for _line, record in table.rows] == [{"a": "1"}]


def test_100000_rows_are_read_and_one_more_is_refused():
    body = "".join(f"{n}\n" for n in range(100_000))
    assert len(read_table(("a\n" + body).encode(), "f.csv", ["a"]).rows) == 100_000
    with pytest.raises(ImportFailed, match="100000"):
        read_table(("a\n" + body + "x\n").encode(), "f.csv", ["a"])


def test_the_xlsx_row_limit_stops_reading_at_the_first_row_past_it():
    book = Workbook()
    book.active.append(["a"])
    for n in range(50):
        book.active.append([n])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ImportFailed, match="10"):
        read_table(buffer.getvalue(), "f.xlsx", ["a"], limits=Limits(max_rows=10))


# --- imports: chunked lookups and the preview ---------------------------------------------------------------------


@pytest.mark.bare
def test_lookups_of_an_import_are_chunked(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(lookups, "CHUNK", 40)
    widest = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT") and isinstance(parameters, tuple | list | dict):
            widest.append(len(parameters))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", count)
        try:
            path = tmp_path / "posts.csv"
            path.write_bytes(posts_csv(150))
            result = runner.invoke(args=["import-posts", str(path)])
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", count)
    assert result.exit_code == 0, result.output
    assert "新增岗位 150 个" in result.output
    assert max(widest) <= 45


@pytest.mark.bare
def test_the_preview_shows_the_first_rows_and_the_count(client, login_as):
    login_as("admin")
    token = csrf_token(client, "/admin/posts/import")
    data = {"csrf_token": token, "file": (io.BytesIO(posts_csv(450)), "posts.csv")}
    page = client.post("/admin/posts/import", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "450 行全部通过校验" in page and "前 200 行" in page
    assert "NEW-00199" in page and "NEW-00200" not in page
