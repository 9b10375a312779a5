"""The verdict desk (评议结果): an administrator closes, computes, puts the result up for notice, answers objections,
publishes and corrects from the back office; the auditor reads the same pages and can do none of it; every step is in
the audit log. The demo database has an open cycle for the current year with every component present."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from rating.clock import local_today
from rating.extensions import db
from rating.models.assessments import Assessment
from rating.models.audit import AuditEntry
from rating.models.cycles import Cycle, CycleStatus
from rating.models.posts import Post
from rating.models.results import Objection, ResultKind, ResultSet
from rating.services import audit
from rating.services import objections as objection_service
from rating.services.verdict import lifecycle, publication
from tests.conftest import DEMO_USERS, csrf_token

YEAR = local_today().year
DESK = f"/admin/verdict/{YEAR}"


def cycle_now() -> Cycle:
    db.session.expire_all()
    return db.session.scalar(select(Cycle).where(Cycle.year == YEAR))


def sets(kind: ResultKind) -> list[int]:
    return list(
        db.session.scalars(
            select(ResultSet.version)
            .join(Cycle)
            .where(Cycle.year == YEAR, ResultSet.kind == kind)
            .order_by(ResultSet.version)
        )
    )


def audited(action: str) -> list[AuditEntry]:
    """Entries of ``action`` about the current year's cycle (the demo history has its own)."""
    return list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.entity_id == str(cycle_now().id))
            .order_by(AuditEntry.seq)
        )
    )


def act(client, action: str, **data):
    """Press a desk button: POST with the page's CSRF token, follow the redirect back to the desk."""
    token = csrf_token(client, DESK)
    return client.post(f"{DESK}/{action}", data={"csrf_token": token, **data}, follow_redirects=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text(response) -> str:
    return response.get_data(as_text=True)


def to_notice(app, objection: str | None = None):
    """Through the services: computed, in notice, optionally with one objection lodged."""
    with app.app_context():
        cycle = cycle_now()
        lifecycle.compute_final(audit.CLI, cycle)
        lifecycle.start_notice(audit.CLI, cycle)
        if objection:
            objection_service.lodge_objection(cycle, objection, contact="13811112222")
        db.session.commit()


def end_notice(app):
    with app.app_context():
        cycle = cycle_now()
        cycle.notice_starts_on = local_today() - timedelta(days=8)
        cycle.notice_ends_on = local_today() - timedelta(days=1)
        db.session.commit()


def to_published(app):
    to_notice(app)
    end_notice(app)
    with app.app_context():
        lifecycle.publish(audit.CLI, cycle_now())
        db.session.commit()


# --- reading ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_index_lists_every_cycle_with_its_state(client, login_as, role):
    login_as(role)
    page = text(client.get("/admin/verdict"))
    assert f"{YEAR} 年度" in page and "评议进行中" in page
    assert f'href="{DESK}"' in page


def test_index_shows_versions_and_unanswered_objections(app, client, login_as):
    to_notice(app, objection="对第一名的服务评价分数有异议,请核实。")
    login_as("auditor")
    page = text(client.get("/admin/verdict"))
    assert "公示中" in page and "第 1 版" in page
    assert "<strong>1</strong>" in page  # one objection waits for an answer


def test_open_cycle_desk_offers_close_and_compute_and_warns_compute_closes_intake(client, login_as):
    login_as("admin")
    page = text(client.get(DESK))
    assert "评议进行中" in page
    assert f'action="{DESK}/close"' in page and f'action="{DESK}/compute"' in page
    assert "计算前将先结束评议,停止接收群众评价" in page
    assert f'action="{DESK}/publish"' not in page and f'action="{DESK}/notice"' not in page


def test_auditor_reads_the_desk_without_any_button(app, client, login_as):
    to_notice(app, objection="对告诫名单有异议,请核实末位岗位的投诉扣分。")
    login_as("auditor")
    page = text(client.get(DESK))
    assert "只读" in page and "计算结果 第 1 版" in page
    assert "13811112222" in page  # the auditor may see the objector's private contact
    assert f'action="{DESK}/' not in page  # no action form at all
    assert "<textarea" not in page


def test_provisional_standings_show_missing_components_as_missing(app, client, login_as):
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.code == "DT-007"))
        db.session.delete(
            db.session.scalar(
                select(Assessment).where(Assessment.post_id == post.id, Assessment.cycle_id == cycle_now().id)
            )
        )
        db.session.commit()
        before = sets(ResultKind.PROVISIONAL)
    login_as("admin")
    page = text(act(client, "provisional"))
    assert "实时排名已刷新。" in page and "实时排名(仅后台可见,非正式结果)" in page
    assert "1 个岗位缺项,列在表尾,不排名次。" in page
    row = page.split('id="standings"')[1].split('href="/admin/posts/DT-007"')[1].split("</tr>")[0]
    assert "缺" in row and "缺项" in row
    with app.app_context():
        after = sets(ResultKind.PROVISIONAL)
        assert len(after) == 1 and after[0] > max(before, default=0)  # replaced, numbered on
        assert f"第 {after[0]} 次计算" in page
        assert cycle_now().status == CycleStatus.OPEN


# --- acting ----------------------------------------------------------------------------------------------------


def test_close_needs_confirmation_then_stops_intake_and_is_audited(app, client, login_as):
    login_as("admin")
    page = text(act(client, "close"))
    assert "请先勾选确认框。" in page
    with app.app_context():
        assert cycle_now().status == CycleStatus.OPEN
    page = text(act(client, "close", confirm="y"))
    assert f"{YEAR} 年度评议已结束,不再接收群众评价。" in page and "已截止" in page
    with app.app_context():
        assert cycle_now().status == CycleStatus.CLOSED
        entry = audited("cycle.close")[-1]
        assert entry.actor == DEMO_USERS["admin"]["username"] and entry.after == {"status": "closed"}


def test_compute_from_the_desk_closes_the_open_cycle_and_writes_a_draft(app, client, login_as):
    login_as("admin")
    page = text(act(client, "compute", confirm="y"))
    assert "已算出第 1 版计算结果(100 个岗位参评)。" in page
    assert "计算结果 第 1 版" in page and "标兵岗位" in page and "行政告诫" in page
    with app.app_context():
        cycle = cycle_now()
        assert cycle.status == CycleStatus.COMPUTED and sets(ResultKind.DRAFT) == [1]
        draft = publication.latest(cycle, ResultKind.DRAFT)
        assert draft.content_hash in page
        assert [e.actor for e in audited("result.compute")] == [DEMO_USERS["admin"]["username"]]
        assert audited("cycle.close")  # intake was stopped first, on the record
    page = text(client.get(DESK))
    assert "重新计算" in page and f'action="{DESK}/notice"' in page


def test_compute_is_refused_naming_every_post_with_a_missing_component_and_writes_nothing(app, client, login_as):
    with app.app_context():
        post = db.session.scalar(select(Post).where(Post.code == "DT-012"))
        db.session.delete(
            db.session.scalar(
                select(Assessment).where(Assessment.post_id == post.id, Assessment.cycle_id == cycle_now().id)
            )
        )
        db.session.commit()
    login_as("admin")
    desk = text(client.get(DESK))
    with app.app_context():
        entries_before = count(AuditEntry)
    assert "缺项岗位(1 个)" in desk and 'href="/admin/posts/DT-012"' in desk  # named before anyone presses
    assert "/hr/?cycle=" in desk  # with a link to where the assessment is entered
    page = text(act(client, "compute", confirm="y"))
    assert "1 个岗位缺少评议数据,不能计算" in page and "DT-012: 年度考核" in page
    with app.app_context():
        assert cycle_now().status == CycleStatus.OPEN  # not even closed
        assert sets(ResultKind.DRAFT) == []
        assert count(AuditEntry) == entries_before


def test_notice_starts_for_the_given_days_and_lists_warned_posts_with_reply_links(app, client, login_as):
    login_as("admin")
    act(client, "compute", confirm="y")
    page = text(act(client, "notice", days="3", confirm="y"))
    end = local_today() + timedelta(days=2)
    assert f"公示已开始,至 {end.isoformat()} 结束。" in page and "公示中" in page
    links = page.split('<code class="reply-link">')[1:]
    assert len(links) == 5
    first = links[0].split("</code>")[0]
    assert first.startswith(f"http://localhost/results/{YEAR}/reply/DT-")
    with app.app_context():
        cycle = cycle_now()
        assert (cycle.status, cycle.notice_ends_on) == (CycleStatus.NOTICE, end)
        assert audited("cycle.notice")[-1].after["to"] == end.isoformat()
    assert client.get(first.removeprefix("http://localhost")).status_code == 200  # the link opens the reply page


def test_notice_is_refused_while_the_result_is_stale(app, client, login_as):
    login_as("admin")
    act(client, "compute", confirm="y")
    with app.app_context():
        cycle_now().result_stale = True
        db.session.commit()
    page = text(act(client, "notice", days="7", confirm="y"))
    assert "当前结果已过时" in page and "计算后评议数据又有变动,请先重新计算。" in page
    with app.app_context():
        assert cycle_now().status == CycleStatus.COMPUTED


def test_publish_waits_for_the_notice_to_end_and_every_objection_answered(app, client, login_as):
    to_notice(app, objection="第九十八名的年度考核等次与实际不符,请核实。")
    login_as("admin")
    page = text(client.get(DESK))
    assert "暂不能正式公布" in page and "还有 1 件异议或申辩未答复。" in page

    page = text(act(client, "publish", confirm="y"))
    assert "公示期至" in page and "还有 1 件异议或申辩未答复。" in page
    end_notice(app)
    page = text(act(client, "publish", confirm="y"))
    assert "公示期至" not in page.split('id="blockers"')[0] and "还有 1 件异议或申辩未答复。" in page
    with app.app_context():
        assert cycle_now().status == CycleStatus.NOTICE and sets(ResultKind.PUBLISHED) == []
        objection = db.session.scalar(select(Objection).where(Objection.cycle_id == cycle_now().id))

    token = csrf_token(client, DESK)
    page = text(
        client.post(
            f"{DESK}/objections/{objection.id}",
            data={"csrf_token": token, "answer": "经核实,该岗位年度考核等次由人事科按规定评定,无误。"},
            follow_redirects=True,
        )
    )
    assert f"已答复 {objection.reference}。" in page and "经核实,该岗位年度考核等次" in page

    page = text(act(client, "publish", confirm="y"))
    assert "结果已正式公布(第 1 版)。" in page and "公布结果 第 1 版" in page
    with app.app_context():
        cycle = cycle_now()
        assert cycle.status == CycleStatus.PUBLISHED and sets(ResultKind.PUBLISHED) == [1]
        assert publication.latest(cycle, ResultKind.PUBLISHED).content_hash in page
        answered = db.session.scalar(
            select(AuditEntry).where(AuditEntry.action == "objection.answer", AuditEntry.entity_id == str(objection.id))
        )
        assert answered.actor == DEMO_USERS["admin"]["username"]
        assert audited("result.publish")[-1].after["version"] == 1
    assert f'action="{DESK}/correction"' in page and '<textarea id="answer-' not in page  # answers are final


def test_answer_is_required_and_must_belong_to_the_cycle(app, client, login_as):
    to_notice(app, objection="对第五十名的暗访扣分有异议,请复核当日记录。")
    login_as("admin")
    with app.app_context():
        objection_id = db.session.scalar(select(Objection.id).where(Objection.cycle_id == cycle_now().id))
    token = csrf_token(client, DESK)
    page = text(client.post(f"{DESK}/objections/{objection_id}", data={"csrf_token": token}, follow_redirects=True))
    assert "请填写答复内容。" in page
    assert (
        client.post(f"/admin/verdict/{YEAR - 1}/objections/{objection_id}", data={"csrf_token": token}).status_code
        == 404
    )
    with app.app_context():
        assert db.session.get(Objection, objection_id).answered_at is None


def test_correction_needs_a_reason_and_publishes_version_2_keeping_version_1(app, client, login_as):
    to_published(app)
    login_as("admin")
    page = text(act(client, "correction", confirm="y", reason=""))
    assert "请写明更正理由。" in page
    with app.app_context():
        first = publication.latest(cycle_now(), ResultKind.PUBLISHED).content_hash
        assert sets(ResultKind.PUBLISHED) == [1]
    reason = "DT-010 一条属实投诉漏录,补录后重新计算。"
    page = text(act(client, "correction", confirm="y", reason=reason))
    assert "更正版本已公布(第 2 版),此前各版本仍可查阅。" in page
    assert "第 1 版" in page and "第 2 版" in page and reason in page and first in page
    with app.app_context():
        assert sets(ResultKind.PUBLISHED) == [1, 2]
        assert audited("result.correct")[-1].after["reason"] == reason


# --- refusals --------------------------------------------------------------------------------------------------

ACTIONS = ["close", "compute", "provisional", "notice", "publish", "correction", "method"]


@pytest.mark.parametrize("action", ACTIONS)
def test_auditor_is_refused_every_action_and_nothing_changes(app, client, login_as, action):
    login_as("auditor")
    token = csrf_token(client, DESK)
    with app.app_context():
        before = cycle_now().status, cycle_now().method, sets(ResultKind.PROVISIONAL), count(AuditEntry)
    data = {"csrf_token": token, "confirm": "y", "days": "7", "reason": "一个足够长的理由", **METHOD}
    response = client.post(f"{DESK}/{action}", data=data)
    assert response.status_code == 403 and "无权访问" in text(response)
    with app.app_context():
        assert (cycle_now().status, cycle_now().method, sets(ResultKind.PROVISIONAL), count(AuditEntry)) == before


@pytest.mark.parametrize("role", ["hr_officer", "inspector", "complaint_handler", "unit_staff"])
def test_other_roles_cannot_even_read_the_desk(client, login_as, role):
    login_as(role)
    assert client.get("/admin/verdict").status_code == 403
    assert client.get(DESK).status_code == 403
    token = csrf_token(client, "/admin/")
    assert client.post(f"{DESK}/compute", data={"csrf_token": token, "confirm": "y"}).status_code == 403


def test_stranger_is_sent_to_login(client):
    response = client.post(f"{DESK}/compute", data={"confirm": "y"})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_unknown_year_is_404(client, login_as):
    login_as("admin")
    assert client.get("/admin/verdict/1999").status_code == 404


# --- method settings -------------------------------------------------------------------------------------------

METHOD = {
    "service": "0.5",
    "assessment": "0.2",
    "conduct": "0.2",
    "inspection": "0.1",
    "benchmark": "10",
    "benchmark_unit": "percent",
    "excellent": "40",
    "excellent_unit": "count",
    "warning": "5",
    "warning_unit": "count",
    "prior_weight": "20",
    "verified_weight": "1",
    "unverified_weight": "0.5",
    "notice_days": "10",
    "min_tenure_days": "183",
    "transfer_due_days": "30",
}


def test_method_settings_are_saved_audited_and_frozen_once_computed(app, client, login_as):
    login_as("admin")
    page = text(act(client, "method", **METHOD))
    assert "评议办法参数已保存。" in page and "服务对象评议 0.5" in page and "公示 10 天" in page
    with app.app_context():
        method = cycle_now().settings
        assert method.weights["service"] == 0.5 and method.benchmark_quota.unit == "percent"
        entry = audited("cycle.method")[-1]
        assert entry.before["method"]["weights"]["service"] == 0.4 and entry.after["method"]["notice_days"] == 10
    page = text(act(client, "compute", confirm="y"))
    assert "结果已计算,参数已随结果冻结,不能再修改。" in page and f'action="{DESK}/method"' not in page
    assert 'value="10"' in page.split(f'action="{DESK}/notice"')[1].split("</form>")[0]  # notice days default
    page = text(act(client, "method", **{**METHOD, "notice_days": "5"}))
    assert "评议办法参数已冻结" in page
    with app.app_context():
        assert cycle_now().settings.notice_days == 10


def test_method_weights_must_sum_to_one(app, client, login_as):
    login_as("admin")
    page = text(act(client, "method", **{**METHOD, "service": "0.6"}))
    assert "四项权重之和须为 1(现为 1.1)。" in page
    with app.app_context():
        assert cycle_now().settings.weights["service"] == 0.4 and not audited("cycle.method")
