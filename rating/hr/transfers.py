"""Transfer orders (调离令) for the HR office (人事科): the warned holders of its own unit, and recording each
transfer (the new holder and the date), which ends the order. The office and the discipline commission read every
unit's orders here too; the office may record a transfer as well."""

from flask import abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from rating.extensions import db
from rating.hr.forms import TransferForm
from rating.hr.routes import EDITORS, READERS, bp
from rating.models.accountability import TransferOrder
from rating.security import require_unit_access, roles
from rating.services import transfers
from rating.views import actor, apply_form

STATES = ("open", "overdue", "done")


def _order_or_404(order_id: int) -> TransferOrder:
    order = db.session.get(
        TransferOrder,
        order_id,
        options=[
            selectinload(TransferOrder.post),
            selectinload(TransferOrder.holder),
            selectinload(TransferOrder.unit),
        ],
    )
    if order is None:
        abort(404)
    require_unit_access(order.unit_id)
    return order


@bp.get("/transfers")
@roles(*READERS)
def transfers_list():
    state = request.args.get("state", "")
    state = state if state in STATES else ""
    unit_id = current_user.unit_id if current_user.role.unit_bound else None
    pagination = db.paginate(
        transfers.orders_query(unit_id, state), per_page=current_app.config["POSTS_PER_PAGE"], error_out=False
    )
    return render_template("hr/transfers.html", pagination=pagination, state=state, states=STATES)


@bp.get("/transfers/<int:order_id>")
@roles(*READERS)
def transfer(order_id: int):
    order = _order_or_404(order_id)
    can_record = order.is_open and current_user.role in EDITORS
    return render_template("hr/transfer.html", order=order, form=TransferForm(), can_record=can_record)


@bp.post("/transfers/<int:order_id>")
@roles(*EDITORS)
def record_transfer(order_id: int):
    order = _order_or_404(order_id)
    form = TransferForm()
    return apply_form(
        form,
        lambda: transfers.record_transfer(actor(), order, form.successor.data, form.transferred_on.data),
        lambda done: _(
            "已登记调离:%(name)s 于 %(d)s 调离,%(successor)s 接任。",
            name=done.holder.name,
            d=done.transferred_on.isoformat(),
            successor=form.successor.data.strip(),
        ),
        url_for("hr.transfer", order_id=order.id),
    )
