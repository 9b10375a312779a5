"""The accountability ledger (责任追究台账): one entry per source, measures recorded and closed by the office or the
discipline commission only, evidence kept privately, overdue entries reminded, and the public notices."""

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from rating import jobs
from rating.clock import local_today
from rating.extensions import db
from rating.models import (
    AuditEntry,
    Complaint,
    ComplaintStatus,
    EntryStatus,
    Finding,
    LedgerEntry,
    LedgerEvidence,
    LedgerSource,
    Notification,
    Role,
)
from rating.services import audit, ledger
from rating.services import complaints as complaint_service
from rating.services.errors import Conflict, InvalidInput
from tests.conftest import csrf_token
from tests.web.test_mail import messages, smtp_server  # noqa: F401  (the local SMTP server fixture)

OFFICE = audit.Actor("admin")
PDF = b"%PDF-1.4\n% evidence\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
#: Roles that may not record measures or see the ledger.
OUTSIDERS = ["hr_officer", "inspector", "complaint_handler", "unit_staff"]


def _substantiated() -> set[int]:
    return set(
        db.session.scalars(
            select(Complaint.id).where(
                Complaint.status == ComplaintStatus.CONCLUDED,
                Complaint.finding == Finding.SUBSTANTIATED,
                Complaint.merged_into_id.is_(None),
            )
        )
    )


def test_every_source_has_exactly_one_entry_after_the_job(app):
    assert jobs.remind_ledger_entries(app) == 0
    with app.app_context():
        by_source = dict(
            db.session.execute(select(LedgerEntry.source, func.count()).group_by(LedgerEntry.source)).all()
        )
        assert by_source[LedgerSource.WARNING] == 5
        complaints = set(
            db.session.scalars(select(LedgerEntry.complaint_id).where(LedgerEntry.complaint_id.is_not(None)))
        )
        assert complaints == _substantiated() and complaints
        assert by_source[LedgerSource.FINDING] > 0
        count = db.session.scalar(select(func.count(LedgerEntry.id)))
    jobs.remind_ledger_entries(app)  # idempotent
    with app.app_context():
        assert db.session.scalar(select(func.count(LedgerEntry.id))) == count


def test_concluding_a_complaint_as_substantiated_opens_an_entry(app_ctx):
    handler = audit.Actor("handler")
    intake = complaint_service.Intake(
        channel="phone",
        category="conduct",
        text="办事窗口工作人员上班时间长时间离岗,群众等候一个多小时。",
        post_code="DT-001",
        name="王某",
        phone="13900000000",
    )
    complaint, _code = complaint_service.file_complaint(handler, intake)
    complaint_service.refer(handler, complaint)
    complaint_service.conclude(handler, complaint, "substantiated", "经核查属实,已责令整改。")
    entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.complaint_id == complaint.id))
    assert entry is not None and entry.source == LedgerSource.COMPLAINT and entry.holder_id == complaint.holder_id
    assert complaint.case_number in entry.summary and "王某" not in entry.summary


def _open_warnings():
    """The warnings' entries still open (the demo has closed and published one)."""
    return (
        select(LedgerEntry)
        .where(LedgerEntry.source == LedgerSource.WARNING, LedgerEntry.status == EntryStatus.OPEN)
        .order_by(LedgerEntry.id)
    )


def _warning_entry() -> LedgerEntry:
    return db.session.scalar(_open_warnings())


def _entry_id(app) -> int:
    with app.app_context():
        return _warning_entry().id


def _measure(client, entry_id: int, **extra):
    token = csrf_token(client, "/admin/")
    data = {
        "csrf_token": token,
        "measure": "transfer",
        "note": "按评议办法调离工作岗位。",
        "decided_by": "市效能办",
        "decided_on": local_today().isoformat(),
        **extra,
    }
    return client.post(f"/admin/ledger/{entry_id}/measure", data=data, follow_redirects=True)


@pytest.mark.parametrize("role", ["admin", "auditor"])
def test_office_and_discipline_commission_record_measures_evidence_and_close(app, client, login_as, role):
    entry_id = _entry_id(app)
    login_as(role)
    assert "责任追究台账" in client.get("/admin/ledger").get_data(as_text=True)
    deadline = (local_today() + timedelta(days=30)).isoformat()
    assert "处理措施已登记" in _measure(client, entry_id, deadline=deadline).get_data(as_text=True)
    token = csrf_token(client, f"/admin/ledger/{entry_id}")
    refused = client.post(f"/admin/ledger/{entry_id}/close", data={"csrf_token": token}, follow_redirects=True)
    assert "须上传整改材料" in refused.get_data(as_text=True)
    upload = client.post(
        f"/admin/ledger/{entry_id}/evidence",
        data={"csrf_token": token, "file": (io.BytesIO(PDF), "整改报告.pdf"), "note": "整改报告"},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "材料已上传" in upload.get_data(as_text=True)
    closed = client.post(f"/admin/ledger/{entry_id}/close", data={"csrf_token": token}, follow_redirects=True)
    assert "事项已办结" in closed.get_data(as_text=True)
    with app.app_context():
        entry = db.session.get(LedgerEntry, entry_id)
        assert entry.status == "closed" and entry.measure == "transfer" and entry.closed_by == role
        evidence = entry.evidence[0]
        assert evidence.content_type == "application/pdf" and evidence.size == len(PDF)
        actions = db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity == "ledger_entry", AuditEntry.entity_id == str(entry_id))
        ).all()
        assert actions == ["ledger.open", "ledger.measure", "ledger.evidence", "ledger.close"]
    download = client.get(f"/admin/ledger/{entry_id}/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "no-store" in download.headers["Cache-Control"]


def _with_evidence(app) -> tuple[int, int]:
    with app.app_context():
        entry = _warning_entry()
        evidence = ledger.add_evidence(OFFICE, entry, "scan.png", PNG)
        db.session.commit()
        return entry.id, evidence.id


@pytest.mark.parametrize("role", OUTSIDERS)
def test_other_roles_may_not_record_measures_or_read_evidence(app, client, login_as, role):
    entry_id, evidence_id = _with_evidence(app)
    login_as(role)
    assert client.get("/admin/ledger").status_code == 403
    assert client.get(f"/admin/ledger/{entry_id}").status_code == 403
    assert client.get(f"/admin/ledger/{entry_id}/evidence/{evidence_id}").status_code == 403
    assert _measure(client, entry_id).status_code == 403
    token = csrf_token(client, "/admin/")
    assert client.post(f"/admin/ledger/{entry_id}/close", data={"csrf_token": token}).status_code == 403
    with app.app_context():
        assert db.session.get(LedgerEntry, entry_id).measure is None


def test_anonymous_is_sent_to_login_and_sees_no_evidence(app, client):
    entry_id, evidence_id = _with_evidence(app)
    for path in (f"/admin/ledger/{entry_id}", f"/admin/ledger/{entry_id}/evidence/{evidence_id}", "/admin/ledger"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_only_the_office_publishes_and_the_name_only_where_the_measure_was_published(app, client, login_as):
    with app.app_context():
        entries = db.session.scalars(_open_warnings().limit(2)).all()
        for entry in entries:
            ledger.record_measure(
                OFFICE,
                entry,
                measure="criticism",
                note="",
                decided_by="市纪委",
                decided_on=local_today(),
                deadline=None,
            )
            ledger.close(OFFICE, entry)
        named, unnamed = [(e.id, e.holder.name) for e in entries]
        db.session.commit()
    login_as("auditor")
    token = csrf_token(client, "/admin/")
    notice = {"csrf_token": token, "public": "y", "name_published": "y", "notice_text": "评议末位,通报批评。"}
    assert client.post(f"/admin/ledger/{named[0]}/publish", data=notice).status_code == 403
    client.post("/logout", data={"csrf_token": token})
    login_as("admin")
    token = csrf_token(client, "/admin/")
    for entry_id, name_flag in ((named[0], "y"), (unnamed[0], "")):
        data = {**notice, "csrf_token": token, "name_published": name_flag}
        response = client.post(f"/admin/ledger/{entry_id}/publish", data=data, follow_redirects=True)
        assert "已在责任追究通报中公开" in response.get_data(as_text=True)
    page = app.test_client().get("/accountability").get_data(as_text=True)
    assert page.count("评议末位,通报批评。") == 2 and "通报批评" in page
    assert named[1] in page and unnamed[1] not in page
    assert "市纪委" not in page  # nothing beyond the notice, the measure, the unit and the post


def test_public_notices_list_nothing_open_or_unpublished(app, client):
    with app.app_context():
        quiet = _warning_entry()  # closed, but not marked public
        ledger.record_measure(
            OFFICE, quiet, measure="criticism", note="", decided_by="市纪委", decided_on=local_today(), deadline=None
        )
        ledger.close(OFFICE, quiet)
        db.session.commit()
        quiet_code = quiet.post.code
        public = db.session.scalars(
            select(LedgerEntry).where(LedgerEntry.public.is_(True), LedgerEntry.status == EntryStatus.CLOSED)
        ).all()
        shown = {e.post.code for e in public}
        hidden = {
            e.post.code
            for e in db.session.scalars(select(LedgerEntry).where(LedgerEntry.post_id.is_not(None)))
            if not e.public or e.status == EntryStatus.OPEN
        }
    page = client.get("/accountability").get_data(as_text=True)
    assert page.count('class="card notice accountability-notice"') == len(public)
    assert all(f"({code})" in page for code in shown)
    assert not any(f"({code})" in page for code in hidden - shown)
    assert quiet_code in hidden - shown


def test_rules_of_measures_evidence_and_closing(app_ctx):
    entry = _warning_entry()
    with pytest.raises(Conflict, match="请先登记"):
        ledger.close(OFFICE, entry)
    with pytest.raises(InvalidInput, match="理由"):
        ledger.record_measure(
            OFFICE, entry, measure="none", note="", decided_by="市纪委", decided_on=local_today(), deadline=None
        )
    with pytest.raises(InvalidInput, match="不能晚于今天"):
        ledger.record_measure(
            OFFICE,
            entry,
            measure="removal",
            note="",
            decided_by="市纪委",
            decided_on=local_today() + timedelta(days=1),
            deadline=None,
        )
    with pytest.raises(InvalidInput, match="PDF"):
        ledger.add_evidence(OFFICE, entry, "evil.pdf", b"<html><script>alert(1)</script>")
    with pytest.raises(InvalidInput, match="5 MB"):
        ledger.add_evidence(OFFICE, entry, "big.pdf", PDF + b"0" * ledger.MAX_EVIDENCE_BYTES)
    kept = ledger.add_evidence(OFFICE, entry, "../../etc/passwd", PNG)
    assert kept.filename == "passwd.png" and kept.content_type == "image/png"
    ledger.record_measure(
        OFFICE,
        entry,
        measure="none",
        note="经复核,告诫已随调离执行,不再另行追究。",
        decided_by="市纪委",
        decided_on=local_today(),
        deadline=None,
    )
    ledger.close(OFFICE, entry)
    with pytest.raises(Conflict):
        ledger.record_measure(
            OFFICE, entry, measure="criticism", note="", decided_by="市纪委", decided_on=local_today(), deadline=None
        )
    assert db.session.scalar(select(func.count(LedgerEvidence.id)).where(LedgerEvidence.entry_id == entry.id)) == 1


def test_overdue_entries_are_reminded_once_in_app_and_by_email(app, smtp_server):  # noqa: F811
    port, envelopes = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        entry = _warning_entry()
        ledger.record_measure(
            OFFICE,
            entry,
            measure="admonition",
            note="诫勉谈话并限期整改。",
            decided_by="市纪委",
            decided_on=date(2026, 1, 5),
            deadline=date(2026, 2, 5),
        )
        entry.overdue = False  # as if recorded before the deadline passed
        db.session.commit()
        entry_id = entry.id
    assert jobs.remind_ledger_entries(app) == 1
    assert jobs.remind_ledger_entries(app) == 0
    received = messages(envelopes)
    assert len(received) == 1
    recipients, message = received[0]
    assert sorted(recipients) == ["admin@example.org", "auditor@example.org"]
    assert f"/admin/ledger/{entry_id}" in message.get_content() and "督办" in message["Subject"]
    with app.app_context():
        assert db.session.get(LedgerEntry, entry_id).overdue
        roles = db.session.scalars(select(Notification.for_role).where(Notification.text.contains(f"第 {entry_id} 号")))
        assert sorted(roles) == [Role.ADMIN, Role.AUDITOR]


def test_auditor_is_the_discipline_commission_and_sees_ledger_orders_and_audit_log(client, login_as):
    login_as("auditor")
    landing = client.get("/admin/").get_data(as_text=True)
    assert "纪委" in landing and "责任追究台账" in landing and "调离督办" in landing and "审计日志" in landing
    for path in ("/admin/ledger", "/admin/supervision", "/hr/transfers", "/admin/audit"):
        assert client.get(path).status_code == 200, path
