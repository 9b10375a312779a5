"""An HR officer downloads the prefilled template, fills it in, uploads it, checks the preview and confirms."""

import io
import re

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.conftest import DEMO_USERS


def _sign_in(page, role):
    user = DEMO_USERS[role]
    page.goto("/login")
    page.get_by_label("用户名").fill(user["username"])
    page.get_by_label("密码").fill(user["password"])
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_hr_officer_uploads_template_previews_and_confirms(phone, tmp_path):
    _sign_in(phone, "hr_officer")
    phone.get_by_role("link", name="年度考核录入").click()
    expect(phone.locator("h1")).to_contain_text("市公安局")

    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="下载本单位的考核模板(XLSX)").click()
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)
    book = load_workbook(template)
    sheet = book.active
    codes = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert codes and all(code.startswith("DT-") for code in codes)
    sheet.cell(row=2, column=2, value="基本称职")  # first post of the unit
    sheet.cell(row=3, column=2, value=86.5)
    buffer = io.BytesIO()
    book.save(buffer)

    phone.get_by_label("上传填好的模板(CSV 或 XLSX)").set_input_files(
        files=[{"name": "filled.xlsx", "mimeType": "application/octet-stream", "buffer": buffer.getvalue()}]
    )
    phone.get_by_role("button", name="上传并预览").click()
    expect(phone.locator("h1")).to_have_text("年度考核导入预览")
    expect(phone.locator("table")).to_contain_text("基本称职")
    expect(phone.locator("table")).to_contain_text("86.5")

    phone.get_by_role("button", name="确认导入").click()
    expect(phone.locator(".flash-success")).to_contain_text("导入完成")
    expect(phone.locator(f"#v-{codes[0]}")).to_have_value("基本称职")
    expect(phone.locator(f"#v-{codes[1]}")).to_have_value("86.5")


def test_bad_upload_shows_row_reasons_and_changes_nothing(phone):
    _sign_in(phone, "hr_officer")
    phone.goto("/hr/")
    before = phone.locator("input[name^='v-']").first.input_value()
    phone.get_by_label("上传填好的模板(CSV 或 XLSX)").set_input_files(
        files=[
            {
                "name": "bad.csv",
                "mimeType": "text/csv",
                "buffer": "post_code,grade_or_score\nDT-100,优秀\nDT-001,良好\n".encode(),
            }
        ]
    )
    phone.get_by_role("button", name="上传并预览").click()
    expect(phone.locator(".import-errors")).to_contain_text("第 2 行")
    expect(phone.locator(".import-errors")).to_contain_text("不属于本单位")
    expect(phone.locator(".import-errors")).to_contain_text("第 3 行")
    phone.get_by_role("link", name="返回").click()
    expect(phone.locator("input[name^='v-']").first).to_have_value(before)
