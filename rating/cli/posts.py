"""Commands for the posts (岗位): ``import-posts FILE``."""

import click
from flask.cli import AppGroup

from rating.cli.common import read_file, read_rows, report_import_failure
from rating.extensions import db
from rating.imports import posts as post_rows
from rating.imports.reader import ImportFailed
from rating.services import audit

group = AppGroup("posts", help="Posts and their holders.")


@group.command("import-posts")
@click.argument("file", type=click.Path(dir_okay=False))
def import_posts_command(file: str):
    """Import posts from CSV or XLSX (code, unit, unit_kind, title, holder, responsibilities, commitments)."""
    from rating.services.posts import import_posts

    data = read_file(file)
    try:
        rows = post_rows.validate_rows(read_rows(data, file, post_rows.COLUMNS, post_rows.OPTIONAL))
        summary = import_posts(audit.CLI, rows)
    except ImportFailed as exc:
        report_import_failure(exc)
    db.session.commit()
    click.echo(f"imported {len(rows)} row(s): {summary}")
