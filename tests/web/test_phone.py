"""Phone verification through the pluggable SMS gateway: a confirmed phone makes a rating verified and outside the
network allowance, one rating per phone, post and cycle, the number kept only as a keyed hash."""

import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select

from rating import sms
from rating.extensions import db
from rating.models import PhoneChallenge, Post, Rating
from tests.conftest import csrf_token

PHONE = "138 0013 8000"


def outbox(app) -> list[tuple[str, str]]:
    return app.extensions["sms"].outbox


def ask_code(client, phone=PHONE, post="DT-005"):
    token = csrf_token(client, f"/posts/{post}/rate")
    return client.post(f"/posts/{post}/rate/phone", data={"csrf_token": token, "phone": phone})


def sent_code(app) -> str:
    return re.search(r"验证码 (\d{6})", outbox(app)[-1][1]).group(1)


def rate(client, sms_code, post="DT-005", level="4", device="phone-device"):
    client.set_cookie("rid", device)
    token = csrf_token(client, f"/posts/{post}/rate")
    return client.post(f"/posts/{post}/rate", data={"csrf_token": token, "level": level, "sms_code": sms_code})


def last_rating(app, post="DT-005") -> Rating:
    with app.app_context():
        rating = db.session.scalar(select(Rating).join(Post).where(Post.code == post).order_by(Rating.id.desc()))
        db.session.expunge(rating)
        return rating


def test_a_phone_confirmed_by_sms_makes_the_rating_verified_and_keeps_no_number(app, client):
    with app.app_context():
        sms.gateway()  # the log sink of development and tests
    response = ask_code(client)
    assert response.status_code == 302 and "验证码已发送" in client.get(response.headers["Location"]).get_data(True)
    assert outbox(app)[-1][0] == "13800138000"
    done = rate(client, sent_code(app))
    assert done.status_code == 302
    rating = last_rating(app)
    assert (rating.verified, rating.source_id, rating.status) == (True, None, "counted")
    assert rating.phone_hash and "13800138000" not in rating.phone_hash
    with app.app_context():
        stored = [c.phone_hash for c in db.session.scalars(select(PhoneChallenge))]
    assert stored and all("13800138000" not in h for h in stored)
    again = ask_code(client, phone="+86 13800138000")
    assert again.status_code == 409 and "一机一岗一评" in again.get_data(as_text=True)


def test_a_wrong_code_is_refused_and_attempts_run_out(app, client):
    ask_code(client, phone="13900139000")
    for _ in range(5):
        refused = rate(client, "000000" if sent_code(app) != "000000" else "111111")
        assert refused.status_code == 409
    page = rate(client, sent_code(app)).get_data(as_text=True)
    assert "已失效" in page
    assert last_rating(app).phone_hash is None


def test_phone_verified_ratings_are_outside_the_network_allowance(app, client):
    for n in range(4):  # four people on one Wi-Fi, each confirming a phone
        other = app.test_client()
        ask_code(other, phone=f"1370000000{n}")
        assert rate(other, sent_code(app), device=f"d{n}").status_code == 302
        assert last_rating(app).status == "counted"


def test_bad_numbers_are_refused(client):
    assert "请填写正确的手机号码" in ask_code(client, phone="12345").get_data(as_text=True)


class _Provider(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802  (the http.server interface)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        _Provider.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(200 if b"13800000000" in body else 500)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def provider():
    server = HTTPServer(("127.0.0.1", 0), _Provider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/send"
    server.shutdown()
    server.server_close()


def test_the_http_gateway_posts_json_with_its_token_and_reports_failure(provider):
    gateway = sms.HttpGateway(provider, token="t0ken", sign="效能办", timeout=2)
    gateway.send("13800000000", "验证码 123456")
    assert _Provider.received[-1] == (
        "Bearer t0ken",
        {"phone": "13800000000", "text": "验证码 123456", "sign": "效能办"},
    )
    with pytest.raises(sms.SmsFailed):
        gateway.send("13900000000", "x")


def test_sms_settings_are_validated():
    assert sms.settings({})["SMS_GATEWAY"] == "log"
    with pytest.raises(ValueError):
        sms.settings({"SMS_GATEWAY": "http"})
    with pytest.raises(ValueError):
        sms.settings({"SMS_GATEWAY": "carrier-pigeon"})


def test_one_phone_confirmed_twice_at_once_is_stored_once(app, client, monkeypatch):
    """Two browsers confirm the same phone for one post, both checked before either rating is stored (as when they
    run at once): the database keeps the first, the second is told the phone has rated the post (not a 500)."""
    from rating.services import phones

    with app.app_context():
        sms.gateway()
    other = app.test_client()
    ask_code(client, phone="13700137000")
    first_code = sent_code(app)
    with app.app_context():  # a minute later (a phone gets one code a minute)
        for challenge in db.session.scalars(select(PhoneChallenge)):
            challenge.created_at -= timedelta(minutes=2)
        db.session.commit()
    asked = ask_code(other, phone="13700137000")
    assert asked.status_code == 302, asked.get_data(as_text=True)
    second_code = sent_code(app)
    assert rate(client, first_code, device="first").status_code == 302
    monkeypatch.setattr(phones, "_already_rated", lambda *args: False)
    raced = rate(other, second_code, device="second")
    assert raced.status_code == 409 and "一机一岗一评" in raced.get_data(as_text=True)
    with app.app_context():
        hashes = db.session.scalars(select(Rating.phone_hash).where(Rating.phone_hash.is_not(None))).all()
    assert len(hashes) == 1
