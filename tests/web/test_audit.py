"""The audit log is an unbroken hash chain; editing or deleting an entry is detected and named."""

import pytest
import sqlalchemy as sa

from rating.extensions import db
from rating.models import AuditEntry
from rating.services import audit

pytestmark = pytest.mark.bare


@pytest.fixture(autouse=True)
def history(make_post):
    """Four posts, each with its unit: eight entries in the chain."""
    return [make_post() for _n in range(4)]


def _bypass_triggers(conn):
    """Tampering as a database superuser would: drop the append-only triggers first (rolled back with the test)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("DROP TRIGGER audit_log_seal_only")
        conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
    else:
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER audit_log_seal_only")


def test_a_chain_of_changes_verifies(app, runner):
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id))) == 8
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 0 and "audit chain intact" in result.output


def test_database_refuses_to_update_or_delete_entries(app):
    with app.app_context():
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text("UPDATE audit_log SET actor = 'someone' WHERE seq = 1"))
        db.session.rollback()
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.text("DELETE FROM audit_log WHERE seq = 1"))
        db.session.rollback()


def test_edited_entry_is_named(app, runner):
    with app.app_context():
        _bypass_triggers(db.session.connection())
        db.session.execute(sa.text("UPDATE audit_log SET actor = 'intruder' WHERE seq = 5"))
        db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1
    assert "entry 5" in result.output and "edited" in result.output


def test_deleted_entry_is_named(app, runner):
    with app.app_context():
        _bypass_triggers(db.session.connection())
        db.session.execute(sa.text("DELETE FROM audit_log WHERE seq = 7"))
        db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and "entry 7" in result.output and "missing" in result.output


def test_deleting_the_newest_entry_is_detected(app, runner):
    with app.app_context():
        last = db.session.scalar(sa.select(sa.func.max(AuditEntry.seq)))
        _bypass_triggers(db.session.connection())
        db.session.execute(sa.text("DELETE FROM audit_log WHERE seq = :s"), {"s": last})
        db.session.commit()
    result = runner.invoke(args=["audit-verify"])
    assert result.exit_code == 1 and f"entry {last}" in result.output


def test_each_entry_links_to_the_one_before(app):
    with app.app_context():
        first = audit.record(audit.CLI, "test.one", "thing", 1, after={"x": 1})
        second = audit.record(audit.CLI, "test.two", "thing", 1, before={"x": 1}, after={"x": 2})
        db.session.commit()
        assert second.seq == first.seq + 1 and second.prev_hash == first.hash
        assert audit.verify_chain().ok
