"""The upload → preview → confirm flow (上传、预览、确认导入) of the back office's spreadsheet imports: annual
assessments (hr), inspection findings and scores (inspect) and posts (admin) all go through it.

``preview`` reads and checks an uploaded file and shows what it would write, writing nothing; the file is kept for an
hour, bound to the user who uploaded it and named by a token in the preview's confirm form. ``take`` hands it back
once; ``confirm`` checks it again against the data as they are now and writes it all or nothing through one service
call, which records the audit entries.
"""

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import current_app, flash, redirect, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import DataRequired, Length

from rating.extensions import db
from rating.imports.reader import ImportFailed, Limits, RowError, Table, read_table
from rating.services.errors import DomainError
from rating.views import apply_change, refuse

MAX_AGE_SECONDS = 3600
#: The preview shows this many rows and the count of all: a 100,000-row file is checked whole, not shown whole.
PREVIEW_ROWS = 200


@dataclass(frozen=True)
class Spreadsheet:
    """One kind of import: the columns its file has and how its preview is titled."""

    #: Kept with the file, so that a token confirms only the kind of import it was uploaded for.
    kind: str
    columns: list[str]
    optional: tuple[str, ...] = ()
    caption: str = _l("导入预览")
    #: The preview table's headings; the view's ``cells`` gives each row's cells in this order.
    header: tuple[str, ...] = ()


@dataclass(frozen=True)
class PreviewLine:
    """A preview row that says what it changes: ``change`` is new, changed or unchanged against the stored value
    (labels in ``rating.labels.IMPORT_CHANGE_LABELS``); ``warned`` marks a row the reader should look at twice."""

    cells: tuple
    change: str
    warned: bool = False


def change(before: str, after: str) -> str:
    """new (nothing stored), unchanged (the same value) or changed."""
    if not before:
        return "new"
    return "unchanged" if before == after else "changed"


class ConfirmForm(FlaskForm):
    """The preview's confirm button: the kept file's token (and, like every form, the CSRF token)."""

    token = HiddenField(validators=[DataRequired(), Length(max=64)])


@dataclass(frozen=True)
class Kept:
    data: bytes
    filename: str
    meta: dict

    @property
    def kind(self) -> str | None:
        return self.meta.get("kind")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _sweep(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep(data: bytes, filename: str, **meta) -> str:
    folder = _folder()
    _sweep(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.data").write_bytes(data)
    (folder / f"{token}.json").write_text(json.dumps({"filename": filename, "user_id": current_user.id, "meta": meta}))
    return token


def _take(token: str) -> Kept | None:
    """The kept file for this token if it belongs to the current user and has not expired; removes it."""
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    folder = _folder()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.data"
    if not meta_path.exists() or not data_path.exists():
        return None
    meta = json.loads(meta_path.read_text())
    if meta.get("user_id") != current_user.id or meta_path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
        return None
    kept = Kept(data_path.read_bytes(), meta["filename"], meta.get("meta", {}))
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
    return kept


def take(*kinds: str) -> Kept | None:
    """The file named by the posted confirm form, if it is still kept, the user's own and of one of ``kinds``.

    A file is taken once: a second confirmation of the same preview finds nothing.
    """
    form = ConfirmForm()
    kept = _take(form.token.data) if form.validate_on_submit() else None
    return kept if kept is not None and kept.kind in kinds else None


def expired(restart: str):
    """The answer when ``take`` found nothing: the user uploads again at ``restart``."""
    flash(_("上传的文件已过期,请重新上传。"), "error")
    return redirect(restart)


def _read(sheet: Spreadsheet, file_storage) -> tuple[bytes, str, Table]:
    if file_storage is None or not file_storage.filename:
        raise ImportFailed([RowError(0, _("请选择要上传的文件。"))])
    data = file_storage.read()
    table = read_table(data, file_storage.filename, sheet.columns, sheet.optional, Limits.configured())
    return data, file_storage.filename, table


def _errors_page(back: str) -> Callable:
    return lambda errors: (render_template("imports/errors.html", errors=errors, back=back), 422)


def preview(
    sheet: Spreadsheet,
    file_storage,
    check,
    cells,
    *,
    back,
    confirm_url,
    meta=None,
    guard=None,
    failed=None,
    warnings=None,
):
    """Read and check an uploaded file and show the rows it would write; nothing is written.

    ``check(table)`` returns the rows, or raises ImportFailed naming every bad row with its line and reason;
    ``cells(rows)`` gives the preview table (tuples, or ``PreviewLine``s that say what each row changes);
    ``warnings(rows)`` what the reader should know before confirming (shown above the table). ``guard()`` may refuse
    the import before the file is read (a domain error, flashed on the way ``back``). ``failed(errors)`` shows bad
    rows, by default on the shared errors page with 422. ``meta`` (the cycle's year, the unit's code) is kept with
    the file for ``confirm``.
    """
    try:
        if guard is not None:
            guard()
        data, filename, table = _read(sheet, file_storage)
        rows = check(table)
    except ImportFailed as exc:
        return (failed or _errors_page(back))(exc.errors)
    except DomainError as error:
        refuse(error)
        return redirect(back)
    token = keep(data, filename, kind=sheet.kind, **(meta or {}))
    shown = [
        line if isinstance(line, PreviewLine) else PreviewLine(tuple(line), "") for line in cells(rows[:PREVIEW_ROWS])
    ]
    return render_template(
        "imports/preview.html",
        caption=sheet.caption,
        header=sheet.header,
        rows=shown,
        changes={kind: sum(1 for line in shown if line.change == kind) for kind in ("new", "changed", "unchanged")},
        warnings=warnings(rows) if warnings else [],
        total=len(rows),
        form=ConfirmForm(token=token),
        confirm_url=confirm_url,
        back=back,
    )


def confirm(sheet: Spreadsheet, kept: Kept, check, write, done, *, back, then=None, failed=None):
    """Check the kept file again, write its rows through one service call and commit: all or nothing.

    ``check`` is the preview's; ``write(rows)`` calls the service; ``done(rows, result)`` is the message after the
    commit, then the browser goes to ``then`` (default ``back``). Bad rows (the data may have changed since the
    preview) roll back and show ``failed(errors)``; a domain error rolls back and is flashed on the way ``back``.
    """

    def change():
        rows = check(read_table(kept.data, kept.filename, sheet.columns, sheet.optional, Limits.configured()))
        return rows, write(rows)

    try:
        return apply_change(change, lambda written: done(*written), then or back, page=lambda _status: redirect(back))
    except ImportFailed as exc:
        db.session.rollback()
        return (failed or _errors_page(back))(exc.errors)
