"""The clocks of a complaint case (办理时限), as 12345 hotlines run them, in Chinese working days (holidays skipped,
make-up working weekends counted, see rating.workdays):

- acceptance (受理转办): the centre accepts and refers a received case, or concludes it itself, within one working
  day of taking it in (or of the unit sending it back);
- signing (签收): the unit signs for a referred case within one working day of the referral;
- handling (办理): the unit's reply is due the cycle's ``complaint_working_days`` after the referral; an extension
  (延期) approved by the centre moves this deadline once, by at most ``MAX_EXTENSION_DAYS``.

Plain Python: rating.services.complaints sets the dates and the hourly job and the case queue ask ``running`` which
clock a case is on and whether it has run out. Statuses are passed as their string values.
"""

from dataclasses import dataclass
from datetime import date

from rating.workdays import add_working_days

ACCEPTANCE_DAYS = 1
SIGNING_DAYS = 1
MAX_EXTENSION_DAYS = 15


def acceptance_due(received_on: date) -> date:
    """受理转办期限: one working day after the day the centre took the case in (or got it back)."""
    return add_working_days(received_on, ACCEPTANCE_DAYS)


def signing_due(referred_on: date) -> date:
    """签收期限: one working day after the referral."""
    return add_working_days(referred_on, SIGNING_DAYS)


def handling_due(referred_on: date, working_days: int) -> date:
    """办理期限: ``working_days`` working days after the referral."""
    return add_working_days(referred_on, working_days)


def extension_days_valid(days: int) -> bool:
    return 1 <= days <= MAX_EXTENSION_DAYS


def extended_due(deadline: date, days: int) -> date:
    """The handling deadline after an approved extension of ``days`` working days."""
    if not extension_days_valid(days):
        raise ValueError(f"an extension is 1–{MAX_EXTENSION_DAYS} working days")
    return add_working_days(deadline, days)


@dataclass(frozen=True)
class Running:
    """The clock a case is on: ``acceptance``, ``signing`` or ``handling``, when it runs out, and whether it has."""

    clock: str
    due: date | None
    overdue: bool


def running(
    status: str, refer_by: date | None, sign_by: date | None, signed: bool, deadline: date | None, today: date
) -> Running | None:
    """The case's clock on ``today`` (None once concluded). A referred case not yet signed for shows its signing
    clock, and is overdue when either that or the handling deadline has passed."""

    def late(due: date | None) -> bool:
        return due is not None and due < today

    if status == "concluded":
        return None
    if status == "received":
        return Running("acceptance", refer_by, late(refer_by))
    if not signed and sign_by is not None:
        return Running("signing", sign_by, late(sign_by) or late(deadline))
    return Running("handling", deadline, late(deadline))
