"""The rating form's common case read without building the form (rating.rate.forms.plainly_valid): whatever it
accepts, WTForms accepts with the same data; everything else is left to WTForms and its messages."""

import pytest
from flask import g

from rating.rate.forms import RatingForm, plainly_valid

pytestmark = pytest.mark.bare

BLANKS = {"comment": "", "code": "", "contact": "", "sms_code": ""}  # what a browser sends for untouched text boxes
CASES = [
    {"level": "5"},
    {"level": "1", **BLANKS},
    {"level": "3", "attitude": "4", "efficiency": "1", "integrity": "5", "competence": "2", **BLANKS},
    {"level": "2", "comment": "推诿扯皮" * 125, "contact": "13900001111"},  # 500 characters: the most allowed
    {"level": "2", "comment": "推诿扯皮" * 125 + "!"},  # 501: too long
    {"level": "4", "comment": "   "},
    {"level": "4", "code": "ABCD-EFGH-JK", "sms_code": " 123456 "},
    {"level": "6"},
    {"level": " 5"},
    {"level": ""},
    {"level": "abc"},
    {},
    {"comment": "没有总体评价"},
    {"level": "4", "attitude": ""},
    {"level": "4", "attitude": "0"},
    {"level": "4", "code": "X" * 21},
    {"level": "4", "contact": "x" * 101},
    {"level": "4", "sms_code": "12345678901"},
    {"level": ["5", "1"]},
]


@pytest.mark.parametrize("data", CASES)
def test_what_is_read_plainly_is_what_wtforms_accepts(app, data):
    with app.test_request_context("/posts/X/rate", method="POST", data=data):
        g.csrf_valid = True  # as Flask-WTF's CSRFProtect leaves a request whose token it found valid
        plain = plainly_valid(RatingForm)
        form = RatingForm()
        valid = form.validate()
        if plain is not None:
            assert valid, form.errors
            assert plain == {name: value for name, value in form.data.items() if name != "csrf_token"}


def test_the_common_cases_are_read_plainly_and_the_rest_is_not(app):
    with app.test_request_context("/posts/X/rate", method="POST", data={"level": "5", **BLANKS}):
        g.csrf_valid = True
        assert plainly_valid(RatingForm) == {
            "level": 5,
            "attitude": None,
            "efficiency": None,
            "integrity": None,
            "competence": None,
            **BLANKS,
        }
    with app.test_request_context("/posts/X/rate", method="POST", data={"level": "6"}):
        g.csrf_valid = True
        assert plainly_valid(RatingForm) is None
    with app.test_request_context("/posts/X/rate", method="POST", data={"level": "5"}):
        assert plainly_valid(RatingForm) is None  # no CSRF token found valid: the form checks it


def test_a_rating_with_a_blank_comment_and_an_invalid_one_are_answered_as_before(app, client, make_cycle, make_post):
    from tests.conftest import csrf_token

    make_cycle()
    post = make_post()
    token = csrf_token(client, f"/posts/{post.code}/rate")
    bad = client.post(f"/posts/{post.code}/rate", data={"csrf_token": token, "level": "4", "comment": "x" * 501})
    assert bad.status_code == 422
    good = client.post(f"/posts/{post.code}/rate", data={"csrf_token": token, "level": "4", **BLANKS})
    assert good.status_code == 302 and good.headers["Location"].startswith("/receipt/R")
