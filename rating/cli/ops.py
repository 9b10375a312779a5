"""Commands for running the site: ``seed`` (the demo), ``create-user``, ``create-cycle``, ``audit-verify`` and
``scheduler`` (the scheduled jobs of SPEC §4, in their own process)."""

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from rating.cli.common import fail
from rating.extensions import db
from rating.models.users import Role
from rating.services import audit, second_factor
from rating.services.errors import DomainError

group = AppGroup("ops", help="The demo, users, cycles, the audit check and the scheduler.")


@group.command("seed")
@click.option("--if-empty", is_flag=True, help="Only when the database holds no posts yet (make run).")
@click.option("--allow-production", is_flag=True, help="Seed even with RATING_ENV=production.")
def seed(if_empty: bool, allow_production: bool):
    """Load the demo data in seeds/ (idempotent)."""
    from rating import demo

    if current_app.config["RATING_ENV"] == "production" and not allow_production:
        fail(
            "seed creates demo accounts with published passwords; refused with RATING_ENV=production "
            "(set RATING_ENV=development, or pass --allow-production for a demo server)."
        )
    if if_empty and not demo.database_is_empty():
        click.echo("database already holds data; seed skipped")
    else:
        report = demo.run()
        db.session.commit()
        for line in report.lines:
            click.echo(line)
    click.echo("demo logins (username / password / role / second-factor secret):")
    for username, password, role, secret in demo.demo_logins():
        click.echo(f"  {username:<14} {password:<22} {role:<18} {secret}")
    click.echo(
        "The admin, auditor and handler sign in with a second factor: add their secret to an authenticator app "
        "(demo only), or print the current code with: python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\""
    )


def _read_password() -> str:
    """Prompted for twice at a terminal; otherwise the first line of stdin (scripts pipe it in)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@group.command("create-user")
@click.argument("name")
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--unit", "unit_code", help="Unit code, required for hr_officer and unit_staff.")
@click.option("--display-name", default="")
@click.option("--email", default="", help="Address for overdue-complaint reminders (optional).")
def create_user_command(name: str, role: str, unit_code: str | None, display_name: str, email: str):
    """Create a back-office user; the password is read from stdin or prompted for."""
    from rating.services.users import create_user

    password = _read_password()
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
        fail(str(exc))
    db.session.commit()
    click.echo(f"created user {user.username} ({user.role})")
    if second_factor.required(user):
        click.echo(
            "This role signs in with a second factor: at the first sign-in the user scans a QR code with an "
            "authenticator app, types its 6-digit code and keeps the 10 one-time recovery codes shown once."
        )


@group.command("create-cycle")
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
        fail(str(exc))
    db.session.commit()
    click.echo(f"created cycle {cycle.year}: {cycle.starts_on} – {cycle.ends_on}, status {cycle.status}")


@group.command("audit-verify")
def audit_verify():
    """Check the audit log's hash chain and every seal's batch; names the first broken entry or batch."""
    from rating.services.audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(
            f"audit chain intact: {report.entries} entries; {report.sealed} citizens' entries under {report.seals} "
            f"seals, {report.unsealed} awaiting the next seal"
        )
        return
    click.echo(
        f"audit chain BROKEN at {report.broken}: {report.reason} ({report.entries} entries verified before it)",
        err=True,
    )
    sys.exit(1)


@group.command("audit-seal")
def audit_seal():
    """Seal the citizens' audit entries waiting for the scheduler's next run, now."""
    from rating.services.audit_seals import seal_pending

    click.echo(f"audit entries sealed: {seal_pending(audit.CLI)}")


@group.command("scheduler")
def scheduler_command():
    """Run the scheduled jobs in this process (production: one such process besides the web workers)."""
    from rating import jobs

    jobs.run_blocking(current_app._get_current_object())


@group.command("create-api-key")
@click.argument("name")
def create_api_key_command(name: str):
    """Issue an Open311 api_key to a partner system; the key is printed once and kept only as a hash."""
    from rating.services import api_keys

    try:
        record, key = api_keys.issue(audit.CLI, name)
    except DomainError as exc:
        fail(str(exc))
    db.session.commit()
    click.echo(f"api_key for {record.name} (shown once, keep it secret; revoke it in the back office under API 密钥):")
    click.echo(key)
