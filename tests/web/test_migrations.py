"""Migrations build the schema from empty on both engines, and agree with the models."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from rating.extensions import db
from tests.conftest import make_app


def _empty_url(engine_name, tmp_path, request):
    if engine_name == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return request.getfixturevalue("fresh_postgres_database")()


def test_migrations_run_from_empty_and_match_models(engine_name, tmp_path, request):
    app = make_app(_empty_url(engine_name, tmp_path, request))
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
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
