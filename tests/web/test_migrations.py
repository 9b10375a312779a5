"""Migrations build the schema from empty on both engines, and agree with the models."""

from datetime import date, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, select, text

from rating.clock import local_today
from rating.extensions import db
from rating.models.ratings import Rating
from rating.models.results import ResultKind, ResultSet
from rating.services import audit
from rating.services.verdict import export, lifecycle
from tests.conftest import make_app
from tests.factories import local_datetime
from tests.web.test_audit import _bypass_triggers


def _below(revision: str) -> str:
    """The revision a migration revises, whatever the chain's ids above it."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config()).get_revision(revision).down_revision


def _empty_url(engine_name, tmp_path, request):
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("fresh_postgres_database")()


def _without_postgresql_partition_key(diff: list) -> list:
    """The differences but the one PostgreSQL's partitioned ratings (0023) must have and the models, which declare
    SQLite's schema, do not: the follow-up's foreign key to a rating is (rating_id, cycle_id) → ratings (id,
    cycle_id), the partitioned table's primary key, instead of rating_id → ratings.id. Fails if it is not there."""

    def ours(change) -> bool:
        return change[0] in ("remove_fk", "add_fk") and change[1].name == "fk_follow_ups_rating_id_ratings"

    found = [
        (change[0], change[1].column_keys, change[1].elements[0].target_fullname) for change in diff if ours(change)
    ]
    assert found == [
        ("remove_fk", ["rating_id", "cycle_id"], "ratings.id"),
        ("add_fk", ["rating_id"], "ratings.id"),
    ], found
    return [change for change in diff if not ours(change)]


def test_migrations_run_from_empty_and_match_models(engine_name, tmp_path, request):
    app = make_app(_empty_url(engine_name, tmp_path, request))
    with app.app_context():
        upgrade()
        options = {"compare_type": True, "include_object": app.extensions["migrate"].configure_args["include_object"]}
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts=options), db.metadata)
            primary_key = inspect(conn).get_pk_constraint("ratings")["constrained_columns"]
        # Alembic compares no primary keys: the partitioned table's must hold its partition key.
        assert primary_key == (["id", "cycle_id"] if engine_name == "postgresql" else ["id"])
        if engine_name == "postgresql":
            diff = _without_postgresql_partition_key(diff)
        assert diff == [], f"models and migrations disagree: {diff}"
        downgrade(revision="base")
        upgrade()
        db.engine.dispose()


def test_fresh_database_can_be_seeded_through_the_cli(engine_name, tmp_path, request):
    app = make_app(_empty_url(engine_name, tmp_path, request), RATING_ENV="development")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    first = runner.invoke(args=["seed", "--if-empty"])
    assert first.exit_code == 0, first.output
    assert "新增岗位 100 个" in first.output and "admin" in first.output
    again = runner.invoke(args=["seed"])
    assert "未变 100 个" in again.output and "cycles created: none" in again.output
    skipped = runner.invoke(args=["seed", "--if-empty"])
    assert "seed skipped" in skipped.output and "demo-admin-2026" in skipped.output
    with app.app_context():
        db.engine.dispose()


def test_seed_refuses_production_without_flag(engine_name, tmp_path, request):
    app = make_app(_empty_url(engine_name, tmp_path, request), RATING_ENV="production")
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 1 and "RATING_ENV=production" in result.output
    with app.app_context():
        db.engine.dispose()


def _published_verdict_as_0006_knew_it(make_cycle, make_posts, make_rating, make_assessment, make_score) -> None:
    """Last year's cycle with one holder per post all year, computed, noticed and published (the demo has posts
    that changed hands in a cycle, two lines on a post, which 0006 cannot hold)."""
    year = local_today().year - 1
    cycle = make_cycle(year, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
    for n, post in enumerate(make_posts(8)):
        for day in range(1 + n % 3):
            make_rating(
                post,
                level=1 + (n + day) % 5,
                verified=day % 2 == 0,
                when=local_datetime(date(year, 3, 1 + day)),
                cycle=cycle,
            )
        make_assessment(post, ("excellent", "competent", "basically_competent")[n % 3], cycle=cycle)
        make_score(post, 70.0 + n, cycle=cycle)
    lifecycle.compute_final(audit.CLI, cycle)
    lifecycle.start_notice(audit.CLI, cycle)
    cycle.notice_ends_on = local_today() - timedelta(days=1)
    lifecycle.publish(audit.CLI, cycle)
    db.session.commit()


@pytest.mark.bare
def test_tenure_migration_keeps_every_published_hash_and_attribution(
    committed_app, make_cycle, make_posts, make_rating, make_assessment, make_score
):
    """0007 (verdict lines are tenures) run on a database holding a published verdict: every published set still
    verifies against its open-data document, and records keep the holder in post on their date."""

    def state():
        holders = db.session.execute(select(Rating.id, Rating.holder_id).order_by(Rating.id)).all()
        sets = db.session.scalars(select(ResultSet).where(ResultSet.kind == ResultKind.PUBLISHED)).all()
        return holders, [(s.id, s.content_hash) for s in sets]

    with committed_app.app_context():
        _published_verdict_as_0006_knew_it(make_cycle, make_posts, make_rating, make_assessment, make_score)
        before = state()
        db.session.remove()
        downgrade(revision="0006_results")
        upgrade()
        after = state()
        assert after == before and before[0] and before[1], "published sets and attributions survive the migration"
        for result_set in db.session.scalars(select(ResultSet).where(ResultSet.kind == ResultKind.PUBLISHED)):
            document = export.document(result_set.cycle, result_set)
            lines = document["results"]
            assert result_set.content_hash == export.canonical_hash(
                document["cycle"], document["kind"], document["version"], document["method"], lines
            )
        db.session.remove()
        db.engine.dispose()


def test_unit_ledger_migration_keeps_entries_and_evidence_and_refuses_to_drop_department_entries(committed_app):
    """0012 on the demo: a downgrade is refused while the ledger holds yellow-card entries; without them it runs,
    and the rebuilt ledger (SQLite: batch with foreign keys off) keeps every entry and its evidence both ways."""
    from sqlalchemy import delete

    from rating.models.accountability import LedgerEntry, LedgerEvidence
    from rating.services import ledger

    def state():
        entries = db.session.execute(select(LedgerEntry.id, LedgerEntry.source).order_by(LedgerEntry.id)).all()
        evidence = db.session.execute(select(LedgerEvidence.id, LedgerEvidence.entry_id)).all()
        return entries, evidence

    with committed_app.app_context():
        # 0017_audit_seals refuses to go below itself while citizens' leaves exist (test_audit_seals): this test is
        # about 0012, so the demo's leaves go first, as a database superuser would remove them. The evidence is added
        # while the models still match the schema; below 0012's successors only Core statements run.
        _bypass_triggers(db.session.connection())
        db.session.execute(text("DELETE FROM audit_log WHERE seq IS NULL"))
        db.session.commit()
        db.session.remove()
        # 0020 refuses to go below itself while the commission's confidential reports exist, rather than show them to
        # the complaint centre; here they are made ordinary cases, as an operator would have to decide.
        with pytest.raises(SystemExit):
            downgrade(revision=_below("0020_discipline_channel"))
        db.session.execute(text("UPDATE complaints SET confidential = false"))
        entry = db.session.scalar(
            select(LedgerEntry).where(LedgerEntry.department_result_id.is_(None)).order_by(LedgerEntry.id).limit(1)
        )
        ledger.add_evidence(audit.CLI, entry, "scan.pdf", b"%PDF-1.4\n")
        db.session.commit()
        db.session.remove()
        downgrade(revision="0012_unit_ledger")
        with pytest.raises(SystemExit):  # Flask-Migrate logs the migration's refusal and exits
            downgrade(revision="0011_hardening")
        assert db.session.scalar(select(LedgerEntry.id).where(LedgerEntry.department_result_id.is_not(None)))
        db.session.execute(delete(LedgerEntry).where(LedgerEntry.department_result_id.is_not(None)))
        db.session.commit()
        before = state()
        db.session.remove()
        downgrade(revision="0011_hardening")
        assert state() == before
        db.session.remove()
        upgrade()
        assert state() == before and before[1]
        assert len(ledger.open_missing(audit.CLI)) == 3  # last year's yellow cards, opened again
        db.session.remove()
        db.engine.dispose()
