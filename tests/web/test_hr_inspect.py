"""HR officers' assessment grid and uploads, inspectors' findings and scores, the public notices and the
administrators' progress page — as the people who use them would."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from rating.clock import local_today
from rating.extensions import db
from rating.imports.officials import AssessmentRow, ScoreRow
from rating.models import Assessment, AuditEntry, InspectionFinding, InspectionScore, Post, Tenure
from rating.models.cycles import Cycle, CycleStatus
from rating.services import audit
from rating.services.officials import record_assessments, record_scores
from rating.services.posts import change_holder
from tests.conftest import csrf_token

pytestmark = pytest.mark.bare
YEAR = local_today().year


@pytest.fixture
def cycle(make_cycle):
    return make_cycle()


@pytest.fixture
def unit(make_unit):
    """The HR officer's unit."""
    return make_unit(name="市虚构公安局")


@pytest.fixture
def own(cycle, unit, make_post):
    """Two posts of the HR officer's unit."""
    return [make_post(unit=unit), make_post(unit=unit)]


@pytest.fixture
def foreign(cycle, make_post):
    """A post of another unit."""
    return make_post()


@pytest.fixture
def hr(login_as, unit, own, foreign):
    return login_as("hr_officer", unit=unit)


def grade_of(app, post):
    with app.app_context():
        a = db.session.scalar(
            db.select(Assessment).join(Cycle).where(Assessment.post_id == post.id, Cycle.year == YEAR)
        )
        return None if a is None else (a.grade or a.score)


def set_status(app, status):
    with app.app_context():
        cycle = db.session.scalar(db.select(Cycle).where(Cycle.year == YEAR))
        cycle.status = status
        db.session.commit()


def test_hr_grid_lists_own_unit_and_saves_grades(app, client, hr, unit, own, foreign):
    page = client.get("/hr/").get_data(as_text=True)
    assert unit.name in page and own[0].code in page and foreign.code not in page
    token = csrf_token(client, "/hr/")
    response = client.post("/hr/", data={"csrf_token": token, f"v-{own[0].code}": "优秀", f"v-{own[1].code}": "83"})
    assert response.status_code == 302
    assert grade_of(app, own[0]) == "excellent" and grade_of(app, own[1]) == 83
    assert "已保存" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_hr_grid_refuses_bad_values_and_saves_nothing(app, client, hr, own, make_assessment):
    make_assessment(own[0], "competent")
    token = csrf_token(client, "/hr/")
    response = client.post("/hr/", data={"csrf_token": token, f"v-{own[0].code}": "不称职", f"v-{own[1].code}": "很好"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "考核结果“很好”无效" in page and "未保存任何修改" in page
    assert grade_of(app, own[0]) == "competent"


def test_hr_cannot_write_another_units_post_through_the_grid(app, client, hr, foreign):
    token = csrf_token(client, "/hr/")
    response = client.post("/hr/", data={"csrf_token": token, f"v-{foreign.code}": "不称职"})
    assert response.status_code == 422 and "不属于本单位" in response.get_data(as_text=True)
    assert grade_of(app, foreign) is None


def test_hr_cannot_pick_another_unit(client, hr, unit, foreign):
    page = client.get(f"/hr/?unit={foreign.unit.code}").get_data(as_text=True)
    assert unit.name in page and foreign.unit.name not in page


def test_hr_template_is_prefilled_with_own_posts(client, hr, unit, own):
    response = client.get("/hr/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("岗位编号", "考核结果", "岗位名称", "责任人", "单位")
    assert sorted(row[0] for row in rows[1:]) == sorted(post.code for post in own)
    assert all(row[4] == unit.name for row in rows[1:])


def _upload(client, url, data: bytes, name="a.csv"):
    token = csrf_token(client, "/hr/")
    return client.post(
        url, data={"csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    ), token


def test_hr_upload_previews_then_confirms(app, client, hr, own):
    response, token = _upload(client, "/hr/import", f"post_code,grade_or_score\n{own[0].code},基本称职\n".encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "年度考核导入预览" in page and "基本称职" in page
    assert grade_of(app, own[0]) is None  # nothing written yet
    confirm = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    done = client.post("/hr/import/confirm", data={"csrf_token": token, "token": confirm})
    assert done.status_code == 302
    assert grade_of(app, own[0]) == "basically_competent"


def test_hr_upload_with_other_units_post_shows_reason_and_writes_nothing(app, client, hr, foreign):
    response, _ = _upload(client, "/hr/import", f"post_code,grade_or_score\n{foreign.code},不称职\n".encode())
    assert response.status_code == 422 and "不属于本单位" in response.get_data(as_text=True)
    assert grade_of(app, foreign) is None


def test_after_notice_hr_is_refused_and_admin_needs_a_reason(app, client, login_as, hr, unit, own):
    set_status(app, CycleStatus.NOTICE)
    field = f"v-{own[0].code}"
    token = csrf_token(client, "/hr/")
    refused = client.post("/hr/", data={"csrf_token": token, field: "不称职"})
    assert refused.status_code == 403 and "只有效能办管理员可以修改" in refused.get_data(as_text=True)
    assert grade_of(app, own[0]) is None

    client.post("/logout", data={"csrf_token": token})
    login_as("admin")
    url = f"/hr/?unit={unit.code}"
    token = csrf_token(client, url)
    no_reason = client.post(url, data={"csrf_token": token, field: "不称职"})
    assert no_reason.status_code == 400 and "须填写修改理由" in no_reason.get_data(as_text=True)
    assert grade_of(app, own[0]) is None
    done = client.post(url, data={"csrf_token": token, field: "不称职", "reason": "复核更正"})
    assert done.status_code == 302
    assert grade_of(app, own[0]) == "incompetent"
    with app.app_context():
        assert db.session.scalar(db.select(Cycle.result_stale).where(Cycle.year == YEAR)) is True
        entry = db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.id.desc()))
        assert entry.action == "assessment.set" and entry.after["reason"] == "复核更正"


def test_revisions_show_on_the_posts_back_office_page(client, login_as, make_user, unit, own):
    officer = make_user("hr_officer", unit=unit, username="hr-xuni")
    login_as(officer)
    token = csrf_token(client, "/hr/")
    client.post("/hr/", data={"csrf_token": token, f"v-{own[0].code}": "称职"})
    client.post("/hr/", data={"csrf_token": token, f"v-{own[0].code}": "72"})
    page = client.get(f"/admin/posts/{own[0].code}").get_data(as_text=True)
    assert page.count("assessment.set") == 2 and "hr-xuni" in page


@pytest.fixture
def inspector(login_as, make_user, cycle):
    return login_as(make_user("inspector", username="inspector"))


def test_inspector_records_a_finding_and_notifies_it_publicly(app, client, inspector, make_post):
    post = make_post()
    url = f"/inspect/findings/new?cycle={YEAR}"
    token = csrf_token(client, url)
    day = (local_today() - timedelta(days=1)).isoformat()
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "target": post.code,
            "found_on": day,
            "kind": "undercover",
            "description": "窗口人员玩手机,群众排队无人受理",
            "deduction_code": "rude",
            "notify": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    public = client.get("/notices").get_data(as_text=True)
    assert "窗口人员玩手机" in public and "扣 5 分" in public
    assert "inspector" not in public  # no inspector identity on the public page
    with app.app_context():
        finding = db.session.scalar(
            db.select(InspectionFinding)
            .where(InspectionFinding.recorded_by == "inspector")
            .where(InspectionFinding.description.contains("玩手机"))
        )
        fid = finding.id
    client.post(f"/inspect/findings/{fid}/notify", data={"csrf_token": token, "notified": "0"})
    assert "窗口人员玩手机" not in client.get("/notices").get_data(as_text=True)


def test_finding_with_free_amount_and_bad_date(app, client, inspector, make_post, make_unit):
    window = make_unit("window")
    make_post(unit=window)
    url = f"/inspect/findings/new?cycle={YEAR}"
    token = csrf_token(client, url)
    data = {
        "csrf_token": token,
        "target": window.code,
        "kind": "open",
        "description": "大厅叫号系统故障两小时未处理",
        "deduction_code": "__free__",
        "deduction": "2.5",
    }
    bad = client.post(url, data={**data, "found_on": f"{YEAR - 3}-05-01"})
    assert bad.status_code == 422 and "不在本评议周期内" in bad.get_data(as_text=True)
    good = client.post(url, data={**data, "found_on": local_today().isoformat()})
    assert good.status_code == 302
    with app.app_context():
        finding = db.session.scalar(
            db.select(InspectionFinding)
            .where(InspectionFinding.recorded_by == "inspector")
            .where(InspectionFinding.description.contains("叫号"))
        )
        assert finding.post_id is None and finding.deduction == 2.5 and finding.unit.code == window.code


def test_withdrawn_finding_is_kept_but_leaves_the_notices(app, client, inspector, make_post):
    post = make_post()
    url = f"/inspect/findings/new?cycle={YEAR}"
    token = csrf_token(client, url)
    client.post(
        url,
        data={
            "csrf_token": token,
            "target": post.code,
            "found_on": local_today().isoformat(),
            "kind": "open",
            "description": "误记的问题",
            "deduction_code": "absent",
            "notify": "y",
        },
    )
    with app.app_context():
        fid = db.session.scalar(db.select(InspectionFinding.id).where(InspectionFinding.description == "误记的问题"))
    assert client.post(f"/inspect/findings/{fid}/withdraw", data={"csrf_token": token, "reason": ""}).status_code == 302
    with app.app_context():
        assert db.session.get(InspectionFinding, fid).withdrawn is False  # a reason is required
    client.post(f"/inspect/findings/{fid}/withdraw", data={"csrf_token": token, "reason": "核实为误记"})
    with app.app_context():
        finding = db.session.get(InspectionFinding, fid)
        assert finding.withdrawn is True and finding.notified is False
    assert "误记的问题" not in client.get("/notices").get_data(as_text=True)
    assert "已撤销" in client.get(f"/inspect/?cycle={YEAR}").get_data(as_text=True)


def test_inspector_enters_a_round_of_scores(app, client, inspector, make_post):
    first, second, third = make_post(), make_post(), make_post()
    token = csrf_token(client, "/inspect/scores?round=9")
    response = client.post(
        f"/inspect/scores?cycle={YEAR}",
        data={"csrf_token": token, "round": "9", f"s-{first.code}": "88", f"s-{second.code}": "91.5"},
    )
    assert response.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(db.select(InspectionScore.score).where(InspectionScore.round == 9))) == [
            88,
            91.5,
        ]
    bad = client.post(
        f"/inspect/scores?cycle={YEAR}", data={"csrf_token": token, "round": "9", f"s-{third.code}": "120"}
    )
    assert bad.status_code == 422 and "分数“120”无效" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InspectionScore.id))) == 2


def test_inspector_uploads_scores_through_preview(app, client, inspector, make_post):
    post = make_post()
    token = csrf_token(client, "/inspect/scores")
    data = f"post_code,score,round\n{post.code},77,8\n".encode()
    preview = client.post(
        f"/inspect/scores/import?cycle={YEAR}",
        data={"csrf_token": token, "file": (io.BytesIO(data), "s.csv")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "导入预览" in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(InspectionScore.id))) == 0  # nothing written yet
    confirm = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/inspect/import/confirm", data={"csrf_token": token, "token": confirm}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(InspectionScore.score).where(InspectionScore.round == 8)) == 77


def test_findings_template_downloads(client, inspector):
    response = client.get(f"/inspect/findings/template.xlsx?cycle={YEAR}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert next(sheet.iter_rows(values_only=True)) == ("post_code", "date", "kind", "finding", "deduction")


def test_auditor_reads_grids_but_cannot_save(app, client, login_as, unit, own):
    login_as("auditor")
    url = f"/hr/?unit={unit.code}"
    page = client.get(url)
    assert page.status_code == 200 and own[0].code in page.get_data(as_text=True)
    assert client.get("/inspect/scores").status_code == 200
    token = csrf_token(client, url)
    assert client.post(url, data={"csrf_token": token, f"v-{own[0].code}": "优秀"}).status_code == 403
    assert grade_of(app, own[0]) is None


def test_progress_names_missing_posts_and_exports_them(app, client, login_as, runner, tmp_path, cycle):
    path = tmp_path / "p.csv"
    path.write_text(
        "code,unit,unit_kind,title,holder,responsibilities,commitments\n"
        "NEW-777,市测试中心,窗口服务单位,新设窗口岗,虚构人,受理,\n",
        encoding="utf-8",
    )
    assert runner.invoke(args=["import-posts", str(path)]).exit_code == 0
    login_as("admin")
    page = client.get(f"/admin/cycles/{YEAR}/progress").get_data(as_text=True)
    assert "NEW-777" in page and "不能进行最终计算" in page
    export = client.get(f"/admin/cycles/{YEAR}/missing.csv").get_data(as_text=True)
    assert export.startswith("\ufeffpost_code,") and "NEW-777" in export
    xlsx = client.get(f"/admin/cycles/{YEAR}/missing.xlsx")
    codes = [row[0] for row in load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True)]
    assert "NEW-777" in codes


def test_progress_counts_a_post_that_changed_hands_once(app, client, login_as, cycle, make_post):
    """Where a post changed hands during the cycle each holder has an assessment and scores: still one post."""
    post = make_post(holder="虚构前任")
    with app.app_context():
        change_holder(audit.CLI, db.session.get(Post, post.id), "虚构后任", cycle.starts_on + timedelta(days=100))
        holders = db.session.scalars(db.select(Tenure.holder_id).where(Tenure.post_id == post.id)).all()
        this_cycle = db.session.get(Cycle, cycle.id)
        record_assessments(
            audit.CLI, this_cycle, [AssessmentRow(2, post.code, post.id, "competent", None, h) for h in holders]
        )
        rounds = [ScoreRow(2, post.code, post.id, 80.0, n, h) for h in holders for n in (1, 2)]
        record_scores(audit.CLI, this_cycle, rounds)
        db.session.commit()
    login_as("admin")
    page = client.get(f"/admin/cycles/{YEAR}/progress").get_data(as_text=True)
    assert len(holders) == 2 and "全部 1 个岗位的年度考核和综合检查评议均已录入" in page


def test_notices_page_has_an_empty_state(client):
    page = client.get("/notices?unit=ZZZ").get_data(as_text=True)
    assert "目前没有通报" in page


def test_findings_export_lists_the_cycles_findings(app, client, login_as, runner, tmp_path, cycle, make_post):
    post = make_post()
    path = tmp_path / "f.csv"
    day = local_today().isoformat()
    path.write_text(
        f"post_code,date,kind,finding,deduction\n{post.code},{day},暗访,导出测试问题,delay\n", encoding="utf-8"
    )
    assert runner.invoke(args=["import-inspections", "--cycle", str(YEAR), str(path)]).exit_code == 0
    login_as("auditor")
    response = client.get(f"/inspect/findings.xlsx?cycle={YEAR}")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("date", "kind", "code")
    assert [(row[2], row[4], row[5]) for row in rows[1:]] == [(post.code, "导出测试问题", 3)]
