"""Unit staff print one-time rating codes (评价码, 一次一评) for their own unit's posts, and a citizen scans one."""

import html
import re
from datetime import timedelta

import pytest
import segno
from sqlalchemy.orm import joinedload

from rating.extensions import db
from rating.models import Post
from rating.models.base import utcnow
from rating.models.ratings import Channel, Rating, RatingCode
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
QR_IMAGE = re.compile(r'<img class="code-card-qr" src="([^"]+)"')
CARD_CODE = re.compile(r'<p class="code-card-code[^"]*">([0-9A-Z]{10})</p>')


@pytest.fixture
def own(make_post):
    """A post of the signed-in unit staff's unit."""
    return make_post(holder="虚构乙")


@pytest.fixture
def foreign(make_post):
    """A post of another unit."""
    return make_post()


@pytest.fixture
def staff(login_as, own):
    return login_as("unit_staff", unit=own.unit)


def issue(client, post, count="5", valid_days="30"):
    token = csrf_token(client, "/codes/")
    data = {"csrf_token": token, "post": post.code, "count": count, "valid_days": valid_days}
    return client.post("/codes/", data=data)


def batch_of(response) -> str:
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def codes_of(app, batch):
    with app.app_context():
        stmt = db.select(RatingCode).options(joinedload(RatingCode.post)).where(RatingCode.batch == batch)
        return db.session.scalars(stmt.order_by(RatingCode.id)).all()


def count_for(app, post):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(RatingCode.id)).join(Post).where(Post.id == post.id))


def test_unit_staff_issues_a_sheet_of_cards(app, client, own, staff):
    response = issue(client, own)
    assert response.status_code == 302 and "/codes/batch/" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    printed = CARD_CODE.findall(page)
    assert len(printed) == 5 and len(set(printed)) == 5
    images = [html.unescape(src) for src in QR_IMAGE.findall(page)]
    assert len(images) == 5 and all(src.startswith("data:image/svg+xml") for src in images)
    for code, src in zip(printed, images, strict=True):
        url = f"http://localhost/r/{code}"
        assert url in page  # the absolute URL printed under the QR code
        assert src == segno.make(url, error="m").svg_data_uri(scale=3)  # and the QR code encodes it
    assert "扫码评价本次服务,一次一评" in page and own.code in page and "虚构乙" in page
    assert "css/print.css" in page and 'media="print"' in page and "Ctrl+P" in page
    assert " style=" not in page and "<script" not in page

    stored = codes_of(app, batch_of(response))
    assert sorted(c.code for c in stored) == sorted(printed)
    assert {c.post.code for c in stored} == {own.code} and all(c.used_at is None for c in stored)
    for c in stored:
        assert abs(c.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=5)
    assert (c.expires_at + timedelta(hours=8)).strftime("%Y-%m-%d") in page  # shown in Asia/Shanghai


def test_index_lists_own_unit_posts_and_batches(client, own, foreign, staff):
    batch = batch_of(issue(client, own, count="3"))
    page = client.get("/codes/").get_data(as_text=True)
    assert f'value="{own.code}"' in page and f'value="{foreign.code}"' not in page
    assert 'value="50"' in page and 'value="30"' in page  # the defaults
    row = page.split(f"<code>{batch}</code>")[1].split("</tr>")[0]
    assert own.code in row and "<td>3</td>" in row and "<td>0</td>" in row


def test_admin_may_print_for_any_post_and_unit_staff_cannot_see_it(client, login_as, own, foreign):
    login_as("admin")
    page = client.get("/codes/").get_data(as_text=True)
    assert f'value="{own.code}"' in page and f'value="{foreign.code}"' in page
    response = issue(client, foreign, count="2")
    batch, sheet = batch_of(response), response.headers["Location"]
    assert client.get(sheet).status_code == 200

    client.post("/logout", data={"csrf_token": csrf_token(client, "/codes/")})
    login_as("unit_staff", unit=own.unit)
    assert client.get(sheet).status_code == 403
    assert batch not in client.get("/codes/").get_data(as_text=True)


def test_unit_staff_cannot_issue_for_another_units_post(app, client, foreign, staff):
    response = issue(client, foreign)
    assert response.status_code == 403 and "无权访问" in response.get_data(as_text=True)
    assert count_for(app, foreign) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("count", "0", "每次可生成 1–200 个评价码"),
        ("count", "201", "每次可生成 1–200 个评价码"),
        ("valid_days", "0", "有效期须为 1–365 天"),
        ("valid_days", "366", "有效期须为 1–365 天"),
    ],
)
def test_out_of_range_values_are_refused_in_chinese(app, client, own, staff, field, value, message):
    response = issue(client, own, **{field: value})
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert count_for(app, own) == 0


def test_unknown_batch_is_not_found(client, staff):
    assert client.get("/codes/batch/0123456789abcdef").status_code == 404


@pytest.mark.parametrize("role", ["hr_officer", "inspector", "auditor", "complaint_handler"])
def test_other_roles_may_not_print_codes(app, client, login_as, own, role):
    login_as(role, unit=own.unit if role == "hr_officer" else None)
    assert client.get("/codes/").status_code == 403
    token = csrf_token(client, "/admin/")
    response = client.post("/codes/", data={"csrf_token": token, "post": own.code, "count": "5", "valid_days": "30"})
    assert response.status_code == 403
    assert count_for(app, own) == 0


def test_a_scanned_code_gives_one_verified_rating(app, client, make_cycle, own, staff):
    make_cycle()
    batch = batch_of(issue(client, own, count="1"))
    code = codes_of(app, batch)[0].code
    client.post("/logout", data={"csrf_token": csrf_token(client, "/codes/")})

    scanned = client.get(f"/r/{code}")
    assert scanned.status_code == 302
    form_url = scanned.headers["Location"]
    assert form_url.startswith(f"/posts/{own.code}/rate")
    assert f'value="{code}"' in client.get(form_url).get_data(as_text=True)

    token = csrf_token(client, form_url)
    done = client.post(f"/posts/{own.code}/rate", data={"csrf_token": token, "level": "5", "code": code})
    assert done.status_code == 302 and "/receipt/" in done.headers["Location"]
    with app.app_context():
        rating = db.session.scalar(db.select(Rating).join(RatingCode).where(RatingCode.code == code))
        assert rating.verified and rating.channel == Channel.WINDOW and rating.level == 5
        assert rating.post.code == own.code
    assert codes_of(app, batch)[0].used_at is not None

    again = client.post(f"/posts/{own.code}/rate", data={"csrf_token": token, "level": "4", "code": code})
    assert again.status_code == 409 and "已经使用过" in again.get_data(as_text=True)
