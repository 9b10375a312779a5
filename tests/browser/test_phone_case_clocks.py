"""A phone complaint through every clock in a browser: the handler keys it in while the caller is on the line and
refers it; the unit signs for it and asks for more time; the centre grants the extension (the deadline moves once)
and concludes the case; the handler's return call is recorded."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import sign_in as sign_in_as
from tests.conftest import DEMO_USERS


def sign_in(page, app, role):
    user = DEMO_USERS[role]
    sign_in_as(page, app, user["username"], user["password"])


def test_phone_case_signed_extended_concluded_and_called_back(browser, live_app, live_server):
    # 1. The caller rings the hotline; the handler keys the case in and reads out the number and query code.
    centre = browser.new_context(base_url=live_server).new_page()
    sign_in(centre, live_app, "complaint_handler")
    centre.goto("/complaints/cases/new")
    centre.get_by_label("投诉渠道").select_option(label="电话")
    centre.get_by_label("被投诉岗位(编号或名称)").fill("DT-001")
    centre.get_by_label("问题类别").select_option(label="作风")
    centre.get_by_label("投诉内容").fill("昨天下午到窗口办理业务,工作人员推诿说不归本窗口管,让我去别处排队。")
    centre.get_by_label("投诉人电话(可不填)").fill("13766668888")
    centre.get_by_role("button", name="登记并生成案件编号").click()
    case_number = centre.locator(".receipt-number").first.inner_text()
    expect(centre.locator(".clock")).to_contain_text("转办期限")
    centre.get_by_label("转办意见").fill("请核实窗口人员推诿情况。")
    centre.get_by_role("button", name="转办", exact=True).click()
    expect(centre.locator(".clock")).to_contain_text("签收期限")

    # 2. The unit signs for it, then asks for five more working days.
    unit = browser.new_context(base_url=live_server).new_page()
    sign_in(unit, live_app, "unit_staff")
    unit.goto(f"/complaints/cases/{case_number}")
    unit.get_by_role("button", name="签收", exact=True).click()
    expect(unit.locator("body")).to_contain_text("已签收,请按期办理。")
    deadline = unit.locator("dd.deadline").inner_text()
    unit.get_by_label("延期工作日数").fill("5")
    unit.get_by_label("延期理由").fill("需调取窗口监控并约谈当班人员。")
    unit.get_by_role("button", name="提交延期申请").click()
    expect(unit.locator("dd.extension")).to_contain_text("延期申请待审批")

    # 3. The centre grants it: the deadline moves, once.
    centre.goto(f"/complaints/cases/{case_number}")
    centre.get_by_role("group", name="审批意见").get_by_text("同意延期", exact=True).click()
    centre.get_by_role("button", name="提交审批意见").click()
    expect(centre.locator("dd.extension")).to_contain_text("已批准延期")
    expect(centre.locator("dd.deadline")).not_to_have_text(deadline)
    unit.reload()
    expect(unit.get_by_role("button", name="提交延期申请")).to_have_count(0)

    # 4. The unit reports, the centre concludes.
    unit.get_by_label("办理情况").fill("经调取监控属实,已对当班人员批评教育。")
    unit.get_by_role("button", name="保存办理情况").click()
    expect(unit.locator("body")).to_contain_text("已记录办理情况。")
    centre.reload()
    centre.get_by_role("group", name="核查结论").get_by_text("属实", exact=True).click()
    centre.get_by_label("给投诉人的答复").fill("经核查,您反映的情况属实,已责令整改,感谢您的监督。")
    centre.get_by_role("button", name="办结并答复").click()
    expect(centre.locator("body")).to_contain_text("已办结")

    # 5. The handler calls the complainant back and records the answer.
    centre.get_by_role("group", name="电话回访").get_by_text("已接通", exact=True).click()
    centre.get_by_role("group", name=re.compile("投诉人的评价")).get_by_text("基本满意", exact=True).click()
    centre.get_by_label("回访记录").fill("投诉人表示窗口态度已改进。")
    centre.get_by_role("button", name="记录回访").click()
    expect(centre.locator("body")).to_contain_text("已记录电话回访。")
    expect(centre.locator("dd.satisfaction")).to_have_text("基本满意")
    expect(centre.locator("body")).to_contain_text("投诉人表示窗口态度已改进。")
