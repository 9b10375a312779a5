"""A complaint's whole life in a browser: the citizen files it online on a phone, the complaint centre refers it,
the unit records what it did, the centre concludes it, and the citizen checks the status and answers the return
visit."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in as sign_in_as
from tests.conftest import DEMO_USERS

PHONE_NUMBER = "13755554444"


def sign_in(page, app, role):
    user = DEMO_USERS[role]
    sign_in_as(page, app, user["username"], user["password"])


def test_complaint_lifecycle(browser, live_app, live_server, phone):
    # 1. The citizen files a complaint about DT-001 from its post page.
    phone.goto("/posts/DT-001")
    phone.get_by_role("link", name="投诉这个岗位").click()
    phone.get_by_role("radio", name=re.compile(r"^作风")).check()
    phone.get_by_label("发生了什么(时间、地点、经过)").fill("上午十点到窗口办理户口迁入,工作人员离岗四十分钟无人受理。")
    phone.get_by_label("姓名(选填)").fill("周女士")
    phone.get_by_label("联系电话(选填,用于告知办理结果)").fill(PHONE_NUMBER)
    phone.get_by_role("button", name="提交投诉").click()
    expect(phone.locator("h1")).to_have_text("投诉已受理")
    case_number, query_code = phone.locator(".receipt-number").all_inner_texts()

    # 2. The complaint centre refers it to the unit.
    centre = browser.new_context(base_url=live_server).new_page()
    sign_in(centre, live_app, "complaint_handler")
    centre.goto(f"/complaints/cases/{case_number}")
    expect(centre.locator("body")).to_contain_text(PHONE_NUMBER)  # the centre sees the contact
    centre.get_by_label("转办意见").fill("请市公安局核查处理。")
    centre.get_by_role("button", name="转办").click()
    expect(centre.locator("body")).to_contain_text("已转办")

    # 3. The unit records what it did; it never sees the complainant's phone.
    unit = browser.new_context(base_url=live_server).new_page()
    sign_in(unit, live_app, "unit_staff")
    unit.goto(f"/complaints/cases/{case_number}")
    expect(unit.locator("body")).not_to_contain_text(PHONE_NUMBER)
    unit.get_by_label("办理情况").fill("经调取监控属实,已对当事人批评教育并调整窗口排班。")
    unit.get_by_role("button", name="保存办理情况").click()
    expect(unit.locator("body")).to_contain_text("办理中")

    # 4. The centre concludes it with a finding and a reply.
    centre.reload()
    centre.get_by_text("属实", exact=True).click()
    centre.get_by_label("给投诉人的答复").fill("经核查,您反映的情况属实,已责令整改,感谢您的监督。")
    centre.get_by_role("button", name="办结并答复").click()
    expect(centre.locator("body")).to_contain_text("已办结")

    # 5. The citizen checks the status with the case number and query code, and answers the return visit.
    phone.goto("/complaints/track")
    phone.get_by_label("案件编号").fill(case_number)
    phone.get_by_label("查询码").fill(query_code)
    phone.get_by_role("button", name="查询").click()
    expect(phone.locator("h1")).to_contain_text("已办结")
    expect(phone.locator("body")).to_contain_text("已责令整改")
    expect(phone.locator("body")).not_to_contain_text(PHONE_NUMBER)
    phone.get_by_role("group", name="您对办理结果是否满意").get_by_text("满意", exact=True).click()
    phone.get_by_role("button", name="提交回访评价").click()
    expect(phone.locator("body")).to_contain_text("满意")
