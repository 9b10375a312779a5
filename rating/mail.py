"""Email through a configured SMTP server (SPEC: in-app notifications; email through a configured SMTP server).

A message is rendered from ``templates/email/`` (its words through Flask-Babel) while the caller's transaction is
open, and sent after its commit. Email is off unless MAIL_SERVER is set. Sending never raises: jobs call it after
their commit, and a mail server that is down must not undo or break their work; failures are logged and reported
as False.
"""

import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import render_template

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Mail:
    """One plain-text message, rendered and ready to send."""

    to: list[str]
    subject: str
    body: str


def mail_enabled(app_config) -> bool:
    return bool(app_config.get("MAIL_SERVER"))


def render_mail(template: str, to: list[str], **context) -> Mail:
    """The message of ``templates/email/<template>_subject.txt`` and ``<template>.txt``, in the current locale
    (Chinese for jobs and commands). Needs an app context."""
    subject = render_template(f"email/{template}_subject.txt", **context)
    body = render_template(f"email/{template}.txt", **context)
    return Mail(to, " ".join(subject.split()), body.rstrip("\n") + "\n")


def send_all(app_config, mails: Iterable[Mail]) -> int:
    """Send each message; how many the server accepted."""
    return sum(send_mail(app_config, mail.to, mail.subject, mail.body) for mail in mails)


def send_mail(app_config, to: list[str], subject: str, body: str) -> bool:
    """Send one plain-text message to ``to``; True if the server accepted it for at least one recipient."""
    recipients = sorted({address.strip() for address in to if address and address.strip()})
    if not mail_enabled(app_config) or not recipients:
        return False
    sender = app_config.get("MAIL_FROM") or "noreply@example.org"
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body)
    server, port = app_config["MAIL_SERVER"], int(app_config.get("MAIL_PORT") or 25)
    try:
        with smtplib.SMTP(server, port, timeout=TIMEOUT_SECONDS) as smtp:
            if app_config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if app_config.get("MAIL_USERNAME"):
                smtp.login(app_config["MAIL_USERNAME"], app_config.get("MAIL_PASSWORD") or "")
            refused = smtp.send_message(message, from_addr=sender, to_addrs=recipients)
    except (smtplib.SMTPException, OSError) as exc:
        log.error("mail to %d recipient(s) via %s:%s failed: %s", len(recipients), server, port, exc)
        return False
    if refused:
        log.warning("mail server refused %d of %d recipient(s)", len(refused), len(recipients))
    return True
