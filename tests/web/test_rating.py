"""Citizens rate key posts: the form, one-time codes, stuffing resistance, limits, receipts, follow-ups."""

import re
import threading
from datetime import timedelta

import pytest

from rating import cache
from rating.clock import local_today
from rating.extensions import db
from rating.models import FollowUp, Rating, RatingCode
from rating.models.base import utcnow
from rating.models.cycles import Cycle, CycleStatus
from rating.services import audit
from rating.workdays import add_working_days
from tests.conftest import CSRF_FIELD, csrf_token

pytestmark = pytest.mark.bare
YEAR = local_today().year


@pytest.fixture
def cycle(make_cycle):
    return make_cycle()


@pytest.fixture
def post(cycle, make_post):
    """A post to rate, in this year's open cycle."""
    return make_post(holder="虚构甲")


def rate(client, post, device=None, **data):
    if device:
        client.set_cookie("rid", device)
    token = csrf_token(client, f"/posts/{post.code}/rate")
    return client.post(f"/posts/{post.code}/rate", data={"csrf_token": token, **data})


def ratings_of(app, post=None):
    query = db.select(Rating).order_by(Rating.id)
    with app.app_context():
        return db.session.scalars(query if post is None else query.where(Rating.post_id == post.id)).all()


def test_form_offers_five_labelled_levels(client, post):
    page = client.get(f"/posts/{post.code}/rate").get_data(as_text=True)
    for label in ("非常满意", "满意", "基本满意", "不满意", "非常不满意"):
        assert label in page
    assert page.count('type="radio" name="level"') == 5 or page.count('name="level"') >= 5


def test_a_rating_gets_a_receipt_and_records_the_holder(app, client, post):
    response = rate(client, post, level="4", comment="很快就办好了,我的电话13812345678")
    assert response.status_code == 302 and response.headers["Location"].startswith("/receipt/R")
    receipt_page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "感谢您的评价" in receipt_page
    [rating] = ratings_of(app)
    assert rating.receipt in receipt_page and rating.post_id == post.id
    assert (rating.level, rating.verified, rating.channel, rating.status) == (4, False, "web", "counted")
    assert rating.comment == "很快就办好了,我的电话138****5678"  # masked before it was stored
    assert rating.holder_id == post.current_tenure.holder_id


def test_a_valid_code_makes_the_rating_verified_and_a_reused_code_is_refused(app, client, post, make_codes):
    code = make_codes(post)[0]
    assert rate(client, post, level="5", code=code).status_code == 302
    assert ratings_of(app)[-1].verified is True
    again = rate(client, post, device="another-device", level="5", code=code)
    assert again.status_code == 409
    assert "已经使用过" in again.get_data(as_text=True)
    # The rating is not lost: submitted again without the code, it is taken unverified.
    retry = rate(client, post, device="another-device", level="5")
    assert retry.status_code == 302 and [r.verified for r in ratings_of(app)] == [True, False]


def test_expired_and_foreign_codes_are_refused_with_a_reason(app, client, post, make_post, make_codes):
    foreign = make_codes(make_post())[0]
    response = rate(client, post, level="3", code=foreign)
    assert response.status_code == 409 and "不属于这个岗位" in response.get_data(as_text=True)
    expired = make_codes(post)[0]
    with app.app_context():
        code = db.session.scalar(db.select(RatingCode).where(RatingCode.code == expired))
        code.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = rate(client, post, level="3", code=expired)
    assert response.status_code == 409 and "已过期" in response.get_data(as_text=True)
    assert "评价码无效" in rate(client, post, level="3", code="NOTACODE99").get_data(as_text=True)
    assert ratings_of(app) == []


def test_scanning_a_card_opens_the_form_with_the_code(client, post, make_codes):
    code = make_codes(post)[0]
    response = client.get(f"/r/{code.lower()}")
    assert response.status_code == 302 and f"/posts/{post.code}/rate" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'value="{code}"' in page


def test_one_device_rates_one_post_once_a_day(client, post, make_post):
    assert rate(client, post, device="phone-1", level="5").status_code == 302
    second = rate(client, post, device="phone-1", level="1")
    assert second.status_code == 409 and "今天已经评价过" in second.get_data(as_text=True)
    assert rate(client, make_post(), device="phone-1", level="5").status_code == 302  # another post is fine


def test_one_network_counts_its_allowance_then_holds_and_coded_ratings_are_outside_it(app, client, post, make_codes):
    with app.app_context():
        allowance = db.session.scalar(db.select(Cycle).where(Cycle.year == YEAR)).settings.source_allowance
    levels = ["5", "2", "4", "3"][: allowance + 1]  # mixed levels: over the allowance, not a campaign
    for n, level in enumerate(levels):
        assert rate(client, post, device=f"home-{n}", level=level).status_code == 302
    statuses = [r.status for r in ratings_of(app)[-len(levels) :]]
    assert statuses == ["counted"] * allowance + ["held"]
    assert ratings_of(app)[-1].status_reason.startswith("allowance:")
    code = make_codes(post)[0]
    assert rate(client, post, device="home-9", level="5", code=code).status_code == 302
    assert (ratings_of(app)[-1].status, ratings_of(app)[-1].source_id) == ("counted", None)


def counted_on_page(client, post):
    """The tally the post page shows once its cached copy is out of date (ratings never make it so: rating.cache)."""
    with client.application.app_context():
        cache.invalidate(["directory"])
    page = client.get(f"/posts/{post.code}").get_data(as_text=True)
    return int(re.search(r'群众评价</p><p class="big">(\d+)</p>', page).group(1))


def test_held_ratings_do_not_count_until_released(app, client, post):
    from rating.services.ratings import moderate

    assert counted_on_page(client, post) == 0
    for n in range(3):
        rate(client, post, device=f"d{n}", level="1")
    assert counted_on_page(client, post) == 2  # the third is beyond one network's allowance
    with app.app_context():
        held = db.session.scalar(db.select(Rating).where(Rating.status == "held"))
        moderate(audit.Actor("admin"), held, "counted", "核实为现场办事群众")
        db.session.commit()
    assert counted_on_page(client, post) == 3


def test_rating_is_refused_with_a_clear_message_when_the_cycle_is_closed(app, client, post):
    with app.app_context():
        cycle = db.session.scalar(db.select(Cycle).where(Cycle.year == YEAR))
        cycle.status = CycleStatus.CLOSED
        db.session.commit()
    page = client.get(f"/posts/{post.code}/rate").get_data(as_text=True)
    assert "评议已经结束" in page and "提交评价" not in page
    token = CSRF_FIELD.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post(f"/posts/{post.code}/rate", data={"csrf_token": token, "level": "5"})
    assert response.status_code == 409 and "评议已经结束" in response.get_data(as_text=True)
    assert ratings_of(app) == []


def test_rate_limit_answers_429_in_chinese(app, client, cycle, make_post):
    app.config["RATING_DEVICE_LIMIT"] = "3 per minute"
    posts = [make_post() for _n in range(5)]
    statuses = [rate(client, post, level="5").status_code for post in posts[:4]]
    assert statuses[:3] == [302, 302, 302] and statuses[3] == 429
    last = rate(client, posts[4], level="5")
    assert last.status_code == 429 and "操作过于频繁" in last.get_data(as_text=True)
    assert len(ratings_of(app)) == 3


def test_a_bad_review_with_contact_opens_a_follow_up_due_in_working_days(app, client, post):
    response = rate(client, post, level="1", comment="推诿扯皮", contact="13900001111")
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "查看整改进度" in receipt and "13900001111" not in receipt
    with app.app_context():
        follow_up = db.session.scalar(db.select(FollowUp))
        assert follow_up.deadline == add_working_days(local_today(), 5)
        assert follow_up.contact == "13900001111" and follow_up.status == "open"
        assert (follow_up.post_id, follow_up.unit_id) == (post.id, post.unit_id)
    assert "13900001111" not in client.get(f"/posts/{post.code}").get_data(as_text=True)


def test_a_good_review_opens_no_follow_up(app, client, post):
    assert rate(client, post, level="5", contact="13900001111").status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(FollowUp.id))) == 0


def test_public_post_page_shows_count_and_satisfaction_only(app, client, post, make_rating):
    rate(client, post, device="a", level="5")
    rate(client, post, device="b", level="4")  # one network's allowance: two
    make_rating(post, level=2)  # a hotline rating, outside the allowance
    make_rating(post, level=5, status="excluded")  # excluded ratings count for nothing
    page = client.get(f"/posts/{post.code}").get_data(as_text=True)
    assert "66.7%" in page  # two satisfied of three counted
    assert counted_on_page(client, post) == 3
    assert "排名" not in page  # no provisional rank
    with app.app_context():
        hashes = db.session.scalars(db.select(Rating.rater_hash)).all()
    assert hashes and all(h not in page for h in hashes if h)


@pytest.fixture
def twenty_posts(committed_app, make_cycle, make_post):
    with committed_app.app_context():
        make_cycle()
        return [make_post().code for _n in range(20)]


def test_twenty_threads_rating_at_once_lose_nothing(committed_app, twenty_posts):
    app = committed_app
    results, lock = [], threading.Lock()

    def one(n):
        client = app.test_client()
        client.set_cookie("rid", f"thread-{n}")
        token = csrf_token(client, f"/posts/{twenty_posts[n]}/rate")
        response = client.post(f"/posts/{twenty_posts[n]}/rate", data={"csrf_token": token, "level": str(1 + n % 5)})
        with lock:
            results.append(response.headers.get("Location", "") if response.status_code == 302 else None)

    threads = [threading.Thread(target=one, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    acknowledged = sorted(r.removeprefix("/receipt/") for r in results if r)
    assert len(acknowledged) == 20
    with app.app_context():
        stored = sorted(db.session.scalars(db.select(Rating.receipt).where(Rating.entered_by.is_(None))))
        assert stored == acknowledged  # every acknowledged rating stored exactly once
        from rating.services.audit import verify_chain

        assert verify_chain().ok


def test_import_ratings_counts_as_given_and_refuses_bad_rows(app, runner, tmp_path, post, make_post):
    day = (local_today() - timedelta(days=1)).isoformat()
    other = make_post()
    good = tmp_path / "r.csv"
    rows = f"{post.code},5,0,热线,{day} 09:30\n{other.code},2,1,paper,{day}\n"
    good.write_text(f"post_code,level,verified,channel,created_at\n{rows}", encoding="utf-8")
    result = runner.invoke(args=["import-ratings", "--cycle", str(YEAR), str(good)])
    assert result.exit_code == 0, result.output
    [first] = ratings_of(app, post)
    assert (first.level, first.channel, first.verified, first.entered_by) == (5, "hotline", False, "cli")
    [second] = ratings_of(app, other)
    assert (second.level, second.channel, second.verified, second.entered_by) == (2, "paper", True, "cli")
    bad = tmp_path / "bad.csv"
    bad.write_text(
        f"post_code,level,verified,channel,created_at\n{post.code},9,0,热线,{day}\n{post.code},5,0,网上,{day}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["import-ratings", "--cycle", str(YEAR), str(bad)])
    assert result.exit_code == 1 and "第 2 行" in result.output and "第 3 行" in result.output
    assert len(ratings_of(app)) == 2
