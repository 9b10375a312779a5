"""Overdue-complaint reminders by email, tested against a local SMTP server (aiosmtpd)."""

import email
import email.policy
import logging
import socket
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from rating import jobs
from rating.clock import local_today
from rating.extensions import db
from rating.mail import send_mail
from rating.models import Complaint
from rating.models.users import User
from rating.services import audit
from rating.services.errors import InvalidInput
from rating.services.users import create_user

pytestmark = pytest.mark.bare
PHONE = "13800001234"
STAFF_EMAIL = "window.m05@example.org"
HANDLER_EMAIL = "centre@example.org"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.port, collector.envelopes
    finally:
        controller.stop()


def messages(envelopes):
    return [
        (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default))
        for envelope in envelopes
    ]


@pytest.fixture
def overdue_case(app, make_unit, make_post, make_user, make_complaint):
    """Makes a referred complaint past its deadline, on a post of 市虚构公安局 whose window staff and the complaint
    centre have addresses (so do the unit's HR officer and another unit's staff, who get no reminder)."""

    def make() -> str:
        unit = make_unit(name="市虚构公安局")
        make_user("unit_staff", unit=unit, email=STAFF_EMAIL)
        make_user("complaint_handler", email=HANDLER_EMAIL)
        make_user("hr_officer", unit=unit, email="hr.m05@example.org")  # same unit, but not window staff
        make_user("unit_staff", email="window.other@example.org")  # another unit's staff
        complaint = make_complaint(make_post(unit=unit), status="referred", channel="web", name="李某", phone=PHONE)
        with app.app_context():
            db.session.get(Complaint, complaint.id).deadline = local_today() - timedelta(days=1)
            db.session.commit()
        return complaint.case_number

    return make


def is_overdue(app, case_number: str) -> bool:
    with app.app_context():
        return db.session.scalar(select(Complaint.overdue).where(Complaint.case_number == case_number))


def test_overdue_reminder_goes_once_to_unit_staff_and_handlers(app, smtp_server, overdue_case):
    port, envelopes = smtp_server
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    case_number = overdue_case()

    assert jobs.mark_overdue_complaints(app) == 1
    assert is_overdue(app, case_number)
    received = messages(envelopes)
    recipients = [address for rcpt_tos, _message in received for address in rcpt_tos]
    assert sorted(recipients) == sorted([STAFF_EMAIL, HANDLER_EMAIL])
    for _rcpt_tos, message in received:
        assert case_number in message["Subject"] and "督办" in message["Subject"]
        assert message["From"] == "noreply@example.org"
        body = message.get_content()
        assert f"/complaints/cases/{case_number}" in body and "市虚构公安局" in body
        assert PHONE not in message.as_string() and PHONE not in body and "李某" not in body

    assert jobs.mark_overdue_complaints(app) == 0
    assert len(envelopes) == len(received)


def test_without_mail_server_the_job_still_marks_and_sends_nothing(app, smtp_server, overdue_case):
    _port, envelopes = smtp_server
    app.config.update(MAIL_SERVER="")
    case_number = overdue_case()
    assert jobs.mark_overdue_complaints(app) == 1
    assert is_overdue(app, case_number) and envelopes == []


def test_an_unreachable_mail_server_does_not_break_the_job(app, caplog, monkeypatch, overdue_case):
    # Alembic's logging setup (run when the test databases are migrated) disables loggers that already exist.
    monkeypatch.setattr(logging.getLogger("rating.mail"), "disabled", False)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())  # nothing listens there
    case_number = overdue_case()
    assert jobs.mark_overdue_complaints(app) == 1
    assert is_overdue(app, case_number)
    assert "failed" in caplog.text


def test_send_mail_is_off_without_a_server():
    assert send_mail({"MAIL_SERVER": ""}, ["a@example.org"], "s", "b") is False


def test_users_take_an_optional_loosely_checked_email(app):
    with app.app_context():
        user = create_user(
            audit.CLI, username="mailer", password="long-enough-pw", role="admin", email=" boss@example.org "
        )
        assert user.email == "boss@example.org"
        assert create_user(audit.CLI, username="nomail", password="long-enough-pw", role="admin").email is None
        for bad in (
            "no-at.example.org",
            "a@b@example.org",
            "a@nodot",
            "a@example.",
            "a@.org",
            "a b@example.org",
            "x@" + "e" * 250 + ".org",
        ):
            with pytest.raises(InvalidInput):
                create_user(audit.CLI, username="bad", password="long-enough-pw", role="admin", email=bad)
        db.session.rollback()


def test_create_user_command_accepts_an_email(app, runner):
    result = runner.invoke(
        args=["create-user", "centre2", "--role", "complaint_handler", "--email", "centre2@example.org"],
        input="long-enough-pw\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User.email).where(User.username == "centre2")) == "centre2@example.org"
