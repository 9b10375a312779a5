"""City and county complaint centres (issue 14 item 3): each case goes to the centre serving its unit, a handler
works their own centre's cases only (every route under /complaints, the lists, the notices, the reminders), the
office and the discipline commission see all, the administrator puts a handler in a centre, and the public
statistics give each centre's received / referred / concluded / in progress for a chosen period; on the demo the
city centre's figures are the seed's (145 / 97 / 88 / 9)."""

import csv
import io
import itertools
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models.audit import AuditEntry
from rating.models.complaints import Complaint
from rating.models.users import User
from rating.services import audit
from rating.services import complaints as svc
from rating.services.complaints import centres
from rating.services.errors import InvalidInput
from rating.services.notifications import overdue_emails
from tests.conftest import DEMO_USERS, ROOT, csrf_token, sign_in
from tests.factories import local_datetime

TEXT = "窗口工作人员要求提供不必要的证明材料,让我来回跑了三趟还没有办成。"
HANDLER = audit.Actor("handler")


@pytest.fixture
def world(app, make_cycle, make_unit, make_post):
    """A city department's post, a county (C-code) with a station, and another county."""
    make_cycle()
    county = make_unit("county")
    return {
        "city_post": make_post(),
        "county": county,
        "station": make_unit("station", parent=county),
        "other_county": make_unit("county"),
    }


def _file(app, *, post=None, unit=None, referred=False, at=None) -> str:
    with app.app_context():
        intake = svc.Intake(
            channel="phone",
            category="access",
            text=TEXT,
            post_code=post.code if post is not None else "",
            unit_code=unit.code if unit is not None else "",
        )
        complaint, _code = svc.file_complaint(HANDLER, intake, at=at)
        if referred:
            svc.refer(HANDLER, complaint, at=at)
        db.session.commit()
        return complaint.case_number


@pytest.fixture
def sign(app, login_as, make_user):
    addresses = itertools.count(1)

    def sign_as(role, *, centre=None, unit=None):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.0.2.{next(addresses)}"
        return login_as(make_user(role, centre=centre, unit=unit), client=client)

    return sign_as


@pytest.mark.bare
@pytest.mark.parametrize(
    ("kind", "served_by"),
    [
        ("municipal", "city"),
        ("provincial", "city"),
        ("window", "city"),
        ("county", "county"),
        ("station", "county"),
        ("lone station", "city"),  # a station without a county is the city's
    ],
)
def test_each_unit_kind_is_routed_to_its_centre(app, world, make_unit, kind, served_by):
    unit = {
        "county": world["county"],
        "station": world["station"],
        "lone station": None,
    }.get(kind)
    if unit is None:
        unit = make_unit(kind.split()[-1])
    case = _file(app, unit=unit)
    with app.app_context():
        complaint = svc.case_by_number(case)
        expected = "CITY" if served_by == "city" else world["county"].code
        assert complaint.centre.code == expected
        assert centres.centre_for(complaint.unit).id == complaint.centre_id


def _case_routes(app) -> list[tuple[str, str]]:
    """(method, URL template) of every /complaints route that takes a case number."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/complaints/cases/<case_number>"):
            method = "GET" if "GET" in rule.methods else "POST"
            routes.append((method, rule.rule))
    return routes


@pytest.mark.bare
def test_a_county_handler_is_refused_a_city_case_on_every_route(app, world, sign):
    city_case = _file(app, post=world["city_post"], referred=True)
    own_case = _file(app, unit=world["station"])
    routes = _case_routes(app)
    assert len(routes) >= 14, routes  # case, refer, conclude, merge, sign, slip, publish-text…
    county = sign("complaint_handler", centre=world["county"].code)
    token = csrf_token(county, "/admin/")
    for method, rule in routes:
        url = rule.replace("<case_number>", city_case).replace("<into_case_number>", own_case)
        response = county.get(url) if method == "GET" else county.post(url, data={"csrf_token": token})
        assert response.status_code in (403, 404), (rule, response.status_code)
        back = rule.replace("<case_number>", own_case).replace("<into_case_number>", city_case)
        if "<into_case_number>" in rule:  # nor merge its own case into the city's
            assert county.post(back, data={"csrf_token": token}).status_code in (403, 404)
    with app.app_context():
        assert svc.case_by_number(city_case).merged_into_id is None
        assert svc.case_by_number(own_case).merged_into_id is None
    assert county.get(f"/complaints/cases/{own_case}").status_code == 200
    assert sign("complaint_handler").get(f"/complaints/cases/{own_case}").status_code == 403


@pytest.mark.bare
def test_a_county_handler_never_sees_city_cases_in_lists_or_notices(app, world, sign):
    late = local_datetime(local_today() - timedelta(days=8))
    city_case = _file(app, post=world["city_post"], at=late)
    own_case = _file(app, unit=world["county"], at=late)
    with app.app_context():
        assert {c.case_number for c in svc.mark_overdue()} == {city_case, own_case}
        db.session.commit()
    county = sign("complaint_handler", centre=world["county"].code)
    city = sign("complaint_handler")
    for url in ("/complaints/cases", "/complaints/cases?overdue=1", "/complaints/cases?status=received", "/admin/"):
        page = county.get(url).get_data(as_text=True)
        assert own_case in page and city_case not in page, url
        page = city.get(url).get_data(as_text=True)
        assert city_case in page and own_case not in page, url
    other = sign("complaint_handler", centre=world["other_county"].code)
    page = other.get("/complaints/cases").get_data(as_text=True)
    assert own_case not in page and city_case not in page
    for role in ("admin", "auditor"):  # the office and the discipline commission see all
        page = sign(role).get("/complaints/cases").get_data(as_text=True)
        assert own_case in page and city_case in page, role


@pytest.mark.bare
def test_overdue_emails_go_to_the_handlers_of_the_cases_centre(app, world, make_user):
    make_user("complaint_handler", email="city@example.org")
    make_user("complaint_handler", centre=world["county"].code, email="county@example.org")
    city_case = _file(app, post=world["city_post"])
    own_case = _file(app, unit=world["station"])
    with app.app_context():
        mails = overdue_emails([svc.case_by_number(city_case), svc.case_by_number(own_case)])
        assert [mail.to for mail in mails] == [["city@example.org"], ["county@example.org"]]


@pytest.mark.bare
def test_duplicates_and_merging_stay_within_a_centre(app, world):
    first = _file(app, unit=world["county"])
    second = _file(app, unit=world["county"])
    city_case = _file(app, post=world["city_post"])
    with app.app_context():
        duplicate, into = svc.case_by_number(second), svc.case_by_number(first)
        assert [c.case_number for c in svc.possible_duplicates(duplicate)] == [first]
        with pytest.raises(InvalidInput):
            svc.merge(HANDLER, duplicate, svc.case_by_number(city_case))
        svc.merge(HANDLER, duplicate, into)


@pytest.mark.bare
def test_a_handler_takes_in_only_their_centres_cases(app, world, sign):
    county = sign("complaint_handler", centre=world["county"].code)
    token = csrf_token(county, "/complaints/cases/new")
    data = {"csrf_token": token, "channel": "phone", "category": "access", "text": TEXT}
    response = county.post("/complaints/cases/new", data={**data, "post_code": world["city_post"].code})
    assert response.status_code == 400
    assert "的投诉由市投诉中心受理" in response.get_data(as_text=True)
    response = county.post("/complaints/cases/new", data={**data, "unit_code": world["station"].code})
    assert response.status_code == 302
    with app.app_context():
        complaint = db.session.scalar(select(Complaint).order_by(Complaint.id.desc()).limit(1))
        assert complaint.centre.code == world["county"].code


@pytest.mark.bare
def test_a_referral_to_a_unit_of_another_centre_moves_the_case(app, world, sign):
    case = _file(app, post=world["city_post"])
    city = sign("complaint_handler")
    token = csrf_token(city, f"/complaints/cases/{case}")
    response = city.post(
        f"/complaints/cases/{case}/refer",
        data={"csrf_token": token, "unit_code": world["station"].code, "note": "属县区站所职责"},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/complaints/cases"
    assert city.get(f"/complaints/cases/{case}").status_code == 403
    county = sign("complaint_handler", centre=world["county"].code)
    page = county.get(f"/complaints/cases/{case}").get_data(as_text=True)
    assert "转至其他投诉中心" in page and world["station"].name in page
    assert f'<dd class="centre">{world["county"].name}投诉中心</dd>' in page
    assert f"投诉 {case} 已转来本中心办理。" in county.get("/admin/").get_data(as_text=True)
    with app.app_context():
        complaint = svc.case_by_number(case)
        assert complaint.centre.code == world["county"].code and complaint.unit_id == world["station"].id
        assert [e.kind for e in complaint.events][-2:] == ["moved", "referred"]
        entry = db.session.scalar(
            select(AuditEntry)
            .where(AuditEntry.action == "complaint.refer", AuditEntry.entity_id == str(complaint.id))
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
        assert entry.before["centre"] != entry.after["centre"] == complaint.centre_id


@pytest.mark.bare
def test_the_administrator_puts_a_handler_in_a_centre(app, world, sign, make_user):
    handler = make_user("complaint_handler")
    assert handler.centre.code == "CITY"  # the city's centre unless another is named
    admin = sign("admin")
    page = admin.get(f"/admin/users/{handler.id}").get_data(as_text=True)
    assert "市投诉中心" in page and f"{world['county'].name}投诉中心" in page
    token = csrf_token(admin, f"/admin/users/{handler.id}")
    response = admin.post(
        f"/admin/users/{handler.id}/role",
        data={"csrf_token": token, "role": "complaint_handler", "unit": "", "centre": world["county"].code},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, handler.id).centre.code == world["county"].code
    token = csrf_token(admin, "/admin/users/new")
    response = admin.post(
        "/admin/users/new",
        data={
            "csrf_token": token,
            "username": "county-two",
            "role": "complaint_handler",
            "unit": "",
            "centre": world["other_county"].code,
            "password": "a-long-password-1",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        made = db.session.scalar(select(User).where(User.username == "county-two"))
        assert made.centre.code == world["other_county"].code
    assert f"{world['other_county'].name}投诉中心" in admin.get("/admin/users").get_data(as_text=True)


def _centre_rows(page: str) -> dict[str, list[str]]:
    rows = re.findall(r'<tr data-centre="([^"]*)"><t[dh]>[^<]*</t[dh]>(.*?)</tr>', page, re.S)
    return {code: re.findall(r"<t[dh]>(.*?)</t[dh]>", cells) for code, cells in rows}


@pytest.mark.bare
def test_statistics_per_centre_for_a_chosen_period(app, client, world, make_complaint):
    make_complaint(world["city_post"], status="concluded")
    make_complaint(world["city_post"], status="in_progress")
    make_complaint(world["city_post"])
    make_complaint(unit=world["station"], status="referred")
    long_ago = local_today() - timedelta(days=40)
    _file(app, unit=world["county"], at=local_datetime(long_ago))
    year = local_today().year
    rows = _centre_rows(client.get("/complaints/stats").get_data(as_text=True))
    # received, referred, concluded, in progress (then the three rates)
    assert rows["CITY"][:4] == ["3", "2", "1", "1"]
    assert rows[world["county"].code][:4] == ["2", "1", "0", "1"]
    assert rows[""][:4] == ["5", "3", "1", "2"]
    since = (local_today() - timedelta(days=10)).isoformat()
    page = client.get(f"/complaints/stats?cycle={year}&from={since}").get_data(as_text=True)
    rows = _centre_rows(page)
    assert rows[world["county"].code][:4] == ["1", "1", "0", "1"] and rows[""][:4] == ["4", "3", "1", "2"]
    assert "共受理群众举报投诉 4 件" in page and f"from={since}" in page  # the downloads keep the period
    body = client.get(f"/complaints/stats.csv?from={since}").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(body)))
    assert table[0][-2:] == ["已转办", "办理中"]
    centre_rows = {row[1]: row for row in table if row[0] == "投诉中心"}
    assert centre_rows["CITY"][3:5] == ["3", "1"] and centre_rows["CITY"][-2:] == ["2", "1"]
    assert table[-1][2] == "全市合计" and table[-1][3] == "4"


# --- on the demo -----------------------------------------------------------------------------------------------


def test_the_demo_city_centre_has_the_seeds_figures(client):
    """The seed: the city centre took 145 of 196 cases, referred 97, concluded 88, with 9 in progress."""
    rows = _centre_rows(client.get("/complaints/stats").get_data(as_text=True))
    assert rows["CITY"][:4] == ["145", "97", "88", "9"]
    assert rows[""][0] == "196"
    counties = [cells for code, cells in rows.items() if code not in ("CITY", "")]
    assert len(counties) == 11 and sum(int(cells[0]) for cells in counties) == 51


def test_the_demo_county_handler_sees_only_the_countys_cases(app, client):
    with (ROOT / "seeds" / "users.csv").open(encoding="utf-8") as users:
        password = next(row["password"] for row in csv.DictReader(users) if row["username"] == "handler-c01")
    county = sign_in(client, "handler-c01", password)
    page = county.get("/complaints/cases").get_data(as_text=True)
    with app.app_context():
        numbers = dict(db.session.execute(select(Complaint.case_number, Complaint.centre_id)).all())
        c01 = centres.centre_by_code("C01").id
    shown = set(re.findall(r"TS\d{4}-\d{5}", page))
    assert shown and all(numbers[number] == c01 for number in shown)
    city_case = next(number for number, centre in numbers.items() if centre != c01)
    assert county.get(f"/complaints/cases/{city_case}").status_code == 403
    assert DEMO_USERS["complaint_handler"]["username"] == "handler"  # the city's handler stays the role's demo user
