"""A citizen's receipt number is drawn at random: one already taken in the cycle is drawn again, never a server error
and never a second rating under one number (both engines)."""

import pytest
from sqlalchemy import select

from rating.extensions import db
from rating.models import Rating
from rating.services import ratings as rating_service
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare


def _draws(*receipts):
    """A stand-in for new_receipt giving ``receipts`` in turn."""
    pending = list(receipts)
    return lambda on=None: pending.pop(0)


def test_a_receipt_already_taken_is_drawn_again(app, client, make_cycle, make_post, make_rating, monkeypatch):
    make_cycle()
    post = make_post(holder="虚构甲")
    code, taken = post.code, make_rating(post).receipt
    token = csrf_token(client, f"/posts/{code}/rate")
    monkeypatch.setattr(rating_service, "new_receipt", _draws(taken, taken, "R991231FRESH22"))

    response = client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": "4"})

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/receipt/R991231FRESH22")
    with app.app_context():
        levels = dict(db.session.execute(select(Rating.receipt, Rating.level)).all())
    assert levels == {taken: 5, "R991231FRESH22": 4}  # the earlier rating untouched, the new one under its own
    assert "回执" in client.get("/receipt/R991231FRESH22").get_data(as_text=True)


def test_the_device_rule_still_refuses_a_second_rating_the_same_day(app, client, make_cycle, make_post):
    make_cycle()
    code = make_post(holder="虚构乙").code
    token = csrf_token(client, f"/posts/{code}/rate")
    client.set_cookie("rid", "device-receipts")
    assert client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": "5"}).status_code == 302

    again = client.post(f"/posts/{code}/rate", data={"csrf_token": token, "level": "5"})

    assert again.status_code == 409
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(Rating)) == 1
