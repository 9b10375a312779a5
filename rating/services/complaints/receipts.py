"""The complainant's receipt (受理回执) by SMS: when a phone number is given at filing, the case number, the query
code and the tracking link are texted through the pluggable gateway (rating.sms), after the filing is committed.
The text never carries anything of the report itself. Called by the public form and the handler's intake."""

import logging

from flask_babel import gettext as _

from rating.services.phones import MOBILE, normalise_phone
from rating.sms import SmsFailed, SmsGateway, masked

log = logging.getLogger(__name__)


def receipt_text(case_number: str, query_code: str, track_url: str) -> str:
    return _(
        "您的投诉已受理。案件编号 %(case)s,查询码 %(code)s,请妥善保存。查询办理进度:%(url)s",
        case=case_number,
        code=query_code,
        url=track_url,
    )


def text_receipt(phone: str | None, case_number: str, query_code: str, track_url: str, gateway: SmsGateway) -> str:
    """Texts the receipt to a mobile number; returns the masked number it went to, or "" when there was none or the
    gateway refused (the filing stands either way, and the code is still shown on the page)."""
    number = normalise_phone(phone or "")
    if not MOBILE.match(number):
        return ""
    try:
        gateway.send(number, receipt_text(case_number, query_code, track_url))
    except SmsFailed as error:
        log.warning("receipt SMS for %s not sent: %s", case_number, error)
        return ""
    return masked(number)
