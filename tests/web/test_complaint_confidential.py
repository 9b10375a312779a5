"""What the public may read of a complaint: a report in the 违规违纪 area never (not its text, not whom it names: only
counted), another complaint's text only once a handler has published it with names and numbers masked, and no text
at all when the office sets COMPLAINT_TEXT_PUBLIC=never; only handlers and administrators publish or withhold, and
each decision is audited."""

import io
import itertools
import zipfile

import pytest
from sqlalchemy import select

from rating import config
from rating.clock import local_today
from rating.extensions import db
from rating.models import AuditEntry
from rating.privacy import mask_names
from rating.security import access_of
from rating.services import audit
from rating.services import complaints as svc
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
HOLDER = "虚构甄守信"
ALLEGATION = "该岗位负责人虚构甄守信收受好处费三千元,帮人插队办证,电话13912345678可以作证。"
PLAIN = "窗口负责人虚构甄守信态度粗暴,王科长也不管,让我来回跑了三趟还没有办成,电话13987654321。"
REPLY = "经查属实,已移送纪检监察机关严肃处理。"
OPEN311 = "/open311/v2"


@pytest.fixture
def posts(make_cycle, make_unit, make_post):
    """The post reported for discipline (its unit has no other case) and a post complained about in another unit."""
    make_cycle()
    reported = make_post("JW-001", unit=make_unit(name="虚构保密测试局"), holder=HOLDER, title="虚构保密审批岗")
    other = make_post("PT-001", unit=make_unit(name="虚构公开测试局"), holder=HOLDER)
    return reported, other


def _file(app, post, category, text):
    with app.app_context():
        intake = svc.Intake(channel="phone", category=category, text=text, post_code=post.code, name="虚构投诉人")
        complaint, code = svc.file_complaint(audit.Actor("handler"), intake)
        db.session.commit()
        return complaint.case_number, code


def _conclude(app, case_number):
    with app.app_context():
        complaint = svc.case_by_number(case_number)
        svc.refer(audit.Actor("handler"), complaint)
        svc.conclude(audit.Actor("handler"), complaint, "substantiated", REPLY)
        db.session.commit()


@pytest.fixture
def discipline(app, posts):
    """A concluded discipline report about JW-001: (case number, query code)."""
    case_number, code = _file(app, posts[0], "discipline", ALLEGATION)
    _conclude(app, case_number)
    return case_number, code


@pytest.fixture
def plain(app, posts):
    """A complaint about PT-001 in the 作风 area, not yet reviewed: (case number, query code)."""
    return _file(app, posts[1], "conduct", PLAIN)


@pytest.fixture
def signed_in(app, login_as, posts):
    addresses = itertools.count(1)

    def sign(role):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.1.{next(addresses)}"
        return login_as(role, unit=posts[0].unit if role == "unit_staff" else None, client=client)

    return sign


def _text(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":  # spreadsheets: search their cells
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return data.decode("utf-8", "replace")


def _public_urls(app, values):
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or not rule.arguments <= {*values, "fmt"}:
                continue
            if access_of(rule.endpoint) != "public":
                continue
            for fmt in ("csv", "xlsx", "json", "xml"):
                try:
                    yield rule.build({**values, "fmt": fmt}, append_unknown=False)[1]
                except ValueError:  # a converter that takes other values (Open311's fmt is json or xml)
                    continue


def _requests(client, query="", fmt="json"):
    return client.get(f"{OPEN311}/requests.{fmt}{query}")


def test_a_discipline_report_is_on_no_public_route_or_api(app, client, posts, discipline, plain):
    case_number, _code = discipline
    year = local_today().year
    urls = set()
    for code in (posts[0].code, "discipline"):
        urls |= set(_public_urls(app, {"case_number": case_number, "code": code, "year": year}))
    assert f"{OPEN311}/requests.xml" in urls and f"{OPEN311}/requests/{case_number}.json" in urls
    assert "/complaints/stats" in urls and f"/posts/{posts[0].code}" in urls
    for url in sorted(urls):
        text = _text(client.get(url))
        assert "好处费" not in text and REPLY not in text, url
        if url.startswith((f"{OPEN311}/requests", "/complaints/stats")):  # a service definition lists every unit
            assert case_number not in text and "虚构保密测试局" not in text, url
    for fmt in ("json", "xml"):
        assert client.get(f"{OPEN311}/requests/{case_number}.{fmt}").status_code == 404
        listed = _text(_requests(client, "?service_code=discipline", fmt))
        assert case_number not in listed and "好处费" not in listed
    assert _requests(client, f"?service_request_id={case_number}").get_json() == []
    assert [item["service_request_id"] for item in _requests(client).get_json()] == [plain[0]]


def test_a_discipline_report_is_counted_in_the_statistics_but_never_per_unit(client, discipline, plain):
    page = client.get("/complaints/stats").get_data(as_text=True)
    assert "共受理群众举报投诉 2 件" in page
    assert "虚构公开测试局" in page and "虚构保密测试局" not in page
    assert "违规违纪举报只计入合计和分类件数" in page
    sheet = _text(client.get("/complaints/stats.csv"))
    assert "违规违纪,1" in sheet and "虚构保密测试局" not in sheet


def test_the_reporter_tracking_a_discipline_report_sees_its_status_only(client, discipline):
    case_number, code = discipline
    token = csrf_token(client, "/complaints/track")
    page = client.post(
        "/complaints/track", data={"case_number": case_number, "query_code": code, "csrf_token": token}
    ).get_data(as_text=True)
    assert case_number in page and "已办结" in page and "保密办理" in page
    for secret in ("好处费", REPLY, "JW-001", "虚构保密审批岗", "虚构保密测试局"):
        assert secret not in page, secret


def test_an_unreviewed_text_is_not_public(client, plain):
    case_number, code = plain
    [item] = _requests(client).get_json()
    assert item["service_request_id"] == case_number and item["description"] == ""
    assert item["service_name"] == "作风" and item["status"] == "open" and item["requested_datetime"]
    assert "来回跑" not in _text(_requests(client, fmt="xml"))
    assert "<description />" in _text(client.get(f"{OPEN311}/requests/{case_number}.xml"))
    # The complainant still reads their own words with the query code.
    token = csrf_token(client, "/complaints/track")
    page = client.post("/complaints/track", data={"case_number": case_number, "query_code": code, "csrf_token": token})
    assert "来回跑了三趟" in page.get_data(as_text=True)


def _post(client, case_number, action, **data):
    url = f"/complaints/cases/{case_number}"
    return client.post(f"{url}/{action}", data={"csrf_token": csrf_token(client, url), **data})


def test_a_handler_publishes_the_text_masked_and_can_withhold_it(app, client, signed_in, plain):
    case_number, _code = plain
    handler = signed_in("complaint_handler")
    page = handler.get(f"/complaints/cases/{case_number}").get_data(as_text=True)
    assert "公开审核" in page and "待审核" in page
    proposed = "窗口负责人虚某某某某态度粗暴,某科长也不管,让我来回跑了三趟还没有办成,电话139****4321。"
    assert proposed in page  # prefilled with the holder's name, a titled surname and the phone masked
    # The handler edits it; a name typed back in is masked again.
    edited = proposed.replace("虚某某某某", HOLDER)
    assert _post(handler, case_number, "publish-text", public_text=edited).status_code == 302
    for fmt in ("json", "xml"):
        shown = _text(client.get(f"{OPEN311}/requests/{case_number}.{fmt}"))
        assert proposed in shown and HOLDER not in shown and "13987654321" not in shown
    assert _requests(client).get_json()[0]["description"] == proposed
    assert _post(handler, case_number, "withhold-text").status_code == 302
    assert _requests(client).get_json()[0]["description"] == ""
    page = handler.get(f"/complaints/cases/{case_number}").get_data(as_text=True)
    assert "不公开(" in page and "投诉内容不公开" in page  # the state, and the step in the case's trail
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("complaint.%")).order_by(AuditEntry.id)
        ).all()
        assert [entry.action for entry in entries[-2:]] == ["complaint.publish_text", "complaint.withhold_text"]
        assert entries[-2].after["public_text"] == proposed and entries[-1].before["public_text"] == proposed
    log = signed_in("admin").get("/admin/audit?action=complaint.publish_text").get_data(as_text=True)
    assert "公开投诉内容" in log


def test_a_discipline_report_cannot_be_published(app, signed_in, discipline):
    case_number, _code = discipline
    handler = signed_in("complaint_handler")
    page = handler.get(f"/complaints/cases/{case_number}").get_data(as_text=True)
    assert "违规违纪举报一律不公开" in page and "publish-text" not in page
    _post(handler, case_number, "publish-text", public_text="该岗位负责人收受好处费,帮人插队办证。")
    with app.app_context():
        assert svc.case_by_number(case_number).text_review is None


def test_never_setting_keeps_every_text_private(app, client, signed_in, plain, monkeypatch):
    case_number, _code = plain
    handler = signed_in("complaint_handler")
    _post(handler, case_number, "publish-text", public_text="窗口负责人态度粗暴,让我来回跑了三趟。")
    assert _requests(client).get_json()[0]["description"] != ""
    monkeypatch.setitem(app.config, "COMPLAINT_TEXT_PUBLIC", "never")
    assert _requests(client).get_json()[0]["description"] == ""
    page = handler.get(f"/complaints/cases/{case_number}").get_data(as_text=True)
    assert "本平台设定投诉内容一律不公开" in page and "withhold-text" not in page
    _post(handler, case_number, "withhold-text")
    with app.app_context():
        assert svc.case_by_number(case_number).text_review == "published"  # refused: nothing to decide


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("complaint_handler", True), ("admin", True), ("auditor", False), ("unit_staff", False), ("hr_officer", False)],
)
def test_only_handlers_and_administrators_publish_or_withhold(app, signed_in, plain, role, allowed):
    case_number, _code = plain
    client = signed_in(role)
    token = csrf_token(client, "/admin/")
    for action in ("publish-text", "withhold-text"):
        data = {"csrf_token": token, "public_text": "窗口负责人态度粗暴,让我来回跑了三趟。"}
        response = client.post(f"/complaints/cases/{case_number}/{action}", data=data)
        assert response.status_code == (302 if allowed else 403), (role, action)
    with app.app_context():
        assert (svc.case_by_number(case_number).text_review is not None) == allowed


@pytest.mark.parametrize(
    ("text", "names", "masked"),
    [
        ("张三丰说电话13912345678", ["张三丰"], "张某某说电话139****5678"),
        ("李主任和王科长都不在", [], "某主任和某科长都不在"),
        ("欧阳保密和欧阳保", ["欧阳保", "欧阳保密"], "欧某某某和欧某某"),
        ("没有人名", ["", "张"], "没有人名"),
    ],
)
def test_mask_names(text, names, masked):
    assert mask_names(text, names) == masked


def test_the_setting_is_reviewed_by_default_or_never(monkeypatch, tmp_path):
    monkeypatch.delenv("COMPLAINT_TEXT_PUBLIC", raising=False)
    assert config.load(tmp_path)["COMPLAINT_TEXT_PUBLIC"] == "reviewed"
    monkeypatch.setenv("COMPLAINT_TEXT_PUBLIC", "never")
    assert config.load(tmp_path)["COMPLAINT_TEXT_PUBLIC"] == "never"
    monkeypatch.setenv("COMPLAINT_TEXT_PUBLIC", "always")
    with pytest.raises(config.ConfigError, match="COMPLAINT_TEXT_PUBLIC"):
        config.load(tmp_path)
