"""The public complaint statistics: cases by channel, status and area, the per-unit rates of the hotline, the CSV/XLSX
downloads, and never a complainant's name or phone. The page and downloads are checked on a few cases of the test's
own (bare database); the first test checks that the demo reproduces the article's 196 cases."""

import csv
import io
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from rating.clock import LOCAL_TZ, local_today
from rating.demo.complaints import load_complaints
from rating.extensions import db
from rating.models.complaints import Complaint, ComplaintStatus
from rating.models.units import Unit, UnitKind
from rating.services import audit
from rating.services import complaints as complaint_service
from rating.services.cycles import current_cycle

CENTRE_KINDS = (UnitKind.MUNICIPAL, UnitKind.PROVINCIAL, UnitKind.WINDOW)


@pytest.fixture
def seeded(app):
    with app.app_context():
        cycle = current_cycle()
        first = load_complaints(audit.Actor("seed"), cycle, local_today())
        again = load_complaints(audit.Actor("seed"), cycle, local_today())
        db.session.commit()
        year = cycle.year
    return {"first": first, "again": again, "year": year}


def _count(*where) -> int:
    """The centres' cases taken in this year (the demo also holds last year's, published cycle)."""
    this_year = Complaint.created_at >= datetime(local_today().year, 1, 1, tzinfo=LOCAL_TZ)
    return db.session.scalar(
        select(func.count(Complaint.id)).join(Unit).where(this_year, ~Complaint.confidential, *where)
    )


def test_demo_complaints_load_once(app, seeded):
    """The article's figures themselves are checked in test_demo.py."""
    assert seeded["again"] == "complaints: already loaded"
    with app.app_context():
        assert _count() == 196
        assert _count(Unit.kind.in_(CENTRE_KINDS)) == 145


@pytest.fixture
def cases(app, make_cycle, make_unit, make_post, make_complaint):
    """Five cases of this year: four about 市虚构公安局's post (phone received, phone referred, a visit concluded
    on time and answered satisfied, a letter in progress) and one about another unit's post (phone, concluded)."""
    cycle = make_cycle()
    police = make_post(unit=make_unit(name="市虚构公安局"))
    contact = {"name": "王先生", "phone": "13912345678"}
    make_complaint(police, channel="phone", **contact)
    make_complaint(police, channel="phone", status="referred", category="inaction", **contact)
    visited = make_complaint(police, channel="visit", status="concluded", category="conduct", **contact)
    make_complaint(police, channel="letter", status="in_progress", category="arbitrary", **contact)
    make_complaint(make_post(), channel="phone", status="concluded", finding="partly", **contact)
    with app.app_context():
        complaint_service.return_visit(db.session.get(Complaint, visited.id), satisfied=True)
        db.session.commit()
    return {"year": cycle.year}


def _bar_count(page: str, label: str) -> int:
    match = re.search(rf"<th scope=\"row\">{label}</th>.*?<td class=\"count\">(\d+)</td>", page, re.S)
    assert match, label
    return int(match.group(1))


@pytest.mark.bare
def test_stats_page_shows_the_figures(client, cases):
    response = client.get("/complaints/stats")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "共受理群众举报投诉 5 件" in page
    assert [_bar_count(page, label) for label in ("电话", "来访", "来信", "网上")] == [3, 1, 1, 0]
    assert [_bar_count(page, label) for label in ("已受理", "已转办", "办理中", "已办结")] == [1, 1, 1, 2]
    assert 'width="240"' in page  # the longest bar (phone) is full width
    assert "<script" not in page and "style=" not in page


@pytest.mark.bare
def test_per_unit_rates(app, client, cases):
    page = client.get(f"/complaints/stats?cycle={cases['year']}").get_data(as_text=True)
    with app.app_context():
        unit = db.session.scalar(
            select(Unit)
            .join(Complaint, Complaint.unit_id == Unit.id)
            .group_by(Unit.id)
            .order_by(func.count(Complaint.id).desc(), Unit.code)
            .limit(1)
        )
        cases = db.session.scalars(select(Complaint).where(Complaint.unit_id == unit.id)).all()
        name = unit.name
    concluded = [c for c in cases if c.status == ComplaintStatus.CONCLUDED]
    referred = [c for c in cases if c.status != ComplaintStatus.RECEIVED]
    answered = [c for c in cases if c.satisfied is not None]

    def pct(part, whole):
        return f"{part / whole * 100:.1f}%" if whole else "—"

    expected = [
        str(len(cases)),
        str(len(concluded)),
        pct(sum(bool(c.concluded_on_time) for c in concluded), len(concluded)),
        pct(len(concluded), len(referred)),
        pct(sum(bool(c.satisfied) for c in answered), len(answered)),
    ]
    assert name == "市虚构公安局" and expected == ["4", "1", "100.0%", "33.3%", "100.0%"]
    row = re.search(rf"<tr><td>{re.escape(name)}</td>(.*?)</tr>", page)
    assert row, name
    assert re.findall(r"<td>(.*?)</td>", row.group(1)) == expected


@pytest.mark.bare
def test_no_private_contact_reaches_the_page_or_downloads(app, client, cases):
    with app.app_context():
        names, phones = zip(*db.session.execute(select(Complaint.complainant_name, Complaint.complainant_phone)))
    for url in ("/complaints/stats", "/complaints/stats.csv"):
        body = client.get(url).get_data(as_text=True)
        assert not re.search(r"1[3-9]\d{9}", body)
        assert not any(phone in body for phone in phones if phone)
        assert "先生" not in body and "女士" not in body


@pytest.mark.bare
def test_csv_download(client, cases):
    response = client.get(f"/complaints/stats.csv?cycle={cases['year']}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert f"complaint-stats-{cases['year']}.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    channels = {row[2]: int(row[3]) for row in rows[1:] if row[0] == "渠道"}
    assert channels == {"电话": 3, "来访": 1, "来信": 1, "网上": 0}
    total = rows[-1]
    assert total[2] == "全市合计" and total[3] == "5"


@pytest.mark.bare
def test_xlsx_download(client, cases):
    response = client.get("/complaints/stats.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0][:4] == ["分组", "单位代码", "项目", "件数"]
    assert ["渠道", None, "电话", 3] in [row[:4] for row in values]
    assert sheet.title == f"{cases['year']} 年度投诉举报统计"


@pytest.mark.bare
def test_the_english_site_downloads_english_statistics(client, cases):
    client.get("/lang/en")
    sheet = load_workbook(io.BytesIO(client.get("/complaints/stats.xlsx").data)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert sheet.title == f"{cases['year']} complaint statistics"
    assert not any(re.search(r"[\u4e00-\u9fff]", str(value or "")) for value in values[0] + [row[0] for row in values])


@pytest.mark.bare
def test_unknown_cycle_is_404(client, make_cycle):
    make_cycle()
    assert client.get("/complaints/stats?cycle=1999").status_code == 404
    assert client.get("/complaints/stats.csv?cycle=1999").status_code == 404


@pytest.mark.bare
def test_page_renders_without_any_case(client, make_cycle):
    make_cycle()
    response = client.get("/complaints/stats")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "共受理群众举报投诉 0 件" in page and _bar_count(page, "网上") == 0
