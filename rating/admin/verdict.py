"""The verdict desk (评议结果): close, compute, public notice, objections, publication and corrections.

Administrators act here; auditors (纪委) read the same pages without the buttons, and ``@roles`` refuses their POSTs.
Every action is one call into ``rating.services.verdict.lifecycle``, so each lands in the audit log exactly as the
same step taken from the command line.
"""

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rating.admin import bp
from rating.admin.verdict_forms import (
    AnswerForm,
    CloseForm,
    ComputeForm,
    CorrectionForm,
    MethodForm,
    NoticeForm,
    ProvisionalForm,
    PublishForm,
)
from rating.labels import TITLE_LABELS
from rating.models.cycles import Cycle, CycleStatus
from rating.models.results import ObjectionKind
from rating.models.users import Role
from rating.scoring.verdict import Title
from rating.security import roles
from rating.services import objections as objection_service
from rating.services import progress as progress_service
from rating.services.cycles import change_method
from rating.services.rankings import publication as ranking_publication
from rating.services.verdict import lifecycle, publication
from rating.views import actor, all_cycles, apply_form, audit_read, cycle_or_404

READERS = (Role.ADMIN, Role.AUDITOR)


def _desk(year: int):
    return redirect(url_for("admin.verdict_cycle", year=year))


def _act(year: int, form, change):
    """Validate ``form``, make one change through a service (it returns the success message), commit, go back.

    Form errors and domain errors are flashed; a domain error rolls everything back.
    """
    cycle = cycle_or_404(year)
    return apply_form(form, lambda: change(cycle), str, url_for("admin.verdict_cycle", year=year))


def _missing(cycle: Cycle):
    """Posts that would make the final computation refuse, named before anyone presses the button."""
    return progress_service.missing(progress_service.post_progress(cycle))


@bp.get("/verdict")
@roles(*READERS)
def verdict():
    cycles = all_cycles()
    return render_template(
        "admin/verdict_index.html",
        cycles=cycles,
        newest=publication.newest_versions(),
        waiting=objection_service.waiting_by_cycle(),
    )


@bp.get("/verdict/<int:year>")
@roles(*READERS)
def verdict_cycle(year: int):
    cycle = cycle_or_404(year)
    shown = publication.desk_result(cycle)
    rows = shown.rows if shown else []
    objections = objection_service.of_cycle(cycle)
    for objection in objections:
        if objection.contact:  # shown to the desk: its reading is recorded
            audit_read("objection", objection.id, ["contact"], objection.post_id)
    warned = []
    if cycle.status == CycleStatus.NOTICE:
        replies = {o.post_id for o in objections if o.kind == ObjectionKind.REPLY}
        warned = [
            (row, objection_service.reply_token(cycle, row.post_code, row.holder_id), row.post_id in replies)
            for row in rows
            if row.title == Title.WARNING
        ]
    method_form = None
    if not cycle.method_frozen:
        method_form = MethodForm(formdata=None)
        method_form.fill(cycle.settings)
    return render_template(
        "admin/verdict_cycle.html",
        cycle=cycle,
        shown=shown,
        rows=rows,
        missing=[] if cycle.status == CycleStatus.PUBLISHED else _missing(cycle),
        blockers=publication.publication_blockers(cycle) + ranking_publication.blockers(cycle)
        if cycle.status == CycleStatus.NOTICE
        else [],
        versions=publication.published_versions(cycle),
        objections=objections,
        warned=warned,
        can_act=current_user.role == Role.ADMIN,
        TITLE_LABELS=TITLE_LABELS,
        forms={
            "close": CloseForm(formdata=None),
            "compute": ComputeForm(formdata=None),
            "provisional": ProvisionalForm(formdata=None),
            "notice": NoticeForm(formdata=None, days=cycle.settings.notice_days),
            "publish": PublishForm(formdata=None),
            "correction": CorrectionForm(formdata=None),
            "answer": AnswerForm(formdata=None),
            "method": method_form,
        },
    )


@bp.post("/verdict/<int:year>/close")
@roles(Role.ADMIN)
def verdict_close(year: int):
    def change(cycle):
        lifecycle.close(actor(), cycle)
        return _("%(year)d 年度评议已结束,不再接收群众评价。", year=cycle.year)

    return _act(year, CloseForm(), change)


@bp.post("/verdict/<int:year>/compute")
@roles(Role.ADMIN)
def verdict_compute(year: int):
    def change(cycle):
        draft = lifecycle.compute_final(actor(), cycle)
        return _("已算出第 %(v)d 版计算结果(%(n)d 个岗位参评)。", v=draft.version, n=draft.ranked)

    return _act(year, ComputeForm(), change)


@bp.post("/verdict/<int:year>/provisional")
@roles(Role.ADMIN)
def verdict_provisional(year: int):
    def change(cycle):
        lifecycle.compute_provisional(cycle, by=actor().name)
        return _("实时排名已刷新。")

    return _act(year, ProvisionalForm(), change)


@bp.post("/verdict/<int:year>/notice")
@roles(Role.ADMIN)
def verdict_notice(year: int):
    form = NoticeForm()

    def change(cycle):
        lifecycle.start_notice(actor(), cycle, form.days.data)
        return _("公示已开始,至 %(day)s 结束。", day=cycle.notice_ends_on.isoformat())

    return _act(year, form, change)


@bp.post("/verdict/<int:year>/publish")
@roles(Role.ADMIN)
def verdict_publish(year: int):
    def change(cycle):
        published = lifecycle.publish(actor(), cycle)
        return _("结果已正式公布(第 %(v)d 版)。", v=published.version)

    return _act(year, PublishForm(), change)


@bp.post("/verdict/<int:year>/correction")
@roles(Role.ADMIN)
def verdict_correction(year: int):
    form = CorrectionForm()

    def change(cycle):
        published = lifecycle.publish_correction(actor(), cycle, form.reason.data)
        return _("更正版本已公布(第 %(v)d 版),此前各版本仍可查阅。", v=published.version)

    return _act(year, form, change)


@bp.post("/verdict/<int:year>/objections/<int:objection_id>")
@roles(Role.ADMIN)
def verdict_answer(year: int, objection_id: int):
    cycle = cycle_or_404(year)
    objection = objection_service.in_cycle(cycle, objection_id)  # NotFound: a 404 page
    form = AnswerForm()

    def change(_cycle):
        objection_service.answer(actor(), objection, form.answer.data)
        return _("已答复 %(ref)s。", ref=objection.reference)

    return _act(year, form, change)


@bp.post("/verdict/<int:year>/method")
@roles(Role.ADMIN)
def verdict_method(year: int):
    form = MethodForm()

    def change(cycle):
        if change_method(actor(), cycle, form.changes()):
            return _("评议办法参数已保存。")
        return _("没有需要保存的改动。")

    return _act(year, form, change)
