"""HR officers' assessment grid and uploads, inspectors' findings and scores, the public notices and the
administrators' progress page — as the people who use them would."""

import io
from datetime import timedelta

from openpyxl import load_workbook

from rating.clock import local_today
from rating.extensions import db
from rating.models import Assessment, AuditEntry, InspectionFinding, InspectionScore, Post
from rating.models.cycles import Cycle, CycleStatus
from tests.conftest import csrf_token

YEAR = local_today().year


def grade_of(app, code):
    with app.app_context():
        a = db.session.scalar(db.select(Assessment).join(Post).join(Cycle).where(Post.code == code, Cycle.year == YEAR))
        return None if a is None else (a.grade or a.score)


def set_status(app, status):
    with app.app_context():
        cycle = db.session.scalar(db.select(Cycle).where(Cycle.year == YEAR))
        cycle.status = status
        db.session.commit()


def test_hr_grid_lists_own_unit_and_saves_grades(app, client, login_as):
    login_as("hr_officer")
    page = client.get("/hr/").get_data(as_text=True)
    assert "市公安局" in page and "DT-001" in page and "DT-100" not in page
    token = csrf_token(client, "/hr/")
    response = client.post("/hr/", data={"csrf_token": token, "v-DT-001": "优秀", "v-DT-002": "83"})
    assert response.status_code == 302
    assert grade_of(app, "DT-001") == "excellent" and grade_of(app, "DT-002") == 83
    assert "已保存" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_hr_grid_refuses_bad_values_and_saves_nothing(app, client, login_as):
    login_as("hr_officer")
    before = grade_of(app, "DT-001")
    token = csrf_token(client, "/hr/")
    response = client.post("/hr/", data={"csrf_token": token, "v-DT-001": "不称职", "v-DT-002": "很好"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "考核结果“很好”无效" in page and "未保存任何修改" in page
    assert grade_of(app, "DT-001") == before


def test_hr_cannot_write_another_units_post_through_the_grid(app, client, login_as):
    login_as("hr_officer")
    before = grade_of(app, "DT-100")
    token = csrf_token(client, "/hr/")
    response = client.post("/hr/", data={"csrf_token": token, "v-DT-100": "不称职"})
    assert response.status_code == 422 and "不属于本单位" in response.get_data(as_text=True)
    assert grade_of(app, "DT-100") == before


def test_hr_cannot_pick_another_unit(client, login_as):
    login_as("hr_officer")
    page = client.get("/hr/?unit=M01").get_data(as_text=True)
    assert "市公安局" in page and "市发展和改革委员会" not in page


def test_hr_template_is_prefilled_with_own_posts(client, login_as):
    login_as("hr_officer")
    response = client.get("/hr/template.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("post_code", "grade_or_score")
    codes = [row[0] for row in rows[1:]]
    assert "DT-001" in codes and all(row[4] == "市公安局" for row in rows[1:])


def _upload(client, url, data: bytes, name="a.csv"):
    token = csrf_token(client, "/hr/")
    return client.post(
        url, data={"csrf_token": token, "file": (io.BytesIO(data), name)}, content_type="multipart/form-data"
    ), token


def test_hr_upload_previews_then_confirms(app, client, login_as):
    login_as("hr_officer")
    response, token = _upload(client, "/hr/import", "post_code,grade_or_score\nDT-001,基本称职\n".encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "年度考核导入预览" in page and "基本称职" in page
    assert grade_of(app, "DT-001") != "basically_competent"  # nothing written yet
    confirm = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    done = client.post("/hr/import/confirm", data={"csrf_token": token, "token": confirm})
    assert done.status_code == 302
    assert grade_of(app, "DT-001") == "basically_competent"


def test_hr_upload_with_other_units_post_shows_reason_and_writes_nothing(app, client, login_as):
    login_as("hr_officer")
    before = grade_of(app, "DT-100")
    response, _ = _upload(client, "/hr/import", "post_code,grade_or_score\nDT-100,不称职\n".encode())
    assert response.status_code == 422 and "不属于本单位" in response.get_data(as_text=True)
    assert grade_of(app, "DT-100") == before


def test_after_notice_hr_is_refused_and_admin_needs_a_reason(app, client, login_as):
    set_status(app, CycleStatus.NOTICE)
    login_as("hr_officer")
    token = csrf_token(client, "/hr/")
    refused = client.post("/hr/", data={"csrf_token": token, "v-DT-001": "不称职"})
    assert refused.status_code == 403 and "只有效能办管理员可以修改" in refused.get_data(as_text=True)
    assert grade_of(app, "DT-001") != "incompetent"

    client.post("/logout", data={"csrf_token": token})
    login_as("admin")
    token = csrf_token(client, "/hr/?unit=M05")
    no_reason = client.post("/hr/?unit=M05", data={"csrf_token": token, "v-DT-001": "不称职"})
    assert no_reason.status_code == 400 and "须填写修改理由" in no_reason.get_data(as_text=True)
    done = client.post("/hr/?unit=M05", data={"csrf_token": token, "v-DT-001": "不称职", "reason": "复核更正"})
    assert done.status_code == 302
    assert grade_of(app, "DT-001") == "incompetent"
    with app.app_context():
        assert db.session.scalar(db.select(Cycle.result_stale).where(Cycle.year == YEAR)) is True
        entry = db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.seq.desc()))
        assert entry.action == "assessment.set" and entry.after["reason"] == "复核更正"


def test_revisions_show_on_the_posts_back_office_page(app, client, login_as):
    login_as("hr_officer")
    token = csrf_token(client, "/hr/")
    client.post("/hr/", data={"csrf_token": token, "v-DT-001": "称职"})
    client.post("/hr/", data={"csrf_token": token, "v-DT-001": "72"})
    page = client.get("/admin/posts/DT-001").get_data(as_text=True)
    assert page.count("assessment.set") >= 2 and "hr-police" in page


def test_inspector_records_a_finding_and_notifies_it_publicly(app, client, login_as):
    login_as("inspector")
    url = f"/inspect/findings/new?cycle={YEAR}"
    token = csrf_token(client, url)
    day = (local_today() - timedelta(days=1)).isoformat()
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "target": "DT-005",
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


def test_finding_with_free_amount_and_bad_date(app, client, login_as):
    login_as("inspector")
    url = f"/inspect/findings/new?cycle={YEAR}"
    token = csrf_token(client, url)
    data = {
        "csrf_token": token,
        "target": "W16",
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
        assert finding.post_id is None and finding.deduction == 2.5 and finding.unit.code == "W16"


def test_withdrawn_finding_is_kept_but_leaves_the_notices(app, client, login_as):
    login_as("inspector")
    url = f"/inspect/findings/new?cycle={YEAR}"
    token = csrf_token(client, url)
    client.post(
        url,
        data={
            "csrf_token": token,
            "target": "DT-006",
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


def test_inspector_enters_a_round_of_scores(app, client, login_as):
    login_as("inspector")
    token = csrf_token(client, "/inspect/scores?round=9")
    response = client.post(
        f"/inspect/scores?cycle={YEAR}", data={"csrf_token": token, "round": "9", "s-DT-001": "88", "s-DT-002": "91.5"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert sorted(db.session.scalars(db.select(InspectionScore.score).where(InspectionScore.round == 9))) == [
            88,
            91.5,
        ]
    bad = client.post(f"/inspect/scores?cycle={YEAR}", data={"csrf_token": token, "round": "9", "s-DT-003": "120"})
    assert bad.status_code == 422 and "分数“120”无效" in bad.get_data(as_text=True)


def test_inspector_uploads_scores_through_preview(app, client, login_as):
    login_as("inspector")
    token = csrf_token(client, "/inspect/scores")
    data = b"post_code,score,round\nDT-010,77,8\n"
    preview = client.post(
        f"/inspect/scores/import?cycle={YEAR}",
        data={"csrf_token": token, "file": (io.BytesIO(data), "s.csv")},
        content_type="multipart/form-data",
    )
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "导入预览" in page
    confirm = page.split('name="token" type="hidden" value="')[1].split('"')[0]
    assert client.post("/inspect/import/confirm", data={"csrf_token": token, "token": confirm}).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(InspectionScore.score).where(InspectionScore.round == 8)) == 77


def test_findings_template_downloads(client, login_as):
    login_as("inspector")
    response = client.get(f"/inspect/findings/template.xlsx?cycle={YEAR}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert next(sheet.iter_rows(values_only=True)) == ("post_code", "date", "kind", "finding", "deduction")


def test_auditor_reads_grids_but_cannot_save(client, login_as):
    login_as("auditor")
    assert client.get("/hr/?unit=M05").status_code == 200
    assert client.get("/inspect/scores").status_code == 200
    token = csrf_token(client, "/hr/?unit=M05")
    assert client.post("/hr/?unit=M05", data={"csrf_token": token, "v-DT-001": "优秀"}).status_code == 403


def test_progress_names_missing_posts_and_exports_them(app, client, login_as, runner, tmp_path):
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


def test_notices_page_has_an_empty_state(client):
    page = client.get("/notices?unit=ZZZ").get_data(as_text=True)
    assert "目前没有通报" in page


def test_findings_export_lists_the_cycles_findings(app, client, login_as, runner, tmp_path):
    path = tmp_path / "f.csv"
    day = local_today().isoformat()
    path.write_text(f"post_code,date,kind,finding,deduction\nDT-007,{day},暗访,导出测试问题,delay\n", encoding="utf-8")
    assert runner.invoke(args=["import-inspections", "--cycle", str(YEAR), str(path)]).exit_code == 0
    login_as("auditor")
    response = client.get(f"/inspect/findings.xlsx?cycle={YEAR}")
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("date", "kind", "code")
    assert any(row[2] == "DT-007" and row[4] == "导出测试问题" and row[5] == 3 for row in rows[1:])
