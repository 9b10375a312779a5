"""Transfer orders (调离令): opened for each warned line when a result is published, due in Chinese working days,
reminded before and after the due date, ended by HR recording the transfer, and shown on the public result."""

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from rating import jobs
from rating.clock import local_today
from rating.extensions import db
from rating.models import (
    AuditEntry,
    Cycle,
    LedgerEntry,
    Notification,
    Post,
    ResultKind,
    ResultSet,
    Role,
    Tenure,
    TransferOrder,
    TransferStatus,
    Unit,
    User,
)
from rating.scoring.method import InvalidMethod, MethodSettings
from rating.services import audit, transfers
from rating.services.errors import Conflict, InvalidInput
from rating.services.users import create_user
from rating.services.verdict import lifecycle
from rating.workdays import add_working_days
from tests.conftest import csrf_token
from tests.web.test_mail import messages, smtp_server  # noqa: F401  (the local SMTP server fixture)

LAST_YEAR = local_today().year - 1
OFFICE = audit.Actor("admin")
HR_PASSWORD = "hr-of-the-warned-unit"


@pytest.mark.parametrize(
    ("published_on", "days", "due_on"),
    [
        (date(2026, 9, 29), 1, date(2026, 9, 30)),  # the last working day before National Day
        (date(2026, 9, 29), 2, date(2026, 10, 8)),  # 1–7 October are holidays
        (date(2026, 9, 30), 3, date(2026, 10, 10)),  # Saturday 10 October is a make-up working day (调休上班)
        (date(2026, 9, 30), 30, date(2026, 11, 17)),
        (date(2025, 9, 30), 1, date(2025, 10, 9)),  # 2025: 1–8 October
    ],
)
def test_due_date_counts_chinese_working_days(published_on, days, due_on):
    assert transfers.due_date(published_on, MethodSettings(transfer_due_days=days)) == due_on


def test_transfer_due_days_is_validated_and_defaults_to_30():
    assert MethodSettings().transfer_due_days == 30
    assert MethodSettings.from_dict({}).transfer_due_days == 30
    with pytest.raises(InvalidMethod, match="transfer_due_days"):
        MethodSettings.from_dict({"transfer_due_days": 0})


def _published(year: int = LAST_YEAR) -> ResultSet:
    return db.session.scalar(
        select(ResultSet)
        .join(Cycle)
        .where(Cycle.year == year, ResultSet.kind == ResultKind.PUBLISHED)
        .order_by(ResultSet.version.desc())
    )


def _orders(cycle_id: int) -> list[TransferOrder]:
    return db.session.scalars(select(TransferOrder).where(TransferOrder.cycle_id == cycle_id)).all()


def _count(*where) -> int:
    return db.session.scalar(select(func.count()).select_from(where[0]).where(*where[1:]))


def test_publishing_opened_an_order_and_a_ledger_entry_for_each_warned_line(app_ctx):
    """Publishing this year's result (last year's orders the demo has carried through in part)."""
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == LAST_YEAR + 1))
    opened_before = _count(AuditEntry, AuditEntry.action == "transfer.open")
    hr_before = _count(Notification, Notification.for_role == Role.HR_OFFICER)
    lifecycle.compute_final(OFFICE, cycle)
    lifecycle.start_notice(OFFICE, cycle)
    cycle.notice_ends_on = local_today() - timedelta(days=1)
    published = lifecycle.publish(OFFICE, cycle)
    warned = {(row.post_id, row.holder_id) for row in published.rows if row.title == "warning"}
    orders = _orders(published.cycle_id)
    assert len(warned) == 5 and {(o.post_id, o.holder_id) for o in orders} == warned
    method = MethodSettings.from_dict(published.method)
    for order in orders:
        assert order.status == TransferStatus.OPEN and order.result_set_id == published.id
        assert order.published_on == local_today() and not order.overdue
        assert order.unit_id == db.session.get(Post, order.post_id).unit_id
        assert order.due_on == add_working_days(order.published_on, method.transfer_due_days)
        assert (
            db.session.scalar(select(LedgerEntry.source).where(LedgerEntry.transfer_order_id == order.id)) == "warning"
        )
    assert _count(AuditEntry, AuditEntry.action == "transfer.open") == opened_before + 5
    assert _count(Notification, Notification.for_role == Role.HR_OFFICER) == hr_before + 5


def _before_national_day(published: ResultSet, cycle: Cycle):
    """The seeded warnings as if published on 30 September 2026, 10:00 in Shanghai, for another cycle."""
    return SimpleNamespace(
        id=published.id,
        cycle_id=cycle.id,
        published_at=datetime(2026, 9, 30, 2, 0, tzinfo=UTC),
        method={**published.method, "transfer_due_days": 3},
        rows=published.rows,
    )


def test_publication_before_national_day_is_due_after_the_holidays_and_reminded(app_ctx):
    published = _published()
    cycle = db.session.scalar(select(Cycle).where(Cycle.year == LAST_YEAR + 1))
    opened = transfers.open_orders(OFFICE, _before_national_day(published, cycle))
    assert len(opened) == 5 and {o.due_on for o in opened} == {date(2026, 10, 10)}
    assert transfers.open_orders(OFFICE, _before_national_day(published, cycle)) == []  # one order per line

    early = transfers.remind(today=date(2026, 9, 30))  # due within five working days: reminded once
    assert {o.id for o in early.due_soon} == {o.id for o in opened} and early.overdue == []
    assert transfers.remind(today=date(2026, 10, 9)) == ([], [])
    late = transfers.remind(today=date(2026, 10, 12))
    assert {o.id for o in late.overdue} == {o.id for o in opened} and all(o.overdue for o in opened)
    assert transfers.remind(today=date(2026, 10, 13)) == ([], [])
    office = db.session.scalars(select(Notification.text).where(Notification.for_role == Role.ADMIN)).all()
    assert sum("督办" in text for text in office) >= 5


def _hr_of(unit_id: int) -> User:
    unit_code = db.session.get(Unit, unit_id).code
    return create_user(
        OFFICE,
        username=f"hr-{unit_code.lower()}",
        password=HR_PASSWORD,
        role="hr_officer",
        unit_code=unit_code,
        display_name="人事科",
        email=f"hr-{unit_code.lower()}@example.org",
    )


def _open_order() -> TransferOrder:
    """The first seeded order still open (the demo has recorded some transfers already)."""
    return db.session.scalar(
        select(TransferOrder).where(TransferOrder.status == TransferStatus.OPEN).order_by(TransferOrder.id)
    )


def _first_order(app) -> tuple[int, str, str, int]:
    """The first seeded order still open: its id, post code, holder name and an HR user of its unit (committed)."""
    with app.app_context():
        order = _open_order()
        user = _hr_of(order.unit_id)
        db.session.commit()
        return order.id, order.post.code, order.holder.name, user.username


def _login(client, username: str, password: str = HR_PASSWORD):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302


def test_hr_records_the_transfer_and_the_public_result_shows_it(app, client):
    order_id, code, holder, hr = _first_order(app)
    anonymous = app.test_client()
    assert "已调离" not in anonymous.get(f"/results/{LAST_YEAR}/posts/{code}").get_data(as_text=True)
    _login(client, hr)
    page = client.get("/hr/transfers").get_data(as_text=True)
    assert code in page and holder in page
    token = csrf_token(client, f"/hr/transfers/{order_id}")
    today = local_today()
    response = client.post(
        f"/hr/transfers/{order_id}",
        data={"csrf_token": token, "successor": "接任者甲", "transferred_on": today.isoformat()},
        follow_redirects=True,
    )
    assert "已登记调离" in response.get_data(as_text=True)
    with app.app_context():
        order = db.session.get(TransferOrder, order_id)
        assert order.status == TransferStatus.DONE and order.transferred_on == today
        assert order.successor.name == "接任者甲" and order.recorded_by == hr
        current = db.session.scalar(select(Tenure).where(Tenure.post_id == order.post_id, Tenure.ended_on.is_(None)))
        assert current.holder.name == "接任者甲"
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.post_id == order.post_id)).all()
        assert "holder.change" in actions and "transfer.record" in actions
    for path in (f"/results/{LAST_YEAR}", f"/results/{LAST_YEAR}/posts/{code}", f"/results/{LAST_YEAR}/titles"):
        assert f"已调离({today.isoformat()})" in anonymous.get(path).get_data(as_text=True), path
    again = client.post(
        f"/hr/transfers/{order_id}",
        data={"csrf_token": token, "successor": "接任者乙", "transferred_on": today.isoformat()},
        follow_redirects=True,
    )
    assert "该调离令已办结" in again.get_data(as_text=True)


def test_hr_of_another_unit_is_refused_the_order(app, client, login_as):
    order_id, *_rest = _first_order(app)
    login_as("hr_officer")  # 市公安局 (M05): no warned post there
    assert client.get(f"/hr/transfers/{order_id}").status_code == 403
    token = csrf_token(client, "/admin/")
    response = client.post(
        f"/hr/transfers/{order_id}", data={"csrf_token": token, "successor": "某人", "transferred_on": "2030-01-01"}
    )
    assert response.status_code == 403
    assert "没有调离令" in client.get("/hr/transfers").get_data(as_text=True)


def test_transfer_before_publication_or_of_someone_gone_is_refused(app_ctx):
    order = _open_order()
    with pytest.raises(InvalidInput, match="不能早于"):
        transfers.record_transfer(OFFICE, order, "某人", date(order.published_on.year - 1, 1, 1))
    from rating.services.posts import change_holder

    on = local_today()
    change_holder(OFFICE, order.post, "另一人", on, reason="轮岗")
    with pytest.raises(Conflict):
        transfers.record_transfer(OFFICE, order, "某人", on)
    settled = transfers.settle_transferred(OFFICE)  # the scheduler ends it from the tenures
    assert order in settled and order.transferred_on == on and order.successor.name == "另一人"


def test_the_job_reminds_hr_and_the_office_by_email_once(app, smtp_server):  # noqa: F811
    port, envelopes = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.app_context():
        order = _open_order()
        hr = _hr_of(order.unit_id)
        order.published_on, order.due_on = date(2026, 1, 5), local_today() - timedelta(days=1)  # overdue now
        order.overdue = False  # as if the job had not run since it fell due (the demo's run has)
        db.session.commit()
        order_id, hr_email = order.id, hr.email
    assert jobs.remind_transfer_orders(app) == 1
    assert jobs.remind_transfer_orders(app) == 0
    received = messages(envelopes)
    assert len(received) == 1
    recipients, message = received[0]
    assert hr_email in recipients and "admin@example.org" in recipients
    assert "督办" in message["Subject"] and f"/hr/transfers/{order_id}" in message.get_content()
    with app.app_context():
        assert db.session.get(TransferOrder, order_id).overdue


def test_supervision_page_lists_open_and_overdue_orders(app, client, login_as):
    with app.app_context():
        order = _open_order()
        order.overdue, code, order_id = True, order.post.code, order.id
        db.session.commit()
        still_open = _count(TransferOrder, TransferOrder.status == TransferStatus.OPEN)
        overdue_now = _count(TransferOrder, TransferOrder.status == TransferStatus.OPEN, TransferOrder.overdue)
        done = db.session.scalars(select(TransferOrder.id).where(TransferOrder.status == TransferStatus.DONE)).all()
    assert 1 <= overdue_now <= still_open
    login_as("auditor")
    page = client.get("/admin/supervision").get_data(as_text=True)
    assert f"待调离 {still_open} 人,其中逾期 {overdue_now} 人" in page and code in page
    overdue = client.get("/admin/supervision?state=overdue").get_data(as_text=True)
    assert overdue.count("/hr/transfers/") == overdue_now and f"/hr/transfers/{order_id}" in overdue
    assert not any(f'/hr/transfers/{done_id}"' in overdue for done_id in done)
    page = client.get(f"/hr/transfers/{order_id}")
    assert page.status_code == 200 and "确认调离" not in page.get_data(as_text=True)  # reads, never records
