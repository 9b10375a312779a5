"""The verdict's follow-through in the back office: the supervision page (调离督办) of transfer orders and the
accountability ledger (责任追究台账).

The office (admin) and the discipline commission (auditor, 纪委) record measures, add evidence and close entries;
only the office marks a closed entry for the public notices. Evidence files are served from the database to those
two roles only, as attachments.
"""

from flask import Response, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload, undefer

from rating.admin import bp
from rating.admin.ledger_forms import EvidenceForm, MeasureForm, PublishForm
from rating.extensions import db
from rating.forms import EmptyForm
from rating.models.accountability import LedgerEntry, LedgerEvidence, LedgerSource, TransferOrder, TransferStatus
from rating.models.users import Role
from rating.security import roles
from rating.services import ledger, transfers
from rating.views import actor, apply_form

LEDGER_ROLES = (Role.ADMIN, Role.AUDITOR)
STATES = ("open", "overdue", "closed")


@bp.get("/supervision")
@roles(*LEDGER_ROLES)
def supervision():
    """调离督办: every unit's open transfer orders, overdue first."""
    overdue_only = request.args.get("state") == "overdue"
    pagination = db.paginate(
        transfers.orders_query(state="overdue" if overdue_only else "open"),
        per_page=current_app.config["POSTS_PER_PAGE"],
        error_out=False,
    )
    counts = dict(
        db.session.execute(
            select(TransferOrder.overdue, func.count())
            .where(TransferOrder.status == TransferStatus.OPEN)
            .group_by(TransferOrder.overdue)
        ).all()
    )
    return render_template(
        "admin/supervision.html",
        pagination=pagination,
        overdue_only=overdue_only,
        waiting=sum(counts.values()),
        late=counts.get(True, 0),
    )


@bp.get("/ledger")
@roles(*LEDGER_ROLES)
def ledger_list():
    state = request.args.get("state", "open")
    state = state if state in STATES else ""
    source = request.args.get("source", "")
    source = source if source in set(LedgerSource) else ""
    pagination = db.paginate(
        ledger.entries_query(state, source), per_page=current_app.config["POSTS_PER_PAGE"], error_out=False
    )
    return render_template("admin/ledger.html", pagination=pagination, state=state, source=source)


def _entry_or_404(entry_id: int) -> LedgerEntry:
    entry = db.session.get(
        LedgerEntry,
        entry_id,
        options=[selectinload(LedgerEntry.evidence), selectinload(LedgerEntry.unit), selectinload(LedgerEntry.post)],
    )
    if entry is None:
        abort(404)
    return entry


@bp.get("/ledger/<int:entry_id>")
@roles(*LEDGER_ROLES)
def ledger_entry(entry_id: int):
    entry = _entry_or_404(entry_id)
    measure = MeasureForm(obj=entry) if entry.measure else MeasureForm()
    publish = PublishForm(obj=entry)
    return render_template(
        "admin/ledger_entry.html",
        entry=entry,
        measure_form=measure,
        evidence_form=EvidenceForm(),
        publish_form=publish,
        close_form=EmptyForm(),
        order=db.session.get(TransferOrder, entry.transfer_order_id) if entry.transfer_order_id else None,
        line_year=ledger.department_year(entry),
    )


def _back(entry: LedgerEntry) -> str:
    return url_for("admin.ledger_entry", entry_id=entry.id)


@bp.post("/ledger/<int:entry_id>/measure")
@roles(*LEDGER_ROLES)
def ledger_measure(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = MeasureForm()
    return apply_form(
        form,
        lambda: ledger.record_measure(
            actor(),
            entry,
            measure=form.measure.data,
            note=form.note.data,
            decided_by=form.decided_by.data,
            decided_on=form.decided_on.data,
            deadline=form.deadline.data,
        ),
        _("处理措施已登记。"),
        _back(entry),
    )


@bp.post("/ledger/<int:entry_id>/evidence")
@roles(*LEDGER_ROLES)
def ledger_evidence(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = EvidenceForm()

    def upload():
        upload = form.file.data
        data = upload.stream.read(ledger.MAX_EVIDENCE_BYTES + 1)
        return ledger.add_evidence(actor(), entry, upload.filename, data, form.note.data)

    return apply_form(form, upload, _("材料已上传。"), _back(entry))


@bp.get("/ledger/<int:entry_id>/evidence/<int:evidence_id>")
@roles(*LEDGER_ROLES)
def ledger_evidence_file(entry_id: int, evidence_id: int):
    """An evidence file, as an attachment (never rendered inline), to the office and the discipline commission."""
    evidence = db.session.scalar(
        select(LedgerEvidence)
        .where(LedgerEvidence.id == evidence_id, LedgerEvidence.entry_id == entry_id)
        .options(undefer(LedgerEvidence.content))
    )
    if evidence is None:
        abort(404)
    response = Response(evidence.content, mimetype=evidence.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=evidence.filename)
    return response


@bp.post("/ledger/<int:entry_id>/close")
@roles(*LEDGER_ROLES)
def ledger_close(entry_id: int):
    entry = _entry_or_404(entry_id)
    return apply_form(EmptyForm(), lambda: ledger.close(actor(), entry), _("事项已办结。"), _back(entry))


@bp.post("/ledger/<int:entry_id>/publish")
@roles(Role.ADMIN)
def ledger_publish(entry_id: int):
    entry = _entry_or_404(entry_id)
    form = PublishForm()
    return apply_form(
        form,
        lambda: ledger.set_public(
            actor(),
            entry,
            public=form.public.data,
            name_published=form.name_published.data,
            notice_text=form.notice_text.data,
        ),
        lambda _none: _("已在责任追究通报中公开。") if entry.public else _("已取消公开通报。"),
        _back(entry),
    )
