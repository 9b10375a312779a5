"""Commands for the rankings beside the post verdict (SPEC §6, §7): ``import-units FILE``, ``import-unit-scores``
and ``import-station-ratings`` (``--cycle YEAR FILE``), ``compute-departments``, ``compute-stations``,
``publish-rankings`` (a ranking computed after the cycle's verdict was published) and ``export-departments`` /
``export-stations`` (``--format csv|xlsx|json [--output F]``). Notice and publication are the verdict's:
``notice`` and ``publish`` carry the newest ranking drafts with them."""

import click
from flask.cli import AppGroup

from rating.cli.common import (
    IMPORT_REFUSED,
    cycle_or_fail,
    fail,
    import_into_cycle,
    read_file,
    read_rows,
    report_import_failure,
    run_step,
    write_export,
)
from rating.extensions import db
from rating.imports import units as unit_rows
from rating.imports.reader import ImportFailed
from rating.models.rankings import Ranking
from rating.services import audit
from rating.services.errors import DomainError

group = AppGroup("rankings", help="Units, their scores, and the department and station rankings.")

cycle_option = click.option("--cycle", "year", type=int, required=True)
file_argument = click.argument("file", type=click.Path(dir_okay=False))


@group.command("import-units")
@click.option("--cycle", "year", type=int, default=None, help="Accepted and ignored: units are not per cycle.")
@file_argument
def import_units_command(year: int | None, file: str):
    """Import units from CSV or XLSX (code, name, kind, head), upserted by code."""
    from rating.services.units import import_units

    data = read_file(file)
    try:
        rows = unit_rows.validate_units(read_rows(data, file, unit_rows.UNIT_COLUMNS))
        summary = import_units(audit.CLI, rows)
    except ImportFailed as exc:
        report_import_failure(exc)
    except DomainError as exc:
        fail(f"{IMPORT_REFUSED}: {exc}")
    db.session.commit()
    click.echo(f"imported {len(rows)} row(s): {summary}")


@group.command("import-unit-scores")
@cycle_option
@file_argument
def import_unit_scores_command(year: int, file: str):
    """Import unit scores (unit_code, targets, responsibility, conduct, targets_met) into a cycle."""
    from rating.services.unit_scores import record_unit_scores, units_by_code

    def validate(table, _context):
        return unit_rows.validate_unit_scores(table, units_by_code())

    import_into_cycle(
        file, year, unit_rows.UNIT_SCORE_COLUMNS, unit_rows.UNIT_SCORE_INFO_COLUMNS, validate, record_unit_scores
    )


@group.command("import-station-ratings")
@cycle_option
@file_argument
def import_station_ratings_command(year: int, file: str):
    """Import hotline and paper ratings of stations (unit_code, level, verified, channel, created_at)."""
    from rating.services import stations
    from rating.services.ratings import import_ratings

    def validate(table, context):
        return unit_rows.validate_station_ratings(table, context, stations.desks())

    import_into_cycle(file, year, unit_rows.STATION_RATING_COLUMNS, (), validate, import_ratings)


@group.command("compute-departments")
@cycle_option
def compute_departments_command(year: int):
    """Compute the department ranking of a cycle into a draft (published with the cycle's verdict)."""
    from rating.services.rankings import lifecycle

    draft = run_step(lifecycle.compute_departments, audit.CLI, cycle_or_fail(year))
    rows = draft.rows
    click.echo(
        f"{year}: department draft {draft.version}, {draft.ranked} units ranked; "
        f"commended {sum(r.commended for r in rows)}, yellow cards {sum(r.yellow_card for r in rows)}, "
        f"last {sum(r.last for r in rows)}, head to resign {sum(r.head_to_resign for r in rows)}; "
        f"sha256 {draft.content_hash}"
    )


@group.command("compute-stations")
@cycle_option
def compute_stations_command(year: int):
    """Compute the grassroots-station satisfaction ranking of a cycle into a draft."""
    from rating.services.rankings import lifecycle

    draft = run_step(lifecycle.compute_stations, audit.CLI, cycle_or_fail(year))
    named = ", ".join(r.unit_code for r in draft.rows if r.named_lowest) or "none"
    click.echo(
        f"{year}: station draft {draft.version}, {draft.ranked} of {len(draft.rows)} stations ranked; "
        f"lowest named: {named}; sha256 {draft.content_hash}"
    )


@group.command("publish-rankings")
@cycle_option
@click.option("--ranking", type=click.Choice([str(r) for r in Ranking]), required=True)
@click.option("--reason", required=True, help="Why the ranking is published after the cycle's verdict.")
def publish_rankings_command(year: int, ranking: str, reason: str):
    """Publish a ranking computed after the cycle's verdict was published (otherwise ``publish`` does it)."""
    from rating.services.rankings import lifecycle

    published = run_step(lifecycle.publish_late, audit.CLI, cycle_or_fail(year), Ranking(ranking), reason)
    click.echo(f"{year}: {ranking} published version {published.version}, sha256 {published.content_hash}")


def _export(year: int, ranking: Ranking, fmt: str, output: str | None) -> None:
    from rating.services.rankings import export, publication

    cycle = cycle_or_fail(year)
    try:
        ranking_set = publication.for_export(cycle, ranking)
    except DomainError as exc:
        fail(str(exc))
    write_export(
        export.encode(cycle, ranking_set, fmt), output, fmt, f"{year}: {len(ranking_set.rows)} lines written to"
    )


format_option = click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True)
output_option = click.option("--output", type=click.Path(dir_okay=False), default=None, help="Default: stdout.")


@group.command("export-departments")
@cycle_option
@format_option
@output_option
def export_departments_command(year: int, fmt: str, output: str | None):
    """Write a cycle's department ranking: the newest published set, else the newest draft."""
    _export(year, Ranking.DEPARTMENTS, fmt, output)


@group.command("export-stations")
@cycle_option
@format_option
@output_option
def export_stations_command(year: int, fmt: str, output: str | None):
    """Write a cycle's station ranking: the newest published set, else the newest draft."""
    _export(year, Ranking.STATIONS, fmt, output)
