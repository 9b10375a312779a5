"""The flask commands (SPEC §7): ``flask --app rating COMMAND``. Each command commits once, or not at all."""

import sys
from pathlib import Path

import click
from flask import current_app

from rating.extensions import db
from rating.imports import posts as post_rows
from rating.imports.reader import ImportFailed, read_table
from rating.models.users import Role
from rating.services import audit
from rating.services.cycles import cycle_by_year
from rating.services.errors import DomainError


def _fail(message: str) -> None:
    db.session.rollback()
    click.echo(message, err=True)
    sys.exit(1)


def _read_file(path: str) -> bytes:
    file = Path(path)
    if not file.is_file():
        _fail(f"找不到文件 / file not found: {path}")
    return file.read_bytes()


def _report_import_failure(exc: ImportFailed) -> None:
    db.session.rollback()
    click.echo(f"导入失败,未写入任何数据 / import refused, nothing written ({len(exc.errors)} problem(s)):", err=True)
    for error in exc.errors:
        click.echo(f"  {error}", err=True)
    sys.exit(1)


def register(app) -> None:
    @app.cli.command("seed")
    @click.option("--if-empty", is_flag=True, help="Only when the database holds no posts yet (make run).")
    @click.option("--allow-production", is_flag=True, help="Seed even with RATING_ENV=production.")
    def seed(if_empty: bool, allow_production: bool):
        """Load the demo data in seeds/ (idempotent)."""
        from rating import seed as seeding

        if current_app.config["RATING_ENV"] == "production" and not allow_production:
            _fail(
                "seed creates demo accounts with published passwords; refused with RATING_ENV=production "
                "(set RATING_ENV=development, or pass --allow-production for a demo server)."
            )
        if if_empty and not seeding.database_is_empty():
            click.echo("database already holds data; seed skipped")
        else:
            report = seeding.run()
            db.session.commit()
            for line in report.lines:
                click.echo(line)
        click.echo("demo logins (username / password / role):")
        for username, password, role in seeding.demo_logins():
            click.echo(f"  {username:<14} {password:<22} {role}")

    @app.cli.command("create-user")
    @click.argument("name")
    @click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
    @click.option("--unit", "unit_code", help="Unit code, required for hr_officer and unit_staff.")
    @click.option("--display-name", default="")
    @click.option("--email", default="", help="Address for overdue-complaint reminders (optional).")
    def create_user_command(name: str, role: str, unit_code: str | None, display_name: str, email: str):
        """Create a back-office user; the password is read from stdin or prompted for."""
        from rating.services.users import create_user

        if sys.stdin.isatty():
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        else:
            password = sys.stdin.readline().rstrip("\r\n")
        try:
            user = create_user(
                audit.CLI,
                username=name,
                password=password,
                role=role,
                unit_code=unit_code,
                display_name=display_name,
                email=email or None,
            )
        except DomainError as exc:
            _fail(str(exc))
        db.session.commit()
        click.echo(f"created user {user.username} ({user.role})")

    @app.cli.command("create-cycle")
    @click.argument("year", type=int)
    @click.option("--starts-on", type=click.DateTime(["%Y-%m-%d"]), help="Default: January 1.")
    @click.option("--ends-on", type=click.DateTime(["%Y-%m-%d"]), help="Default: December 31.")
    def create_cycle_command(year: int, starts_on, ends_on):
        """Create an evaluation cycle with the default method (SPEC §3)."""
        from rating.services.cycles import create_cycle

        try:
            cycle = create_cycle(
                audit.CLI, year, starts_on.date() if starts_on else None, ends_on.date() if ends_on else None
            )
        except DomainError as exc:
            _fail(str(exc))
        db.session.commit()
        click.echo(f"created cycle {cycle.year}: {cycle.starts_on} – {cycle.ends_on}, status {cycle.status}")

    @app.cli.command("import-posts")
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_posts_command(file: str):
        """Import posts from CSV or XLSX (code, unit, unit_kind, title, holder, responsibilities, commitments)."""
        from rating.services.posts import import_posts

        data = _read_file(file)
        try:
            rows = post_rows.validate_rows(
                read_table(
                    data,
                    Path(file).name,
                    post_rows.COLUMNS,
                    post_rows.OPTIONAL,
                    max_bytes=current_app.config["IMPORT_MAX_BYTES"],
                )
            )
            summary = import_posts(audit.CLI, rows)
        except ImportFailed as exc:
            _report_import_failure(exc)
        db.session.commit()
        click.echo(f"imported {len(rows)} row(s): {summary}")

    def officials_import(file: str, year: int, columns, optional, validate, write) -> None:
        from rating.services import officials

        data = _read_file(file)
        try:
            cycle = cycle_by_year(year)
            officials.check_open_for_entries(cycle, officials.Amendment())
            table = read_table(
                data, Path(file).name, columns, optional, max_bytes=current_app.config["IMPORT_MAX_BYTES"]
            )
            rows = validate(table, officials.import_context(cycle))
            result = write(audit.CLI, cycle, rows)
        except ImportFailed as exc:
            _report_import_failure(exc)
        except DomainError as exc:
            _fail(f"导入失败,未写入任何数据 / import refused, nothing written: {exc}")
        db.session.commit()
        click.echo(f"imported {len(rows)} row(s) into cycle {year}: {result}")

    @app.cli.command("import-assessments")
    @click.option("--cycle", "year", type=int, required=True)
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_assessments_command(year: int, file: str):
        """Import annual assessments (post_code, grade_or_score) into a cycle."""
        from rating.imports import officials as rows_
        from rating.services.officials import record_assessments

        officials_import(
            file,
            year,
            rows_.ASSESSMENT_COLUMNS,
            rows_.ASSESSMENT_INFO_COLUMNS,
            rows_.validate_assessments,
            record_assessments,
        )

    @app.cli.command("import-inspections")
    @click.option("--cycle", "year", type=int, required=True)
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_inspections_command(year: int, file: str):
        """Import inspection findings (post_code, date, kind, finding, deduction) into a cycle."""
        from rating.imports import officials as rows_
        from rating.services.officials import record_findings

        officials_import(file, year, rows_.FINDING_COLUMNS, (), rows_.validate_findings, record_findings)

    @app.cli.command("import-inspection-scores")
    @click.option("--cycle", "year", type=int, required=True)
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_inspection_scores_command(year: int, file: str):
        """Import comprehensive-inspection scores (post_code, score, round) into a cycle."""
        from rating.imports import officials as rows_
        from rating.services.officials import record_scores

        officials_import(
            file, year, rows_.SCORE_COLUMNS, rows_.ASSESSMENT_INFO_COLUMNS, rows_.validate_scores, record_scores
        )

    @app.cli.command("import-ratings")
    @click.option("--cycle", "year", type=int, required=True)
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_ratings_command(year: int, file: str):
        """Import hotline and paper ratings (post_code, level, verified, channel, created_at) into a cycle."""
        from rating.imports import officials as rows_
        from rating.services.ratings import import_ratings

        officials_import(file, year, rows_.RATING_COLUMNS, (), rows_.validate_ratings, import_ratings)

    @app.cli.command("import-complaints")
    @click.option("--cycle", "year", type=int, required=True)
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_complaints_command(year: int, file: str):
        """Import concluded complaints (post_code, channel, category, finding, concluded_at) into a cycle."""
        from rating.imports import officials as rows_
        from rating.services.complaints import import_concluded

        officials_import(file, year, rows_.COMPLAINT_COLUMNS, (), rows_.validate_complaints, import_concluded)

    @app.cli.command("audit-verify")
    def audit_verify():
        """Check the audit log's hash chain; names the first broken entry."""
        from rating.services.audit import verify_chain

        report = verify_chain()
        if report.ok:
            click.echo(f"audit chain intact: {report.entries} entries")
            return
        click.echo(
            f"audit chain BROKEN at entry {report.broken_seq}: {report.reason} "
            f"({report.entries} entries verified before it)",
            err=True,
        )
        sys.exit(1)

    def verdict_cycle(year: int):

        try:
            return cycle_by_year(year)
        except DomainError as exc:
            _fail(str(exc))

    def verdict_step(step, *args):
        try:
            result = step(*args)
            db.session.commit()
        except DomainError as exc:
            _fail(f"失败 / refused: {exc}")
        return result

    @app.cli.command("close-cycle")
    @click.option("--cycle", "year", type=int, required=True)
    def close_cycle_command(year: int):
        """Stop rating intake of an open cycle (the scheduler does this at the cycle's end date)."""
        from rating.services.verdict import lifecycle

        verdict_step(lifecycle.close, audit.CLI, verdict_cycle(year))
        click.echo(f"{year}: closed, rating intake stopped")

    @app.cli.command("compute")
    @click.option("--cycle", "year", type=int, required=True)
    def compute_command(year: int):
        """Final computation of a cycle (SPEC §3) into a draft result; an open cycle is closed first. Refused,
        naming every post, while any post lacks an assessment or an inspection score."""
        from rating.services.verdict import lifecycle

        cycle = verdict_cycle(year)
        draft = verdict_step(lifecycle.compute_final, audit.CLI, cycle)
        titles = {}
        for row in draft.rows:
            titles[row.title] = titles.get(row.title, 0) + 1
        click.echo(
            f"{year}: draft {draft.version} computed for {draft.ranked} posts, status {cycle.status}; "
            f"benchmark {titles.get('benchmark', 0)}, excellent {titles.get('excellent', 0)}, "
            f"warning {titles.get('warning', 0)}; sha256 {draft.content_hash}"
        )

    @app.cli.command("notice")
    @click.option("--cycle", "year", type=int, required=True)
    @click.option("--days", type=int, default=None, help="Length of the notice period (default: the method's).")
    def notice_command(year: int, days: int | None):
        """Put the newest draft up for public notice (公示)."""
        from rating.services.verdict import lifecycle

        cycle = verdict_cycle(year)
        verdict_step(lifecycle.start_notice, audit.CLI, cycle, days)
        click.echo(f"{year}: in public notice {cycle.notice_starts_on} – {cycle.notice_ends_on}")

    @app.cli.command("publish")
    @click.option("--cycle", "year", type=int, required=True)
    @click.option("--correction", "reason", default=None, help="Publish a corrected new version, with this reason.")
    def publish_command(year: int, reason: str | None):
        """Publish a cycle's result after its notice period (every objection answered), or a correction."""
        from rating.services.verdict import lifecycle

        cycle = verdict_cycle(year)
        if reason is None:
            published = verdict_step(lifecycle.publish, audit.CLI, cycle)
        else:
            published = verdict_step(lifecycle.publish_correction, audit.CLI, cycle, reason)
        click.echo(f"{year}: published version {published.version}, sha256 {published.content_hash}")

    @app.cli.command("export-results")
    @click.option("--cycle", "year", type=int, required=True)
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True)
    @click.option("--output", type=click.Path(dir_okay=False), default=None, help="File to write (default: stdout).")
    @click.option("--version", "version", type=int, default=None, help="A published version (default: the newest).")
    def export_results_command(year: int, fmt: str, output: str | None, version: int | None):
        """Write a cycle's result: the newest published version, else the newest draft."""
        from rating.services.verdict import export, publication

        cycle = verdict_cycle(year)
        try:
            result_set = publication.for_export(cycle, version)
        except DomainError as exc:
            _fail(str(exc))
        data = export.encode(cycle, result_set, fmt)
        if output:
            Path(output).write_bytes(data)
            click.echo(f"{year}: {len(result_set.rows)} results written to {output}", err=True)
        elif fmt == "xlsx" and sys.stdout.isatty():
            _fail("XLSX is binary: give --output FILE")
        else:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()

    @app.cli.command("scheduler")
    def scheduler_command():
        """Run the scheduled jobs in this process (production: one such process besides the web workers)."""
        from rating import jobs

        jobs.run_blocking(current_app._get_current_object())
