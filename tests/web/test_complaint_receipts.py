"""Keeping the query code: the receipt texted through the SMS gateway when a mobile number is given (the case
number, the code and the tracking link, never the report), the handler's case page with a copy button and a link
that fills in the case number, and the printable slip while the code is still in the handler's session."""

import re

import pytest

from rating import sms
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
TEXT = "执法人员检查时收受商户财物,并对不给好处的商户重复罚款。"
MOBILE = "139 8765 4321"
CODE = re.compile(r'id="intake-query-code">([2-9A-Z]{8})<')
CASE = re.compile(r"案件编号 (TS\d{4}-\d{5})")


@pytest.fixture
def post(make_cycle, make_post):
    make_cycle()
    return make_post()


@pytest.fixture
def outbox(app):
    with app.app_context():
        sms.gateway()  # the log sink of development and tests
    return app.extensions["sms"].outbox


def key_in(client, post, phone=""):
    data = {"channel": "visit", "category": "discipline", "text": TEXT, "post_code": post.code, "phone": phone}
    data["csrf_token"] = csrf_token(client, "/complaints/cases/new")
    response = client.post("/complaints/cases/new", data=data)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return CASE.search(page).group(1), CODE.search(page).group(1), page


def test_the_handlers_intake_texts_the_receipt_without_the_report(client, login_as, post, outbox):
    login_as("complaint_handler")
    case, code, page = key_in(client, post, phone=MOBILE)
    assert "案件编号和查询码已发送短信至 139****4321。" in page
    phone, text = outbox[-1]
    assert phone == "13987654321" and case in text and code in text
    assert f"/complaints/track?case={case}" in text
    assert "财物" not in text and "罚款" not in text and post.code not in text  # nothing of the report
    # the page keeps the code for the handler: copy button, and a tracking link with the case number filled in
    assert 'class="copy"' in page and f'href="/complaints/track?case={case}"' in page


@pytest.mark.parametrize("phone", ["", "0352-1234567"])
def test_no_text_without_a_mobile_number(client, login_as, post, outbox, phone):
    login_as("complaint_handler")
    before = len(outbox)
    _case, _code, page = key_in(client, post, phone=phone)
    assert len(outbox) == before and "已发送短信" not in page


def test_the_online_form_texts_the_receipt_too(client, post, outbox):
    data = {"csrf_token": csrf_token(client, "/complaints/new"), "post": post.code, "unit": "", "category": "access"}
    data.update(text="窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟。", name="", phone="13912345678")
    page = client.get(client.post("/complaints/new", data=data).headers["Location"]).get_data(as_text=True)
    case, code = re.findall(r'receipt-number">([A-Z0-9-]+)<', page)
    assert outbox[-1][0] == "13912345678" and case in outbox[-1][1] and code in outbox[-1][1]
    assert "证明材料" not in outbox[-1][1]


def test_a_gateway_failure_leaves_the_filing_and_the_code_on_the_page(app, client, login_as, post, monkeypatch):
    class Down:
        def send(self, phone, text):
            raise sms.SmsFailed("gateway answered 503")

    monkeypatch.setattr(sms, "gateway", lambda: Down())
    login_as("complaint_handler")
    case, code, page = key_in(client, post, phone=MOBILE)
    assert case and code and "已发送短信" not in page


def test_the_slip_is_printable_while_the_code_is_kept(app, client, login_as, post, outbox):
    login_as("complaint_handler")
    case, code, _page = key_in(client, post)
    slip = client.get(f"/complaints/cases/{case}/slip").get_data(as_text=True)
    assert "投诉受理回执" in slip and code in slip and f"/complaints/track?case={case}" in slip
    assert "css/print.css" in slip and "财物" not in slip
    other = app.test_client()
    login_as("complaint_handler", client=other)
    assert other.get(f"/complaints/cases/{case}/slip").status_code == 404  # the code is not kept for them
