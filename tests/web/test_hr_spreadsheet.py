"""The HR office's spreadsheet round trip (issue 15 item 7): the template downloaded in Chinese with a drop-down of
grades and scores as numbers, filled in Excel, uploaded back; the preview says which rows change and warns that a
基本称职 or 不称职 grade bars a title; errors name the post, not only the row."""

import io

import pytest
from openpyxl import load_workbook

from rating.clock import local_today
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare


@pytest.fixture
def unit(make_cycle, make_unit):
    make_cycle()
    return make_unit(name="市虚构民政局")


@pytest.fixture
def posts(unit, make_post, make_assessment):
    """Three posts of the unit: one graded 称职, one scored 83.5, one not yet assessed."""
    marriage = make_post(unit=unit, title="婚姻登记窗口岗")
    aid = make_post(unit=unit, title="低保审核岗")
    burial = make_post(unit=unit, title="殡葬管理岗")
    make_assessment(marriage, "competent")
    make_assessment(aid, score=83.5)
    return marriage, aid, burial


@pytest.fixture
def hr(login_as, unit, posts):
    return login_as("hr_officer", unit=unit)


def _template(client):
    response = client.get("/hr/template.xlsx")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data))


def _upload(client, data: bytes, name: str):
    token = csrf_token(client, "/hr/")
    return client.post(
        "/hr/import", data={"csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    )


def _rows(page: str) -> dict[str, str]:
    """The preview's rows by post code: the row's HTML."""
    body = page.split("<tbody>")[1].split("</tbody>")[0]
    return {row.split("<td>")[2].split("</td>")[0]: row for row in body.split("<tr")[1:]}


def test_template_has_chinese_headings_a_grade_drop_down_and_scores_as_numbers(client, hr, posts):
    book = _template(client)
    sheet = book.worksheets[0]
    assert sheet.title == f"{local_today().year} 年度考核"
    assert [cell.value for cell in sheet[1]] == ["岗位编号", "考核结果", "岗位名称", "责任人", "单位"]
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    marriage, aid, burial = posts
    assert values[marriage.code][1:3] == ("称职", "婚姻登记窗口岗")
    assert values[aid.code][1] == 83.5 and isinstance(values[aid.code][1], float)
    assert values[burial.code][1] is None
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and validation.formula1 == '"优秀,称职,基本称职,不称职"'
    assert str(validation.sqref).startswith("B2:B")
    assert not validation.showErrorMessage  # a score may still be typed into the column
    assert any("基本称职、不称职" in (row[0] or "") for row in book["说明"].iter_rows(values_only=True))


def test_filled_template_goes_back_in_and_the_preview_marks_what_changes(client, hr, posts):
    marriage, aid, burial = posts
    book = _template(client)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        code = row[0].value
        row[1].value = {marriage.code: "称职", aid.code: 90, burial.code: "基本称职"}[code]
    buffer = io.BytesIO()
    book.save(buffer)
    response = _upload(client, buffer.getvalue(), "考核.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    rows = _rows(page)
    assert "row-unchanged" in rows[marriage.code] and "未变" in rows[marriage.code]
    assert "row-changed" in rows[aid.code] and "83.5" in rows[aid.code] and ">90<" in rows[aid.code]
    assert "row-new" in rows[burial.code] and "新增" in rows[burial.code] and "殡葬管理岗" in rows[burial.code]
    assert "row-warned" in rows[burial.code] and "不能评为标兵岗位或优秀岗位" in rows[burial.code]
    assert "新增 1 行,修改 1 行,未变 1 行" in page
    assert "1 个岗位考核为基本称职或不称职" in page


def test_english_column_names_of_old_files_are_still_read(client, hr, posts):
    marriage, _aid, _burial = posts
    response = _upload(client, f"post_code,grade_or_score\n{marriage.code},优秀\n".encode(), "old.csv")
    assert response.status_code == 200 and "row-changed" in response.get_data(as_text=True)


def test_a_missing_column_is_named_as_the_template_heads_it(client, hr, posts):
    response = _upload(client, f"岗位编号,岗位名称\n{posts[0].code},婚姻登记窗口岗\n".encode(), "a.csv")
    assert response.status_code == 422 and "缺少列:考核结果" in response.get_data(as_text=True)


def test_errors_name_the_post_not_only_the_row(client, hr, posts):
    marriage, aid, _burial = posts
    text = f"岗位编号,考核结果\n{marriage.code},良好\n{aid.code},称职\n{aid.code},优秀\n"
    page = _upload(client, text.encode(), "a.csv").get_data(as_text=True)
    assert f"第 2 行({marriage.code} 婚姻登记窗口岗):考核结果“良好”无效" in page
    assert f"第 4 行({aid.code} 低保审核岗):岗位 {aid.code} 与第 3 行重复" in page
