"""What the commands share: reading a file, refusing with a message (exit 1, nothing written), and running one
service step and committing once. Used by the area modules of ``rating.cli``."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn, TypeVar

import click

from rating.extensions import db
from rating.imports.reader import ImportFailed, Limits, Table, read_table
from rating.models.cycles import Cycle
from rating.services import audit
from rating.services.cycles import cycle_by_year
from rating.services.errors import DomainError

T = TypeVar("T")

#: The refusal of an import: nothing of the file was written.
IMPORT_REFUSED = "导入失败,未写入任何数据 / import refused, nothing written"


def fail(message: str) -> NoReturn:
    """Roll back whatever the command did, say why on stderr, and exit 1."""
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def read_file(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        fail(f"找不到文件 / file not found: {path}")
    return file.read_bytes()


def read_rows(data: bytes, path: str, columns: list[str], optional: tuple[str, ...] = ()) -> Table:
    """The file's table checked for ``columns`` (and ``optional`` ones), within the configured import limits."""
    return read_table(data, Path(path).name, columns, optional, Limits.configured())


def report_import_failure(exc: ImportFailed) -> NoReturn:
    """Every bad row with its line and reason, on stderr; exit 1 with nothing written."""
    db.session.rollback()
    click.echo(f"{IMPORT_REFUSED} ({len(exc.errors)} problem(s)):", err=True)
    for error in exc.errors:
        click.echo(f"  {error}", err=True)
    sys.exit(1)


def cycle_or_fail(year: int) -> Cycle:
    try:
        return cycle_by_year(year)
    except DomainError as exc:
        fail(str(exc))


def run_step(step: Callable[..., T], *args) -> T:
    """One service step, committed; a domain error rolls it back and ends the command."""
    try:
        result = step(*args)
        db.session.commit()
    except DomainError as exc:
        fail(f"失败 / refused: {exc}")
    return result


def import_into_cycle(path: str, year: int, columns, optional, validate, write) -> None:
    """An import of a cycle's evidence (assessments, findings, scores, ratings, concluded complaints): read and
    check every row against the cycle, then write them all in one commit, or nothing."""
    from rating.services import officials

    data = read_file(path)
    try:
        cycle = cycle_by_year(year)
        officials.check_open_for_entries(cycle, officials.Amendment())
        rows = validate(read_rows(data, path, columns, optional), officials.import_context(cycle))
        result = write(audit.CLI, cycle, rows)
    except ImportFailed as exc:
        report_import_failure(exc)
    except DomainError as exc:
        fail(f"{IMPORT_REFUSED}: {exc}")
    db.session.commit()
    click.echo(f"imported {len(rows)} row(s) into cycle {year}: {result}")


def write_export(data: bytes, output: str | None, fmt: str, written: str) -> None:
    """An export's bytes to ``output`` (saying ``written`` on stderr) or to stdout; XLSX never to a terminal."""
    if output:
        Path(output).write_bytes(data)
        click.echo(f"{written} {output}", err=True)
    elif fmt == "xlsx" and sys.stdout.isatty():
        fail("XLSX is binary: give --output FILE")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
