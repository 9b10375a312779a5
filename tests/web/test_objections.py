"""Public notice (公示) for citizens and warned holders: anyone may object while the notice runs and gets a reference
number; answered objections are shown publicly without the objector's contact; a warned holder replies through their
private link, and any other link is a 404. Both pages are rate limited and never cached."""

from datetime import timedelta

from sqlalchemy import func, select

from rating.clock import local_today
from rating.extensions import db
from rating.models.cycles import Cycle
from rating.models.results import Objection, ObjectionKind, Result, ResultKind
from rating.services import audit
from rating.services import objections as objection_service
from rating.services.verdict import lifecycle, publication
from tests.conftest import csrf_token

YEAR = local_today().year
PAGE = f"/results/{YEAR}/objections"
CONTACT = "13911112222"
TEXT = "第三名岗位的服务评价明显偏高,与窗口实际排队情况不符,请核查。"


def reply_url(cycle, code: str, holder_id) -> str:
    return f"/results/{YEAR}/reply/{code}/{objection_service.reply_token(cycle, code, holder_id)}"


def cycle_now() -> Cycle:
    db.session.expire_all()
    return db.session.scalar(select(Cycle).where(Cycle.year == YEAR))


def objections_of_year() -> list[Objection]:
    return list(
        db.session.scalars(select(Objection).where(Objection.cycle_id == cycle_now().id).order_by(Objection.id))
    )


def to_notice(app):
    with app.app_context():
        cycle = cycle_now()
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        db.session.commit()


def end_notice(app):
    with app.app_context():
        cycle = cycle_now()
        cycle.notice_starts_on = local_today() - timedelta(days=8)
        cycle.notice_ends_on = local_today() - timedelta(days=1)
        db.session.commit()


def lodge(client, **data):
    token = csrf_token(client, PAGE)
    return client.post(PAGE, data={"csrf_token": token, "text": TEXT, **data})


def text(response) -> str:
    return response.get_data(as_text=True)


def warned_rows(app) -> list[tuple[str, str, str]]:
    """(post code, holder name, reply link path) of every warned post of the notice draft."""
    with app.app_context():
        cycle = cycle_now()
        draft = publication.latest(cycle, ResultKind.DRAFT)
        rows = db.session.scalars(select(Result).where(Result.result_set_id == draft.id, Result.title == "warning"))
        return [
            (
                row.post_code,
                row.holder_name,
                reply_url(cycle, row.post_code, row.holder_id),
            )
            for row in rows
        ]


# --- objections ------------------------------------------------------------------------------------------------


def test_before_notice_the_page_says_so_and_takes_no_objection(app, client):
    page = client.get(PAGE)
    assert page.status_code == 200 and f"{YEAR} 年度评议结果尚未进入公示,暂不受理异议。" in text(page)
    assert "<textarea" not in text(page)
    token = csrf_token(client, "/posts/DT-001/rate")  # no form here: take the session's token from another page
    response = client.post(PAGE, data={"csrf_token": token, "text": TEXT})
    assert response.status_code == 409 and "不在公示期内,不能提出异议" in text(response)
    with app.app_context():
        assert objections_of_year() == []


def test_unknown_year_is_404(client):
    assert client.get("/results/1999/objections").status_code == 404


def test_objection_during_notice_gets_a_reference_number_shown_once(app, client):
    to_notice(app)
    form = text(client.get(PAGE))
    assert "公示期:" in form and 'value="DT-003"' in form  # posts of the draft to choose from
    response = lodge(client, post="DT-003", contact=CONTACT)
    assert response.status_code == 302
    page = text(client.get(response.headers["Location"]))
    reference = f"YY{YEAR}-0001"
    assert "异议已登记" in page and f'id="objection-reference">{reference}<' in page
    assert CONTACT not in page and TEXT not in page  # not public until answered
    assert "1 件待答复" in page
    assert reference not in text(client.get(PAGE))  # shown once
    with app.app_context():
        (objection,) = objections_of_year()
        assert (objection.reference, objection.post.code, objection.contact) == (reference, "DT-003", CONTACT)
        assert objection.kind == ObjectionKind.OBJECTION and objection.answered_at is None


def test_objection_without_a_post_is_taken_too(app, client):
    to_notice(app)
    assert lodge(client, post="").status_code == 302
    with app.app_context():
        assert objections_of_year()[0].post_id is None


def test_too_short_an_objection_or_an_unknown_post_is_refused_with_the_form_kept(app, client):
    to_notice(app)
    response = lodge(client, text="有异议")
    assert response.status_code == 422 and "请用 10–2000 字写明异议的事实和理由。" in text(response)
    assert lodge(client, post="DT-999").status_code == 422
    with app.app_context():
        assert objections_of_year() == []


def test_after_the_notice_ends_objections_are_refused(app, client):
    to_notice(app)
    token = csrf_token(client, PAGE)
    end_notice(app)
    page = text(client.get(PAGE))
    assert "公示期已于" in page and "不再受理异议" in page and "<textarea" not in page
    assert client.post(PAGE, data={"csrf_token": token, "text": TEXT}).status_code == 409


def test_answered_objections_are_public_without_the_contact_and_unanswered_only_counted(app, client):
    to_notice(app)
    lodge(client, post="DT-003", contact=CONTACT)
    unanswered = "第九十九名的综合检查评议得分有误,请复核第三轮检查记录。"
    lodge(client, text=unanswered, contact="someone@example.org")
    with app.app_context():
        first = objections_of_year()[0]
        objection_service.answer(audit.CLI, first, "经复核,该岗位评价均来自有效评价码,结果无误。")
        db.session.commit()
    page = text(client.get(PAGE))
    assert TEXT in page and "经复核,该岗位评价均来自有效评价码,结果无误。" in page and "DT-003" in page
    assert "1 件待答复" in page and unanswered not in page
    assert CONTACT not in page and "someone@example.org" not in page
    ranking = client.get(f"/results/{YEAR}")
    assert CONTACT not in text(ranking) and "someone@example.org" not in text(ranking)


def test_objection_pages_are_never_cached(app, client):
    assert client.get(PAGE).headers["Cache-Control"] == "no-store"
    to_notice(app)
    assert client.get(PAGE).headers["Cache-Control"] == "no-store"


def test_objections_are_rate_limited_with_a_clear_429(app, client):
    app.config["OBJECTION_RATE_LIMIT"] = "2 per hour"
    to_notice(app)
    assert [lodge(client).status_code for _ in range(2)] == [302, 302]
    response = lodge(client)
    assert response.status_code == 429 and "您的操作过于频繁,请稍后再试。" in text(response)
    with app.app_context():
        assert len(objections_of_year()) == 2


# --- warned holders' replies -----------------------------------------------------------------------------------


def test_warned_holder_sees_own_line_and_replies_through_the_private_link(app, client):
    to_notice(app)
    (code, holder, link), *others = warned_rows(app)
    page = client.get(link)
    body = text(page)
    assert page.status_code == 200 and code in body and holder in body and "行政告诫" in body
    assert page.headers["Cache-Control"] == "no-store" and page.headers["Referrer-Policy"] == "no-referrer"
    for other_code, other_holder, _link in others:  # nothing about anyone else
        assert other_code not in body and other_holder not in body
    token = csrf_token(client, link)
    statement = "本人所在窗口年内人员减少两名,工作量翻倍,恳请考虑实际情况。"
    response = client.post(link, data={"csrf_token": token, "text": statement})
    assert response.status_code == 302 and response.headers["Location"] == link
    page = text(client.get(link))
    assert f"申辩已提交,编号 YY{YEAR}-0001。" in page and statement in page and "尚未答复" in page
    with app.app_context():
        (reply,) = objections_of_year()
        assert reply.kind == ObjectionKind.REPLY and reply.post.code == code and reply.holder_id is not None
        assert publication.unanswered(cycle_now()) == 1  # publication waits for its answer too
    assert statement not in text(client.get(PAGE))  # a reply is not an objection listed to the public


def test_reply_must_say_something(app, client):
    to_notice(app)
    link = warned_rows(app)[0][2]
    response = client.post(link, data={"csrf_token": csrf_token(client, link), "text": "不服"})
    assert response.status_code == 422 and "请用 10–4000 字写明申辩的事实和理由。" in text(response)


def test_any_other_link_is_404(app, client):
    assert client.get(f"/results/{YEAR}/reply/DT-001/{'0' * 32}").status_code == 404  # before notice
    to_notice(app)
    (code, _holder, link), (other_code, _other, _other_link), *_ = warned_rows(app)
    token = link.rsplit("/", 1)[1]
    assert client.get(f"/results/{YEAR}/reply/{code}/{'0' * 32}").status_code == 404
    assert client.get(f"/results/{YEAR}/reply/{other_code}/{token}").status_code == 404  # someone else's post
    with app.app_context():
        cycle = cycle_now()
        top = db.session.scalar(
            select(Result).where(
                Result.result_set_id == publication.latest(cycle, ResultKind.DRAFT).id, Result.rank == 1
            )
        )
        not_warned = reply_url(cycle, top.post_code, top.holder_id)
    response = client.get(not_warned)
    assert response.status_code == 404 and "链接无效或已过期。" in text(response)
    forged = client.post(
        f"/results/{YEAR}/reply/{code}/{'0' * 32}", data={"csrf_token": csrf_token(client, link), "text": "x" * 20}
    )
    assert forged.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Objection).where(Objection.cycle_id == cycle.id)) == 0


def test_reply_after_the_notice_ends_is_refused(app, client):
    to_notice(app)
    link = warned_rows(app)[0][2]
    token = csrf_token(client, link)
    end_notice(app)
    page = text(client.get(link))
    assert "公示期已结束,不能再提交申辩。" in page and "<textarea" not in page
    response = client.post(link, data={"csrf_token": token, "text": "申辩理由足够长,请予考虑。"})
    assert response.status_code == 409
