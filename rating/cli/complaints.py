"""Commands for the complaint centre (投诉): ``import-complaints --cycle YEAR FILE`` takes cases concluded in other
systems into a cycle's conduct component."""

import click
from flask.cli import AppGroup

from rating.cli.common import import_into_cycle
from rating.imports import officials as rows_

group = AppGroup("complaints", help="Complaints concluded elsewhere.")


@group.command("import-complaints")
@click.option("--cycle", "year", type=int, required=True)
@click.argument("file", type=click.Path(dir_okay=False))
def import_complaints_command(year: int, file: str):
    """Import concluded complaints (post_code, channel, category, finding, concluded_at) into a cycle."""
    from rating.services.complaints import import_concluded

    import_into_cycle(file, year, rows_.COMPLAINT_COLUMNS, (), rows_.validate_complaints, import_concluded)
