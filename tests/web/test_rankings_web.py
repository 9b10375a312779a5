"""The rankings' faces: a citizen rates a station with the posts' form, stations in the directory and on the
complaint form, the office's unit-score grid and upload, unit heads in the back office, the compute buttons, and
the public department and station pages once the rankings are public."""

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models import AuditEntry, Cycle, Rating, Unit
from rating.models.rankings import Ranking, RankingSet, UnitScore
from rating.services import audit
from rating.services.rankings import lifecycle as rankings
from rating.services.verdict import lifecycle
from tests.conftest import csrf_token

YEAR = local_today().year


@pytest.fixture
def station(make_cycle, make_unit):
    make_cycle()
    return make_unit("station", code="S01", name="虚构东街派出所")


@pytest.mark.bare
def test_a_citizen_rates_a_station_with_the_posts_form_and_gets_a_receipt(app, client, station):
    page = client.get("/units/S01/rate").get_data(as_text=True)
    assert "虚构东街派出所" in page and "岗位责任人" not in page
    token = csrf_token(client, "/units/S01/rate")
    response = client.post("/units/S01/rate", data={"csrf_token": token, "level": "4"})
    assert response.status_code == 302 and "/receipt/" in response.headers["Location"]
    again = client.post("/units/S01/rate", data={"csrf_token": token, "level": "5"})
    assert again.status_code == 409  # the same device, the same day: the posts' rule
    with app.app_context():
        [rating] = db.session.scalars(select(Rating)).all()
        assert rating.post.rates_unit and rating.post.unit.code == "S01" and rating.level == 4
    assert client.get("/units/M99/rate").status_code == 404


@pytest.mark.bare
def test_stations_are_in_the_directory_and_on_the_complaint_form(client, station, make_post):
    make_post(holder="虚构乙")
    directory = client.get("/posts").get_data(as_text=True)
    assert "虚构东街派出所" in directory and "/units/S01/rate" in directory and "共 1 个岗位" in directory
    assert 'value="S01"' in client.get("/complaints/new").get_data(as_text=True)


@pytest.mark.bare
def test_admin_edits_a_units_head_and_auditor_only_reads(app, client, login_as, station):
    login_as("admin")
    token = csrf_token(client, "/admin/units/S01")
    response = client.post(
        "/admin/units/S01", data={"csrf_token": token, "name": "虚构东街派出所", "head": "虚构所长丙"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Unit.head).where(Unit.code == "S01")) == "虚构所长丙"
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "unit.update"
    assert "虚构所长丙" in client.get("/admin/units").get_data(as_text=True)


@pytest.mark.bare
def test_the_grid_saves_all_or_nothing_and_the_upload_previews_then_confirms(app, client, login_as, station, make_unit):
    make_unit(code="M01")
    login_as("admin")
    page = f"/admin/unit-scores?cycle={YEAR}"
    token = csrf_token(client, page)
    bad = {"csrf_token": token, "targets-M01": "90", "responsibility-M01": "80", "targets-S01": "120"}
    refused = client.post(page, data={**bad, "responsibility-S01": "80"})
    assert refused.status_code == 422 and "120" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(UnitScore.id))) == 0
    saved = client.post(page, data={**bad, "targets-S01": "85", "responsibility-S01": "80", "targets_met-S01": "否"})
    assert saved.status_code == 302
    upload = client.post(
        f"/admin/unit-scores/import?cycle={YEAR}",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(b"unit_code,targets,responsibility,conduct,targets_met\nM01,70,75,88,1\n"), "s.csv"),
        },
        content_type="multipart/form-data",
    )
    preview = upload.get_data(as_text=True)
    assert upload.status_code == 200 and "单位考核分数导入预览" in preview
    with app.app_context():
        assert db.session.scalar(select(UnitScore.targets).join(Unit).where(Unit.code == "M01")) == 90
    confirm = preview.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post("/admin/unit-scores/import/confirm", data={"csrf_token": token, "token": confirm}).status_code
        == 302
    )
    with app.app_context():
        scores = {s.unit.code: (s.targets, s.conduct, s.targets_met) for s in db.session.scalars(select(UnitScore))}
        assert scores == {"M01": (70, 88, True), "S01": (85, None, False)}
    template = client.get(f"/admin/unit-scores/template.xlsx?cycle={YEAR}")
    assert template.status_code == 200
    compute = client.post(f"/admin/rankings/{YEAR}/departments/compute", data={"csrf_token": token})
    assert compute.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(RankingSet.ranking)) == Ranking.DEPARTMENTS


def test_public_pages_after_publication(app, client):
    """On the demo: the current cycle's rankings, computed with its verdict, are public during notice and after
    publication; last year's department ranking (published late) names the unit last two years running."""
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        lifecycle.compute_final(audit.CLI, cycle)
        rankings.compute_departments(audit.CLI, cycle)
        rankings.compute_stations(audit.CLI, cycle)
        db.session.commit()
    assert client.get(f"/results/{YEAR}/departments").status_code == 404  # drafts stay at the desk
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        lifecycle.start_notice(audit.CLI, cycle)
        db.session.commit()
    assert "公示中" in client.get(f"/results/{YEAR}/stations").get_data(as_text=True)
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        cycle.notice_starts_on, cycle.notice_ends_on = local_today() - timedelta(8), local_today() - timedelta(1)
        lifecycle.publish(audit.CLI, cycle)
        db.session.commit()
    departments = client.get(f"/results/{YEAR}/departments").get_data(as_text=True)
    assert "连续两年末位" in departments and "市统计局" in departments and "引咎辞职" in departments
    assert "通报表彰" in departments and "黄牌警告" in departments
    stations = client.get(f"/results/{YEAR}/stations").get_data(as_text=True)
    assert "满意率最低的基层站所" in stations and "东街派出所" in stations and "样本不足" in stations
    assert "公示中" not in stations
    history = client.get("/results/units/M25").get_data(as_text=True)
    assert str(YEAR - 1) in history and str(YEAR) in history
    document = client.get(f"/results/{YEAR}/stations.json").get_json()
    assert document["kind"] == "published" and len(document["results"]) == 14


def test_the_api_serves_a_ranking_once_published_with_its_hash(client):
    """On the demo: last year's department ranking was published (late, with its reason); this year's is a draft."""
    document = client.get(f"/api/v1/cycles/{YEAR - 1}/departments")
    assert document.status_code == 200 and len(document.get_json()["content_hash"]) == 64
    again = client.get(f"/api/v1/cycles/{YEAR - 1}/departments", headers={"If-None-Match": document.headers["ETag"]})
    assert again.status_code == 304
    lines = {line["unit_code"]: line for line in document.get_json()["results"]}
    assert lines["M25"]["last"] and lines["M25"]["group"] == "municipal"
    assert client.get(f"/api/v1/cycles/{YEAR}/stations").status_code == 404
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "/cycles/{year}/departments" in paths and "/cycles/{year}/stations" in paths


@pytest.mark.bare
def test_a_station_desks_post_page_leads_to_the_station_form(client, station):
    response = client.get("/posts/S01")
    assert response.status_code == 302 and response.headers["Location"].endswith("/units/S01/rate")
