"""Small helpers shared by the back-office blueprints: which cycle and unit a page is about, grid forms, and the end of
every action (commit and say so, or roll back and say why)."""

from dataclasses import dataclass, field

from flask import abort, flash, redirect, request
from flask_login import current_user
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from rating.extensions import db
from rating.imports.reader import Table
from rating.models.cycles import Cycle
from rating.models.units import Unit
from rating.services import audit
from rating.services.cycles import current_cycle, find_cycle
from rating.services.directory import Target, resolve_target, units_with_posts
from rating.services.errors import DomainError

#: The largest id or year a URL may carry: PostgreSQL's ``integer``. Larger ones are no record of ours (404), not an
#: "integer out of range" from the database (500).
INT_MAX = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` in every route: 0 … INT_MAX, so an id or year past the column's range is a 404."""

    def __init__(self, url_map, fixed_digits=0, min=0, max=INT_MAX, signed=False):  # noqa: A002 - werkzeug's names
        super().__init__(url_map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def int_arg(name: str, default: int | None = None, *, low: int = 1, high: int = INT_MAX) -> int | None:
    """A strict integer query parameter of the API: absent gives ``default``; present, it must be a whole number
    from ``low`` to ``high`` (``per_page=null``, ``version=false``, ``page=0`` are a 400, never silently ignored)."""
    text = request.args.get(name)
    if text is None:
        return default
    if not text.strip().isascii() or not text.strip().isdigit() or not low <= int(text) <= high:
        abort(400, description=f"{name} must be an integer from {low} to {high}")
    return int(text)


def lenient_int(text: str) -> int:
    """``type=`` for back-office query parameters (``?cycle=``, ``?page=``): a number outside the database's
    integer range is no number (the caller's default applies), as a word is."""
    value = int(text)
    if not -INT_MAX <= value <= INT_MAX:
        raise ValueError(text)
    return value


def actor() -> audit.Actor:
    return audit.Actor.of(current_user)


def audit_read(entity: str, entity_id: int, fields: list[str], post_id: int | None = None) -> None:
    """Record that the signed-in user is being shown a citizen's contact, and commit it with the page."""
    audit.record_read(actor(), entity, entity_id, fields, post_id=post_id)
    db.session.commit()


def cycle_or_404(year: int) -> Cycle:
    """The cycle of ``year`` for a page about it, or 404."""
    cycle = find_cycle(year)
    if cycle is None:
        abort(404)
    return cycle


def requested_cycle() -> Cycle:
    """The cycle named by ``?cycle=YEAR``, else the current one; 404 when there is none."""
    year = request.args.get("cycle", type=lenient_int) or request.form.get("cycle", type=lenient_int)
    cycle = find_cycle(year) if year else current_cycle()
    if cycle is None:
        abort(404)
    return cycle


def all_cycles() -> list[Cycle]:
    return db.session.scalars(select(Cycle).order_by(Cycle.year.desc())).all()


def requested_unit() -> Unit:
    """Unit-bound roles get their own unit whatever they ask; others pick with ``?unit=CODE``."""
    if current_user.role.unit_bound:
        return current_user.unit
    code = request.args.get("unit") or request.form.get("unit")
    stmt = select(Unit).where(Unit.code == code) if code else units_with_posts().limit(1)
    unit = db.session.scalar(stmt)
    if unit is None:
        abort(404)
    return unit


def grid_table(field_prefix: str, column: str) -> tuple[Table, dict[int, str]]:
    """Turn a grid form (one input per line, named PREFIX + key, the key being a post code or ``code@holder``)
    into a table the file validators accept.

    Only filled inputs become rows; returns the table and the line key of each row number.
    """
    table, keys = Table(["post_code", column, "holder"]), {}
    for name, value in request.form.items():
        if name.startswith(field_prefix) and value.strip():
            line = len(table.rows) + 1
            key = name.removeprefix(field_prefix)
            code, _at, holder = key.partition("@")
            table.rows.append((line, {"post_code": code, column: value.strip(), "holder": holder}))
            keys[line] = key
    return table, keys


def refuse(error: DomainError) -> int:
    """Undo what a refused change flushed and tell the user why; returns the status code for the page shown next."""
    db.session.rollback()
    flash(str(error), "error")
    return error.status_code


def apply_change(change, done, then, *, page=None):
    """Make one change through one service call, commit, say so and go on: the end of every back-office action.

    ``change`` calls the service. ``done`` is the success message, or a function making it from what ``change``
    returned (None: say nothing). ``then`` is the URL to go to after the commit, or a function making it from that
    result (it runs after the commit, so it may remember what only a committed change should leave behind).

    A domain error rolls back and is flashed; then ``page(status)`` shows the form again with the error's status, or,
    without ``page``, the browser goes to ``then`` (which must then be a URL). With ``then=None`` the success is
    shown by ``page(200)`` too, for pages that cannot be redirected to.
    """
    try:
        result = change()
    except DomainError as error:
        status = refuse(error)
        return page(status) if page else redirect(then)
    db.session.commit()
    if done is not None:
        flash(done(result) if callable(done) else done, "success")
    if then is None:
        return page(200)
    return redirect(then(result) if callable(then) else then)


def _flash_invalid(form, message: str | None = None) -> None:
    """Flash why a form was refused: one ``message`` for the whole form, or each field's errors."""
    if message is not None:
        flash(message, "error")
        return
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")


def apply_form(form, change, done, back: str, *, invalid: str | None = None):
    """A POST-only action: validate the form, make the change through one service call, commit, say so, go back.

    Form errors (or the one message ``invalid``) and domain errors are flashed; a domain error rolls back. ``back``
    is the URL to return to. ``done`` is the success message, or a function making it from what ``change`` returned.
    """
    if not form.validate_on_submit():
        _flash_invalid(form, invalid)
        return redirect(back)
    return apply_change(change, done, back)


@dataclass(frozen=True)
class Picked:
    """The search step of a post or unit picker: ``text`` typed that is no code, and what it finds by name."""

    text: str = ""
    candidates: list[Target] = field(default_factory=list)

    @property
    def open(self) -> bool:
        """Still to choose: the form is shown again with the candidates, nothing is saved."""
        return bool(self.text)


def pick(form_field, *, posts: bool = True, units: bool = False) -> Picked:
    """A picker field (phone intake, inspection findings) on a posted form: a candidate chosen from an earlier search
    (``<name>-pick``), a code, or a suggestion ("DT-001 婚姻登记窗口岗 · …") becomes the code the form validates;
    other text is a search (婚姻登记), answered with the posts and units it finds. Works without script: the page
    lists them as a choice; static/js/picker.js offers the same list while typing."""
    if request.method != "POST":
        return Picked()
    text = request.form.get(f"{form_field.name}-pick", "").strip() or (form_field.data or "").strip()
    code, found = resolve_target(text, posts=posts, units=units)
    if code or not text:
        form_field.data = code or ""
        return Picked()
    return Picked(text, found)
