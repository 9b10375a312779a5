"""The SMS gateway (短信网关): one small interface for every feature that texts a citizen (phone verification of
ratings today; complaint receipts and reminders may follow). Configured by settings:

SMS_GATEWAY        ``log`` (default: development and tests; messages are logged and kept in memory, never sent)
                   or ``http`` (a JSON POST to SMS_HTTP_URL)
SMS_HTTP_URL       the provider's endpoint, e.g. https://sms.example.gov.cn/send
SMS_HTTP_TOKEN     sent as ``Authorization: Bearer …``
SMS_SIGN           the signature (短信签名) the provider prefixes, e.g. 效能办
SMS_TIMEOUT        seconds to wait for the provider (default 5)

Callers use ``gateway().send(phone, text)``; it raises ``SmsFailed`` when a message could not be handed over. Phone
numbers pass through here and are never logged in full.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app

log = logging.getLogger(__name__)


class SmsFailed(RuntimeError):
    """The gateway did not accept the message."""


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


def masked(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


@dataclass
class LogGateway:
    """Development and tests: the message is logged (number masked) and kept in ``outbox``, never sent."""

    outbox: list[tuple[str, str]] = field(default_factory=list)

    def send(self, phone: str, text: str) -> None:
        self.outbox.append((phone, text))
        log.info("SMS to %s: %s", masked(phone), text)


@dataclass(frozen=True)
class HttpGateway:
    """A provider reached by one JSON POST ``{"phone", "text", "sign"}``; any 2xx answer means accepted."""

    url: str
    token: str = ""
    sign: str = ""
    timeout: float = 5.0

    def send(self, phone: str, text: str) -> None:
        body = json.dumps({"phone": phone, "text": text, "sign": self.sign}, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310  (configured URL)
                if not 200 <= answer.status < 300:
                    raise SmsFailed(f"gateway answered {answer.status}")
        except urllib.error.HTTPError as exc:
            exc.close()
            raise SmsFailed(f"gateway answered {exc.code}") from None
        except OSError as exc:
            raise SmsFailed(str(exc)) from exc


def settings(environ: dict) -> dict:
    """The SMS settings from the environment, validated (called by rating.config.load)."""
    kind = environ.get("SMS_GATEWAY", "log").strip() or "log"
    if kind not in ("log", "http"):
        raise ValueError(f"SMS_GATEWAY must be log or http, not {kind!r}")
    url = environ.get("SMS_HTTP_URL", "").strip()
    if kind == "http" and not url.startswith(("https://", "http://")):
        raise ValueError("SMS_GATEWAY=http needs SMS_HTTP_URL (http:// or https://)")
    return {
        "SMS_GATEWAY": kind,
        "SMS_HTTP_URL": url,
        "SMS_HTTP_TOKEN": environ.get("SMS_HTTP_TOKEN", ""),
        "SMS_SIGN": environ.get("SMS_SIGN", "效能办"),
        "SMS_TIMEOUT": float(environ.get("SMS_TIMEOUT", "5") or 5),
    }


def gateway() -> SmsGateway:
    """The app's gateway, made once per app from its settings."""
    made = current_app.extensions.get("sms")
    if made is None:
        config = current_app.config
        if config.get("SMS_GATEWAY", "log") == "http":
            made = HttpGateway(
                config["SMS_HTTP_URL"], config["SMS_HTTP_TOKEN"], config["SMS_SIGN"], config["SMS_TIMEOUT"]
            )
        else:
            made = LogGateway()
        current_app.extensions["sms"] = made
    return made
