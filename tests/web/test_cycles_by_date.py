"""Cycles by date: next year's cycle, created in November, waits its turn (scheduled) while this year's rating goes
on; the scheduler opens it on its first day; once rating has closed, post pages and QR cards say so at once."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from rating.clock import local_today
from rating.extensions import db
from rating.models.cycles import Cycle, CycleStatus
from rating.services import audit
from rating.services import cycles as cycle_service
from rating.services.cycles import current_cycle
from rating.services.verdict import lifecycle
from tests.conftest import csrf_token

YEAR = local_today().year


@pytest.fixture
def this_year(make_cycle, make_post):
    """This year's open cycle and a post to rate in it, on a database without next year's cycle (the demo has
    scheduled one already): a post's code."""
    make_cycle()
    return make_post(holder="虚构甲").code


def _next_year(runner) -> None:
    result = runner.invoke(args=["create-cycle", str(YEAR + 1)])
    assert result.exit_code == 0 and "scheduled" in result.output, result.output


@pytest.mark.bare
def test_next_years_cycle_is_scheduled_and_this_years_rating_goes_on(app, client, runner, this_year):
    _next_year(runner)
    home = client.get("/").get_data(as_text=True)
    assert str(YEAR) in home and str(YEAR + 1) not in home
    form = client.get(f"/posts/{this_year}/rate").get_data(as_text=True)
    assert "评议将于" not in form and 'name="level"' in form
    token = csrf_token(client, f"/posts/{this_year}/rate")
    response = client.post(f"/posts/{this_year}/rate", data={"csrf_token": token, "level": "4"})
    assert response.status_code in (200, 302) and "回执" in client.get(response.location or "/").get_data(as_text=True)
    with app.app_context():
        assert current_cycle().year == YEAR
        scheduled = db.session.scalar(select(Cycle).where(Cycle.year == YEAR + 1))
        assert scheduled.status == CycleStatus.SCHEDULED and not scheduled.method_frozen


@pytest.mark.bare
def test_the_scheduler_opens_a_scheduled_cycle_on_its_first_day(app, runner, monkeypatch, this_year):
    _next_year(runner)
    with app.app_context():
        assert cycle_service.open_scheduled(audit.Actor("scheduler")) == []
        first_day = db.session.scalar(select(Cycle.starts_on).where(Cycle.year == YEAR + 1))
        monkeypatch.setattr(cycle_service, "local_today", lambda: first_day)
        (opened,) = cycle_service.open_scheduled(audit.Actor("scheduler"))
        assert opened.year == YEAR + 1 and opened.status == CycleStatus.OPEN


def test_after_rating_closes_post_pages_and_cards_say_so(app, client):
    with app.app_context():
        cycle = db.session.scalar(select(Cycle).where(Cycle.year == YEAR))
        lifecycle.close(audit.CLI, cycle)
        db.session.commit()
    post = client.get("/posts/DT-001").get_data(as_text=True)
    assert "rate-cta" not in post and "评议已经结束" in post
    form = client.get("/posts/DT-001/rate").get_data(as_text=True)
    assert "评议已经结束" in form and 'name="level"' not in form


def test_a_cycle_starting_today_or_earlier_opens_at_once(app):
    with app.app_context():
        cycle = cycle_service.create_cycle(audit.CLI, YEAR + 2, local_today() - timedelta(days=1), None)
        assert cycle.status == CycleStatus.OPEN


@pytest.mark.bare
def test_the_scheduled_job_opens_the_cycle_and_says_so(app, runner, monkeypatch, this_year):
    from rating import jobs

    _next_year(runner)
    assert "没有到期" in jobs.open_scheduled_cycles(app)
    with app.app_context():
        first_day = db.session.scalar(select(Cycle.starts_on).where(Cycle.year == YEAR + 1))
    monkeypatch.setattr(cycle_service, "local_today", lambda: first_day)
    assert str(YEAR + 1) in jobs.open_scheduled_cycles(app)
    with app.app_context():
        assert db.session.scalar(select(Cycle.status).where(Cycle.year == YEAR + 1)) == CycleStatus.OPEN
