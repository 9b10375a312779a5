"""Last year's warnings carried through (调离): of the five warned holders, two were transferred out before their
order fell due, one after it, and two orders are still open, so the HR pages, the 督办 page and the public result
each show every state. Loaded with the current cycle's records, before the officials' entries, so that each
successor holds the post at the cycle's end (rating.demo.rotations assesses the earlier holders too).
"""

from datetime import date, timedelta

from sqlalchemy import select

from rating.extensions import db
from rating.models.accountability import TransferOrder
from rating.services import audit
from rating.services.transfers import record_transfer

#: Successors of the warned holders, in the order of the warned posts' codes, and when each took the post.
SUCCESSORS = (("欧阳明轩", "early"), ("秦可馨", "early"), ("傅子航", "late"))


def load_transfers(actor: audit.Actor, today: date) -> str:
    """Record the transfers the demo tells of, on days relative to each order's due date (never after today)."""
    orders = db.session.scalars(select(TransferOrder).order_by(TransferOrder.post_id)).all()
    done = []
    for order, (successor, when) in zip(orders, SUCCESSORS, strict=False):
        if not order.is_open:
            continue
        on = order.due_on - timedelta(days=10) if when == "early" else order.due_on + timedelta(days=15)
        on = max(on, order.published_on)
        if on > today:
            continue
        record_transfer(actor, order, successor, on)
        done.append(f"{successor} {on.isoformat()}")
    still_open = sum(1 for order in orders if order.is_open)
    return f"transfers of warned holders: {'; '.join(done) or 'none'}; open {still_open}"


def load_ledger(actor: audit.Actor, today: date) -> str:
    """The ledger as the office keeps it: the first warned holder's transfer recorded as the measure, closed and
    publicly notified with the name (the warning was published); the other entries wait for their measures. The
    hourly jobs' marking and reminders run once, as they would have by now."""
    from rating.models.accountability import LedgerEntry, LedgerSource
    from rating.services import ledger, transfers

    ledger.open_missing(actor)
    entry = db.session.scalar(
        select(LedgerEntry).where(LedgerEntry.source == LedgerSource.WARNING).order_by(LedgerEntry.id).limit(1)
    )
    if entry is not None and entry.is_open and entry.measure is None:
        decided = min(today, entry.created_at.date() + timedelta(days=40))
        ledger.record_measure(
            actor,
            entry,
            measure="transfer",
            note="行政告诫后调离原岗位",
            decided_by="效能办",
            decided_on=decided,
            deadline=None,
        )
        ledger.close(actor, entry)
        ledger.set_public(
            actor, entry, public=True, name_published=True, notice_text="评议排名末位,给予行政告诫并调离原岗位。"
        )
    reminders = transfers.remind(today)
    overdue = len(ledger.mark_overdue(today))
    entries = len(db.session.scalars(ledger.entries_query()).all())
    return f"ledger: {entries} entries ({overdue} overdue); transfer orders overdue {len(reminders.overdue)}"
