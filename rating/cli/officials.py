"""Commands that import a cycle's evidence on the post holders (每个岗位的年度考核、检查和评价): assessments,
inspection findings, inspection scores, and hotline and paper ratings, each ``--cycle YEAR FILE``."""

import click
from flask.cli import AppGroup

from rating.cli.common import import_into_cycle
from rating.imports import officials as rows_

group = AppGroup("officials", help="A cycle's assessments, inspections and ratings.")

cycle_option = click.option("--cycle", "year", type=int, required=True)
file_argument = click.argument("file", type=click.Path(dir_okay=False))


@group.command("import-assessments")
@cycle_option
@file_argument
def import_assessments_command(year: int, file: str):
    """Import annual assessments (post_code, grade_or_score) into a cycle."""
    from rating.services.officials import record_assessments

    import_into_cycle(
        file,
        year,
        rows_.ASSESSMENT_COLUMNS,
        rows_.ASSESSMENT_INFO_COLUMNS,
        rows_.validate_assessments,
        record_assessments,
    )


@group.command("import-inspections")
@cycle_option
@file_argument
def import_inspections_command(year: int, file: str):
    """Import inspection findings (post_code, date, kind, finding, deduction) into a cycle."""
    from rating.services.officials import record_findings

    import_into_cycle(file, year, rows_.FINDING_COLUMNS, (), rows_.validate_findings, record_findings)


@group.command("import-inspection-scores")
@cycle_option
@file_argument
def import_inspection_scores_command(year: int, file: str):
    """Import comprehensive-inspection scores (post_code, score, round) into a cycle."""
    from rating.services.officials import record_scores

    import_into_cycle(
        file, year, rows_.SCORE_COLUMNS, rows_.ASSESSMENT_INFO_COLUMNS, rows_.validate_scores, record_scores
    )


@group.command("import-ratings")
@cycle_option
@file_argument
def import_ratings_command(year: int, file: str):
    """Import hotline and paper ratings (post_code, level, verified, channel, created_at) into a cycle."""
    from rating.services.ratings import import_ratings

    import_into_cycle(file, year, rows_.RATING_COLUMNS, (), rows_.validate_ratings, import_ratings)
