"""What a citizen meets at the edges (issue 15): a used code said before the form is filled, a bad rating without a
contact offered a complaint and a follow-up, the privacy page linked from the forms, pages past the end."""

from datetime import timedelta

import pytest

from rating.clock import local_today
from rating.extensions import db
from rating.models import FollowUp
from rating.models.cycles import Cycle
from tests.conftest import csrf_token
from tests.web.test_rating import rate, ratings_of

pytestmark = pytest.mark.bare


@pytest.fixture
def post(make_cycle, make_post):
    make_cycle()
    return make_post(holder="虚构乙")


def test_a_rescanned_used_code_says_so_before_the_form_is_filled(client, post, make_codes):
    [code] = make_codes(post)
    assert rate(client, post, level="5", code=code).status_code == 302
    page = client.get(f"/r/{code}", follow_redirects=True).get_data(as_text=True)
    assert "该评价码已经使用过" in page and f'value="{code}"' not in page  # the form opens without the dead code


def test_a_bad_rating_without_contact_is_offered_a_complaint_and_a_follow_up(app, client, post):
    receipt = rate(client, post, level="1").headers["Location"]
    page = client.get(receipt).get_data(as_text=True)
    assert f"/complaints/new?post={post.code}" in page and "留下联系方式" in page
    response = client.post(
        f"{receipt}/contact", data={"csrf_token": csrf_token(client, receipt), "contact": "13900001111"}
    )
    assert response.status_code == 302
    page = client.get(receipt).get_data(as_text=True)
    assert "查看整改进度" in page and "留下联系方式" not in page
    [rating] = ratings_of(app)
    with app.app_context():
        assert db.session.scalar(db.select(FollowUp.contact).where(FollowUp.rating_id == rating.id)) == "13900001111"


def test_only_the_raters_browser_may_leave_a_contact(app, client, post):
    receipt = rate(client, post, level="2").headers["Location"]
    token = csrf_token(client, receipt)
    with app.test_client() as stranger:
        page = stranger.get(receipt).get_data(as_text=True)
        assert "留下联系方式" not in page
        stranger.get("/")
        assert stranger.post(f"{receipt}/contact", data={"csrf_token": token, "contact": "x"}).status_code in (400, 403)


def test_a_good_rating_is_not_asked_for_a_contact(client, post):
    page = client.get(rate(client, post, level="5").headers["Location"]).get_data(as_text=True)
    assert "留下联系方式" not in page


def test_the_privacy_page_states_the_retention_and_is_linked_from_the_forms(app, client, post):
    page = client.get("/privacy").get_data(as_text=True)
    assert f"案件办结 {app.config['COMPLAINT_RETENTION_DAYS']} 天后" in page and "投诉中心" in page
    for form in (f"/posts/{post.code}/rate", "/complaints/new"):
        assert 'href="/privacy"' in client.get(form).get_data(as_text=True), form


def test_a_page_past_the_end_of_the_directory_does_not_contradict_itself(client, post):
    page = client.get("/posts?page=999").get_data(as_text=True)
    assert "没有第 999 页" in page and "没有找到符合条件的岗位" not in page


def test_a_year_without_a_published_result_says_not_yet_published(client, post):
    response = client.get("/results/2031")
    assert response.status_code == 404 and "2031 年度评议结果尚未公布" in response.get_data(as_text=True)


def test_the_home_page_says_rating_has_closed_once_the_cycle_ended(app, client, post):
    """The cycle is still open in the database (the scheduler closes it at night) but its last day has passed."""
    with app.app_context():
        cycle = db.session.scalar(db.select(Cycle))
        cycle.starts_on, cycle.ends_on = local_today() - timedelta(days=30), local_today() - timedelta(days=1)
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert "已截止" in page and "评议进行中" not in page and "本年度评议已经结束" in page
