"""The back office (后台): each role's landing page, posts and holders, post import, users, cycles."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from rating import uploads
from rating.admin import bp
from rating.admin.accounts import centre_choices
from rating.admin.forms import CycleForm, HolderForm, ImportUploadForm, PostForm, UserForm
from rating.admin.menu import ROLE_DUTIES, actions_for
from rating.exports import csv_response, xlsx_response
from rating.extensions import db
from rating.forms import EmptyForm
from rating.imports import posts as post_rows
from rating.imports.vocab import split_items
from rating.labels import ROLE_LABELS
from rating.labels.complaints import centre_name
from rating.models.centres import ComplaintCentre
from rating.models.cycles import Cycle
from rating.models.posts import Post, Tenure
from rating.models.units import Unit
from rating.models.users import Role, User
from rating.security import STAFF, require_unit_access, roles
from rating.services import audit, notifications
from rating.services import progress as progress_service
from rating.services.cycles import create_cycle
from rating.services.directory import posts_query
from rating.services.officials import records_of_post
from rating.services.posts import change_holder, import_posts, update_post
from rating.services.users import create_user
from rating.views import apply_change, apply_form, cycle_or_404

ADMIN = Role.ADMIN
READERS = (Role.ADMIN, Role.AUDITOR)
POSTS = uploads.Spreadsheet(
    "posts",
    post_rows.COLUMNS,
    post_rows.OPTIONAL,
    header=(_l("行"), _l("编号"), _l("单位"), _l("岗位"), _l("责任人"), _l("职责")),
)


def _actor():
    return audit.Actor.of(current_user)


def _post_or_404(code: str) -> Post:
    post = db.session.scalar(
        select(Post)
        .where(Post.code == code.upper())
        .options(selectinload(Post.unit), selectinload(Post.tenures).selectinload(Tenure.holder))
    )
    if post is None:
        abort(404)
    require_unit_access(post.unit_id)
    return post


@bp.get("/")
@roles(*STAFF)
def index():
    role = current_user.role
    return render_template(
        "admin/index.html",
        duties=ROLE_DUTIES[role],
        actions=actions_for(role),
        notifications=notifications.unread_for(current_user),
        form=EmptyForm(),
    )


@bp.post("/notifications/read")
@roles(Role.UNIT_STAFF, Role.COMPLAINT_HANDLER, Role.HR_OFFICER, Role.ADMIN, Role.AUDITOR)
def notifications_read():
    if EmptyForm().validate_on_submit():
        notifications.mark_all_read(current_user)
        db.session.commit()
    return redirect(url_for("admin.index"))


@bp.get("/posts")
@roles(*STAFF)
def posts():
    q = request.args.get("q", "").strip()[:100]
    unit_id = current_user.unit_id if current_user.role.unit_bound else None
    pagination = db.paginate(
        posts_query(q, include_inactive=True, unit_id=unit_id), per_page=current_app.config["POSTS_PER_PAGE"]
    )
    return render_template("admin/posts.html", pagination=pagination, q=q)


@bp.get("/posts/<code>")
@roles(*STAFF)
def post(code: str):
    post = _post_or_404(code)
    entries = audit.post_history(post.id, current_user.role)
    return render_template(
        "admin/post.html",
        post=post,
        entries=entries,
        records=records_of_post(post),
        holder_form=HolderForm(),
        can_edit=current_user.role == ADMIN,
    )


@bp.route("/posts/<code>/edit", methods=["GET", "POST"])
@roles(ADMIN)
def edit_post(code: str):
    post = _post_or_404(code)
    form = PostForm(obj=post if request.method == "GET" else None)
    if request.method == "GET":
        form.responsibilities.data, form.commitments.data = post.responsibilities, post.commitments
    if form.validate_on_submit():
        changed = update_post(
            _actor(),
            post,
            title=form.title.data,
            responsibilities=split_items(form.responsibilities.data),
            commitments=split_items(form.commitments.data or ""),
            active=form.active.data,
        )
        db.session.commit()
        flash(_("岗位信息已保存。") if changed else _("没有需要保存的改动。"), "success")
        return redirect(url_for("admin.post", code=post.code))
    return render_template("admin/post_edit.html", post=post, form=form)


@bp.post("/posts/<code>/holder")
@roles(ADMIN)
def change_post_holder(code: str):
    post, form = _post_or_404(code), HolderForm()
    return apply_form(
        form,
        lambda: change_holder(_actor(), post, form.name.data, form.started_on.data, form.reason.data or ""),
        _("岗位责任人已变更,历史任职记录已保留。"),
        url_for("admin.post", code=post.code),
        invalid=_("请填写新任责任人姓名和任职日期。"),
    )


def _post_cells(rows) -> list[tuple]:
    return [(r.line, r.code, r.unit, r.title, r.holder, len(r.responsibilities)) for r in rows]


def _posts_failed(errors):
    """Bad rows are listed above the upload form, to upload the corrected file at once."""
    return render_template("admin/import_posts.html", form=ImportUploadForm(), errors=errors), 422


@bp.route("/posts/import", methods=["GET", "POST"])
@roles(ADMIN)
def import_posts_upload():
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_template("admin/import_posts.html", form=form, errors=None)
    return uploads.preview(
        POSTS,
        form.file.data,
        post_rows.validate_rows,
        _post_cells,
        back=url_for("admin.import_posts_upload"),
        confirm_url=url_for("admin.import_posts_confirm"),
        failed=_posts_failed,
    )


@bp.post("/posts/import/confirm")
@roles(ADMIN)
def import_posts_confirm():
    kept = uploads.take(POSTS.kind)
    if kept is None:
        return uploads.expired(url_for("admin.import_posts_upload"))
    return uploads.confirm(
        POSTS,
        kept,
        post_rows.validate_rows,
        lambda rows: import_posts(_actor(), rows),
        lambda _rows, summary: _("导入完成:%(summary)s", summary=str(summary)),
        back=url_for("admin.import_posts_upload"),
        then=url_for("admin.posts"),
        failed=_posts_failed,
    )


@bp.get("/users")
@roles(*READERS)
def users():
    pagination = db.paginate(
        select(User)
        .options(selectinload(User.unit), selectinload(User.centre).selectinload(ComplaintCentre.county))
        .order_by(User.role, User.username)
    )
    return render_template("admin/users.html", pagination=pagination, centre_name=centre_name)


@bp.route("/users/new", methods=["GET", "POST"])
@roles(ADMIN)
def new_user():
    form = UserForm()
    form.role.choices = [SelectChoice(role.value, str(ROLE_LABELS[role])) for role in Role]
    form.unit.choices = [SelectChoice("", "—")] + [
        SelectChoice(u.code, f"{u.code} {u.name}") for u in db.session.scalars(select(Unit).order_by(Unit.code))
    ]
    form.centre.choices = centre_choices()
    if not form.validate_on_submit():
        return render_template("admin/user_new.html", form=form)
    return apply_change(
        lambda: create_user(
            _actor(),
            username=form.username.data,
            password=form.password.data,
            role=form.role.data,
            unit_code=form.unit.data or None,
            display_name=form.display_name.data or "",
            centre_code=form.centre.data or None,
        ),
        lambda user: _("用户 %(name)s 已创建。", name=user.username),
        url_for("admin.users"),
        page=lambda status: (render_template("admin/user_new.html", form=form), status),
    )


@bp.get("/cycles")
@roles(*READERS)
def cycles():
    rows = db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()
    return render_template("admin/cycles.html", cycles=rows, form=CycleForm(), can_create=current_user.role == ADMIN)


@bp.post("/cycles")
@roles(ADMIN)
def new_cycle():
    form = CycleForm()
    return apply_form(
        form,
        lambda: create_cycle(_actor(), form.year.data, form.starts_on.data, form.ends_on.data),
        lambda cycle: _("%(year)d 年度评议周期已创建。", year=cycle.year),
        url_for("admin.cycles"),
        invalid=_("请填写正确的年度(2000–2100)和日期。"),
    )


@bp.get("/cycles/<int:year>/progress")
@roles(*READERS)
def progress(year: int):
    cycle = cycle_or_404(year)
    posts = progress_service.post_progress(cycle)
    return render_template(
        "admin/progress.html",
        cycle=cycle,
        units=progress_service.unit_progress(posts),
        missing=progress_service.missing(posts),
        total=len(posts),
    )


@bp.get("/cycles/<int:year>/missing.<fmt>")
@roles(*READERS)
def missing_export(year: int, fmt: str):
    cycle = cycle_or_404(year)
    if fmt not in ("csv", "xlsx"):
        abort(404)
    header = ["post_code", "title", "holder", "unit_code", "unit", "missing"]
    rows = [
        (
            p.code,
            p.title,
            p.holder or "",
            p.unit_code,
            p.unit_name,
            "; ".join(
                label
                for label, gap in ((_("年度考核"), not p.assessed), (_("综合检查评议"), not p.score_rounds))
                if gap
            ),
        )
        for p in progress_service.missing(progress_service.post_progress(cycle))
    ]
    make = csv_response if fmt == "csv" else xlsx_response
    return make(f"missing-{year}.{fmt}", header, rows)
