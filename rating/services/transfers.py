"""Transfer orders (调离令): a warned holder (行政告诫) is to be transferred out of the post within the method's
``transfer_due_days`` working days of the result's publication.

Opened by rating.services.verdict.lifecycle when it publishes a result or a correction naming a warned line; ended
by the unit's HR office (or the office) recording the transfer through rating.services.posts.change_holder; watched
by the scheduler (rating.jobs.remind_transfer_orders), which reminds HR and the office before the due date and
marks the order overdue (督办) after it. Read by the HR and supervision pages and by the public result pages, which
show "已调离" on the warned line.
"""

from datetime import date, timedelta
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from rating.clock import local_today
from rating.extensions import db
from rating.models.accountability import TransferOrder, TransferStatus
from rating.models.base import utcnow
from rating.models.posts import Post, Tenure
from rating.models.results import ResultSet
from rating.models.users import Role
from rating.scoring.method import MethodSettings
from rating.scoring.verdict import Title
from rating.services import audit
from rating.services.errors import Conflict, InvalidInput
from rating.services.notifications import TRANSFER_OFFICE, notify_role
from rating.services.posts import change_holder
from rating.services.tenures import local_day
from rating.workdays import add_working_days

#: The reminder before the due date goes out this many working days ahead.
REMIND_BEFORE_WORKING_DAYS = 5


def due_date(published_on: date, method: MethodSettings) -> date:
    """``transfer_due_days`` working days after publication (weekends and Chinese public holidays skipped)."""
    return add_working_days(published_on, method.transfer_due_days)


def snapshot(order: TransferOrder) -> dict:
    return {
        "cycle": order.cycle_id,
        "post": order.post_id,
        "holder": order.holder_id,
        "status": str(order.status),
        "due_on": order.due_on.isoformat(),
        "overdue": order.overdue,
        "transferred_on": order.transferred_on.isoformat() if order.transferred_on else None,
    }


def _tell(order: TransferOrder, text: str) -> None:
    """HR of the order's unit and the office hear of it in-app."""
    notify_role(Role.HR_OFFICER, text, unit_id=order.unit_id)
    for role in TRANSFER_OFFICE:
        notify_role(role, text)


def open_orders(actor: audit.Actor, published: ResultSet) -> list[TransferOrder]:
    """For each warned line of a published set without an order yet (a correction adds only the new ones), an order
    for that post and holder, due ``transfer_due_days`` working days after publication, assigned to the unit's HR."""
    method = MethodSettings.from_dict(published.method)
    published_on = local_day(published.published_at)
    existing = set(
        db.session.execute(
            select(TransferOrder.post_id, TransferOrder.holder_id).where(TransferOrder.cycle_id == published.cycle_id)
        ).all()
    )
    opened = []
    for line in published.rows:
        if line.title != Title.WARNING or line.holder_id is None or (line.post_id, line.holder_id) in existing:
            continue
        post = db.session.get(Post, line.post_id)
        order = TransferOrder(
            cycle_id=published.cycle_id,
            post_id=line.post_id,
            holder_id=line.holder_id,
            unit_id=post.unit_id,
            result_set_id=published.id,
            published_on=published_on,
            due_on=due_date(published_on, method),
            status=TransferStatus.OPEN,
        )
        db.session.add(order)
        db.session.flush()
        audit.record(actor, "transfer.open", "transfer_order", order.id, post_id=order.post_id, after=snapshot(order))
        text = _(
            "%(code)s %(name)s 受到行政告诫,须于 %(due)s 前调离岗位。",
            code=line.post_code,
            name=line.holder_name,
            due=order.due_on.isoformat(),
        )
        _tell(order, text)
        opened.append(order)
    return opened


def _finish(actor: audit.Actor, order: TransferOrder, on: date, successor_id: int | None, how: str) -> None:
    before = snapshot(order)
    order.status, order.transferred_on, order.successor_id = TransferStatus.DONE, on, successor_id
    order.recorded_by, order.recorded_at = actor.name, utcnow()
    db.session.flush()
    audit.record(
        actor,
        "transfer.record",
        "transfer_order",
        order.id,
        post_id=order.post_id,
        before=before,
        after={**snapshot(order), "how": how},
    )


def record_transfer(actor: audit.Actor, order: TransferOrder, successor: str, on: date) -> TransferOrder:
    """调离: the warned holder leaves the post on ``on`` and ``successor`` takes it (the old tenure ends the day
    before, and records dated from ``on`` move to the successor); the order ends."""
    if not order.is_open:
        raise Conflict(_("该调离令已办结。"))
    if on < order.published_on:
        raise InvalidInput(_("调离日期不能早于结果公布日期 %(d)s。", d=order.published_on.isoformat()))
    post = db.session.get(Post, order.post_id)
    current = next((t for t in post.tenures if t.ended_on is None), None)
    if current is None or current.holder_id != order.holder_id:
        raise Conflict(_("受告诫的责任人已不在该岗位;调离令将由系统按任职记录办结。"))
    tenure = change_holder(actor, post, successor, on, reason=_("行政告诫,调离岗位"))
    _finish(actor, order, on, tenure.holder_id, "recorded")
    return order


def settle_transferred(actor: audit.Actor) -> list[TransferOrder]:
    """Open orders whose holder has already left the post another way (the post page, a posts import) end on the
    day after that tenure ended, with the next holder as successor. Idempotent."""
    settled = []
    for order in db.session.scalars(select(TransferOrder).where(TransferOrder.status == TransferStatus.OPEN)):
        tenures = db.session.scalars(
            select(Tenure).where(Tenure.post_id == order.post_id).order_by(Tenure.started_on.nulls_first())
        ).all()
        ended = [t for t in tenures if t.holder_id == order.holder_id and t.ended_on is not None]
        if not ended or any(t.holder_id == order.holder_id and t.ended_on is None for t in tenures):
            continue
        on = ended[-1].ended_on + timedelta(days=1)
        successor = next((t.holder_id for t in tenures if t.started_on == on), None)
        _finish(actor, order, on, successor, "tenure_ended")
        settled.append(order)
    return settled


class Reminders(NamedTuple):
    due_soon: list[TransferOrder]
    overdue: list[TransferOrder]


def remind(today: date | None = None) -> Reminders:
    """Open orders due within REMIND_BEFORE_WORKING_DAYS are reminded once; open orders past their due date are
    marked overdue (督办) and reminded once. In-app notices in the caller's transaction; returns the orders for the
    emails the caller sends after its commit."""
    today = today or local_today()
    horizon = add_working_days(today, REMIND_BEFORE_WORKING_DAYS)
    open_orders_ = db.session.scalars(
        select(TransferOrder)
        .where(TransferOrder.status == TransferStatus.OPEN, TransferOrder.overdue.is_(False))
        .options(selectinload(TransferOrder.post), selectinload(TransferOrder.holder), selectinload(TransferOrder.unit))
        .order_by(TransferOrder.due_on, TransferOrder.id)
    ).all()
    reminders = Reminders([], [])
    for order in open_orders_:
        label = f"{order.post.code} {order.holder.name}"
        if order.due_on < today:
            order.overdue = True
            _tell(
                order,
                _("【督办】%(who)s 的调离令已于 %(due)s 到期,尚未调离。", who=label, due=order.due_on.isoformat()),
            )
            reminders.overdue.append(order)
        elif order.reminded_at is None and order.due_on <= horizon:
            order.reminded_at = utcnow()
            _tell(order, _("%(who)s 的调离令将于 %(due)s 到期,请按时办理。", who=label, due=order.due_on.isoformat()))
            reminders.due_soon.append(order)
    db.session.flush()
    return reminders


def orders_query(unit_id: int | None = None, state: str = ""):
    """Orders for a list, overdue first, then by due date: ``state`` is open, overdue, done or empty (all)."""
    stmt = select(TransferOrder).options(
        selectinload(TransferOrder.post),
        selectinload(TransferOrder.holder),
        selectinload(TransferOrder.successor),
        selectinload(TransferOrder.unit),
        selectinload(TransferOrder.cycle),
    )
    if unit_id is not None:
        stmt = stmt.where(TransferOrder.unit_id == unit_id)
    if state in ("open", "overdue"):
        stmt = stmt.where(TransferOrder.status == TransferStatus.OPEN)
    if state == "overdue":
        stmt = stmt.where(TransferOrder.overdue.is_(True))
    if state == "done":
        stmt = stmt.where(TransferOrder.status == TransferStatus.DONE)
    # "open" sorts after "done": open orders first.
    return stmt.order_by(
        TransferOrder.status.desc(), TransferOrder.overdue.desc(), TransferOrder.due_on, TransferOrder.id
    )


def completed(cycle_id: int) -> dict[tuple[int, int], date]:
    """The transfer date of each completed order of a cycle, by (post id, holder id): for the public result."""
    rows = db.session.execute(
        select(TransferOrder.post_id, TransferOrder.holder_id, TransferOrder.transferred_on).where(
            TransferOrder.cycle_id == cycle_id, TransferOrder.status == TransferStatus.DONE
        )
    )
    return {(post_id, holder_id): on for post_id, holder_id, on in rows}


def completion_mark(cycle_id: int) -> tuple:
    """What the public result pages of a cycle depend on among the orders: how many are done, and the newest."""
    count, newest = db.session.execute(
        select(func.count(TransferOrder.id), func.max(TransferOrder.recorded_at)).where(
            TransferOrder.cycle_id == cycle_id, TransferOrder.status == TransferStatus.DONE
        )
    ).one()
    return (count, newest.isoformat() if newest else "")
