"""Commands for a cycle's verdict (评议结果), in the order of its life: ``close-cycle``, ``compute``, ``notice``,
``publish`` and ``export-results``, each ``--cycle YEAR``. The scheduler does the same steps on its own
(``rating.jobs``); these are for the office doing them by hand."""

from collections import Counter

import click
from flask.cli import AppGroup

from rating.cli.common import cycle_or_fail, fail, run_step, write_export
from rating.services import audit
from rating.services.errors import DomainError

group = AppGroup("verdict", help="Close, compute, give notice of, publish and export a cycle's result.")

cycle_option = click.option("--cycle", "year", type=int, required=True)


@group.command("close-cycle")
@cycle_option
def close_cycle_command(year: int):
    """Stop rating intake of an open cycle (the scheduler does this at the cycle's end date)."""
    from rating.services.verdict import lifecycle

    run_step(lifecycle.close, audit.CLI, cycle_or_fail(year))
    click.echo(f"{year}: closed, rating intake stopped")


@group.command("compute")
@cycle_option
def compute_command(year: int):
    """Final computation of a cycle (SPEC §3) into a draft result; an open cycle is closed first. Refused,
    naming every post, while any post lacks an assessment or an inspection score."""
    from rating.services.verdict import lifecycle

    cycle = cycle_or_fail(year)
    draft = run_step(lifecycle.compute_final, audit.CLI, cycle)
    titles = Counter(row.title for row in draft.rows)
    click.echo(
        f"{year}: draft {draft.version} computed for {draft.ranked} posts, status {cycle.status}; "
        f"benchmark {titles['benchmark']}, excellent {titles['excellent']}, "
        f"warning {titles['warning']}; sha256 {draft.content_hash}"
    )


@group.command("notice")
@cycle_option
@click.option("--days", type=int, default=None, help="Length of the notice period (default: the method's).")
def notice_command(year: int, days: int | None):
    """Put the newest draft up for public notice (公示)."""
    from rating.services.verdict import lifecycle

    cycle = cycle_or_fail(year)
    run_step(lifecycle.start_notice, audit.CLI, cycle, days)
    click.echo(f"{year}: in public notice {cycle.notice_starts_on} – {cycle.notice_ends_on}")


@group.command("publish")
@cycle_option
@click.option("--correction", "reason", default=None, help="Publish a corrected new version, with this reason.")
def publish_command(year: int, reason: str | None):
    """Publish a cycle's result after its notice period (every objection answered), or a correction."""
    from rating.services.verdict import lifecycle

    cycle = cycle_or_fail(year)
    if reason is None:
        published = run_step(lifecycle.publish, audit.CLI, cycle)
    else:
        published = run_step(lifecycle.publish_correction, audit.CLI, cycle, reason)
    click.echo(f"{year}: published version {published.version}, sha256 {published.content_hash}")


@group.command("export-results")
@cycle_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True)
@click.option("--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
@click.option("--version", "version", type=int, default=None, help="A published version (default: the newest).")
def export_results_command(year: int, fmt: str, output: str | None, version: int | None):
    """Write a cycle's result: the newest published version, else the newest draft."""
    from rating.services.verdict import export, publication

    cycle = cycle_or_fail(year)
    try:
        result_set = publication.for_export(cycle, version)
    except DomainError as exc:
        fail(str(exc))
    write_export(
        export.encode(cycle, result_set, fmt), output, fmt, f"{year}: {len(result_set.rows)} results written to"
    )
