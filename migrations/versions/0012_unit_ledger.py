"""unit ledger: a published department ranking's yellow cards and two-years-last flags in the accountability ledger

Revision ID: 0012_unit_ledger
Revises: 0011_hardening
Create Date: 2026-11-29 15:00:00

- ``ledger_entries.source`` takes ``yellow_card`` (黄牌警告, 通报批评) and ``head_to_resign`` (连续两年末位, 主要负责人
  引咎辞职); the column grows to 14 characters and its CHECK of allowed values is rebuilt.
- ``ledger_entries.department_result_id``: the line of the published department ranking such an entry hangs on,
  with the CHECK ``department_source`` (those two sources, and only they, have one) and one entry per line and source.
On SQLite the table is rebuilt in batch mode with foreign keys off (ledger_evidence refers to it), as 0009 rebuilds
``ratings``; on PostgreSQL the changes are made in place. A downgrade is refused while the ledger holds entries of
these sources: dropping them would lose recorded measures and evidence.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_unit_ledger'
down_revision = '0011_hardening'
branch_labels = None
depends_on = None

OLD_SOURCES = ('complaint', 'finding', 'warning')
NEW_SOURCES = (*OLD_SOURCES, 'yellow_card', 'head_to_resign')


def _source_type(values) -> sa.Enum:
    return sa.Enum(
        *values, name='ledger_source', native_enum=False, create_constraint=True, length=max(map(len, values))
    )


def _sqlite_rebuild(change) -> None:
    """Run a batch rebuild of ``ledger_entries`` on SQLite with foreign keys off: evidence files refer to entries,
    and dropping the old table would otherwise be refused. The pragma only applies outside a transaction, so what
    ran before is committed first; foreign keys are checked and switched back on after (as in 0009)."""
    raw = op.get_bind().connection.driver_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        change()
        if raw.in_transaction:
            raw.commit()
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild of ledger_entries: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _on_ledger(change) -> None:
    if op.get_bind().dialect.name == 'sqlite':
        _sqlite_rebuild(change)
    else:
        change()


def _add_department_sources() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.alter_column(
            'source', existing_type=_source_type(OLD_SOURCES), type_=_source_type(NEW_SOURCES), existing_nullable=False
        )
        batch_op.add_column(sa.Column('department_result_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_ledger_entries_department_result_id_department_results'), 'department_results',
            ['department_result_id'], ['id'], ondelete='RESTRICT',
        )
        batch_op.create_unique_constraint(
            'uq_ledger_entries_department_result_source', ['department_result_id', 'source']
        )
        batch_op.create_check_constraint(
            'department_source', "(source IN ('yellow_card', 'head_to_resign')) = (department_result_id IS NOT NULL)"
        )


def _drop_department_sources() -> None:
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_ledger_entries_department_source'), type_='check')
        batch_op.drop_constraint('uq_ledger_entries_department_result_source', type_='unique')
        batch_op.drop_constraint(
            batch_op.f('fk_ledger_entries_department_result_id_department_results'), type_='foreignkey'
        )
        batch_op.drop_column('department_result_id')
        batch_op.alter_column(
            'source', existing_type=_source_type(NEW_SOURCES), type_=_source_type(OLD_SOURCES), existing_nullable=False
        )


def upgrade():
    _on_ledger(_add_department_sources)


def downgrade():
    held = op.get_bind().execute(
        sa.text("SELECT count(*) FROM ledger_entries WHERE department_result_id IS NOT NULL")
    ).scalar()
    if held:
        raise RuntimeError(
            f"0012_unit_ledger: the ledger holds {held} entries of department rankings (yellow cards, two years "
            "last); a downgrade would lose them and their measures. Export the ledger and remove them first."
        )
    _on_ledger(_drop_department_sources)
