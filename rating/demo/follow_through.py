"""Last year's warnings carried through (调离 and 责任追究): of the five warned holders, two were transferred out
before their order fell due, one after it, and two orders are still open (overdue once their due date has passed),
so the HR pages, the 督办 page and the public result each show every state. The ledger holds an entry for each
substantiated complaint, notified finding and warning; the office has closed the first transferred holder's and
published it on the accountability notices.

Loaded with the current cycle's records, before the officials' entries, so that each successor holds the post at
the cycle's end (rating.demo.rotations assesses the earlier holders too). Every date is relative to last year's
publication and never after today: a transfer whose day has not come yet is recorded by a later run.
Called by rating.demo.run().
"""

from datetime import date

from sqlalchemy import func, select

from rating.extensions import db
from rating.models.accountability import (
    EntryStatus,
    LedgerEntry,
    LedgerSource,
    TransferOrder,
    TransferStatus,
)
from rating.services import audit, ledger, transfers
from rating.workdays import add_working_days

#: Successors of the first three warned holders (by post), and when each was transferred: "on_time" twenty working
#: days after publication (ten before the default due date), "late" ten working days after the due date.
SUCCESSORS = (("欧阳明轩", "on_time"), ("秦可馨", "on_time"), ("傅子航", "late"))
ON_TIME_WORKING_DAYS, LATE_WORKING_DAYS = 20, 10


def transfer_day(order: TransferOrder, when: str) -> date:
    """The (working) day the demo transfers a warned holder: before the order's due date, or after it."""
    if when == "on_time":
        return min(add_working_days(order.published_on, ON_TIME_WORKING_DAYS), order.due_on)
    return add_working_days(order.due_on, LATE_WORKING_DAYS)


def load_transfers(actor: audit.Actor, today: date) -> str:
    """Record the transfers the demo tells of, once their day has come; skipped once they are there."""
    orders = db.session.scalars(select(TransferOrder).order_by(TransferOrder.post_id)).all()
    done = []
    for order, (successor, when) in zip(orders, SUCCESSORS, strict=False):
        on = transfer_day(order, when)
        if not order.is_open or on > today:
            continue
        transfers.record_transfer(actor, order, successor, on)
        done.append(f"{order.post.code} → {successor} {on.isoformat()}")
    still_open = sum(order.is_open for order in orders)
    return f"transfers of warned holders: {'; '.join(done) or 'none recorded'}; open {still_open} of {len(orders)}"


def _close_first_transferred(actor: audit.Actor) -> None:
    """The office records the transfer as the measure on the first transferred holder's warning, closes the entry
    and publishes it with the name (the warning itself was published)."""
    entry = db.session.scalar(
        select(LedgerEntry)
        .join(TransferOrder, TransferOrder.id == LedgerEntry.transfer_order_id)
        .where(LedgerEntry.source == LedgerSource.WARNING, TransferOrder.status == TransferStatus.DONE)
        .order_by(TransferOrder.transferred_on, LedgerEntry.id)
        .limit(1)
    )
    if entry is None or not entry.is_open:
        return
    order = db.session.get(TransferOrder, entry.transfer_order_id)
    ledger.record_measure(
        actor,
        entry,
        measure="transfer",
        note="行政告诫后调离原岗位。",
        decided_by="市效能办",
        decided_on=order.transferred_on,
        deadline=None,
    )
    ledger.close(actor, entry)
    ledger.set_public(
        actor, entry, public=True, name_published=True, notice_text="评议排名末位,给予行政告诫并调离原岗位。"
    )


def load_ledger(actor: audit.Actor, today: date) -> str:
    """The ledger as the office keeps it, then the hourly jobs' marking and reminders, as they would have run."""
    ledger.open_missing(actor)
    _close_first_transferred(actor)
    transfers.remind(today)
    ledger.mark_overdue(today)
    by_status = dict(db.session.execute(select(LedgerEntry.status, func.count()).group_by(LedgerEntry.status)).all())
    public = db.session.scalar(select(func.count(LedgerEntry.id)).where(LedgerEntry.public.is_(True)))
    overdue = db.session.scalar(
        select(func.count(TransferOrder.id)).where(
            TransferOrder.status == TransferStatus.OPEN, TransferOrder.overdue.is_(True)
        )
    )
    return (
        f"ledger: {sum(by_status.values())} entries, {by_status.get(EntryStatus.CLOSED, 0)} closed "
        f"({public} on the public notices); transfer orders overdue {overdue}"
    )
