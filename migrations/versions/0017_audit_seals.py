"""audit seals: citizens' entries are leaves sealed in batches, so that they never wait on the chain's head (issue 16)

Revision ID: 0017_audit_seals
Revises: 0016_line_statistics
Create Date: 2026-11-29 15:10:00

A leaf is an audit_log row without a position in the chain (seq and prev_hash NULL) whose hash covers its content
alone; the sealer later sets its seal_id to the chained ``audit.seal`` entry holding the batch's Merkle root. The
append-only triggers are relaxed by exactly that: an UPDATE may set a leaf's NULL seal_id and change nothing else;
DELETE (and TRUNCATE on PostgreSQL) are still refused. SQLite rebuilds the table to change the columns, so its
triggers are dropped first and created again after.

Downgrade refuses while leaves exist: the earlier schema cannot hold them, and rewriting audit entries into the chain
is exactly what the log must never allow.
"""
import sqlalchemy as sa
from alembic import op


revision = '0017_audit_seals'
down_revision = '0016_line_statistics'
branch_labels = None
depends_on = None

UNSEALED = 'seq IS NULL AND seal_id IS NULL'
CHAINED_OR_LEAF = (
    '(seq IS NULL AND prev_hash IS NULL) OR (seq IS NOT NULL AND prev_hash IS NOT NULL AND seal_id IS NULL)'
)
#: Every column but seal_id, compared old to new by the SQLite trigger (PostgreSQL compares whole rows).
COLUMNS = ('id', 'seq', 'at', 'actor', 'actor_id', 'action', 'entity', 'entity_id', 'post_id', 'before', 'after',
           'prev_hash', 'hash')
REFUSED = "'audit_log is append-only (only a leaf''s seal may be set)'"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def upgrade():
    if _sqlite():
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_update')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=True)
        batch_op.add_column(sa.Column('seal_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_audit_log_seal_id_audit_log'), 'audit_log', ['seal_id'], ['id'], ondelete='RESTRICT'
        )
        batch_op.create_check_constraint('chained_or_leaf', CHAINED_OR_LEAF)
        batch_op.create_index('ix_audit_log_seal_id', ['seal_id', 'id'], unique=False)
        batch_op.create_index(
            'ix_audit_log_unsealed', ['id'], unique=False,
            sqlite_where=sa.text(UNSEALED), postgresql_where=sa.text(UNSEALED),
        )
    if _sqlite():
        sealing_only = ' AND '.join(f'NEW.{c} IS OLD.{c}' for c in COLUMNS)
        op.execute(
            'CREATE TRIGGER audit_log_seal_only BEFORE UPDATE ON audit_log WHEN NOT ('
            f'OLD.seq IS NULL AND OLD.seal_id IS NULL AND NEW.seal_id IS NOT NULL AND {sealing_only}) '
            f'BEGIN SELECT RAISE(ABORT, {REFUSED}); END'
        )
        op.execute(
            'CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log '
            "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
        )
        return
    op.execute('DROP TRIGGER audit_log_append_only ON audit_log')
    op.execute(
        'CREATE TRIGGER audit_log_append_only BEFORE DELETE OR TRUNCATE ON audit_log '
        'FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()'
    )
    op.execute(
        'CREATE FUNCTION audit_log_seal_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
        "IF OLD.seq IS NULL AND OLD.seal_id IS NULL AND NEW.seal_id IS NOT NULL "
        "AND to_jsonb(NEW) - 'seal_id' = to_jsonb(OLD) - 'seal_id' THEN RETURN NEW; END IF; "
        f'RAISE EXCEPTION {REFUSED}; END $$'
    )
    op.execute(
        'CREATE TRIGGER audit_log_seal_only BEFORE UPDATE ON audit_log '
        'FOR EACH ROW EXECUTE FUNCTION audit_log_seal_only()'
    )


def downgrade():
    leaves = op.get_bind().scalar(sa.text('SELECT count(*) FROM audit_log WHERE seq IS NULL'))
    if leaves:
        raise RuntimeError(
            f'audit_log holds {leaves} sealed-log entries (leaves), which the schema before 0017_audit_seals cannot '
            'hold; downgrade refused rather than rewrite audit entries'
        )
    if _sqlite():
        op.execute('DROP TRIGGER IF EXISTS audit_log_seal_only')
        op.execute('DROP TRIGGER IF EXISTS audit_log_no_delete')
    else:
        op.execute('DROP TRIGGER audit_log_seal_only ON audit_log')
        op.execute('DROP FUNCTION audit_log_seal_only()')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_unsealed', sqlite_where=sa.text(UNSEALED), postgresql_where=sa.text(UNSEALED))
        batch_op.drop_index('ix_audit_log_seal_id')
        batch_op.drop_constraint(batch_op.f('ck_audit_log_chained_or_leaf'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_audit_log_seal_id_audit_log'), type_='foreignkey')
        batch_op.drop_column('seal_id')
        batch_op.alter_column('prev_hash', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('seq', existing_type=sa.Integer(), nullable=False)
    if _sqlite():
        for verb in ('UPDATE', 'DELETE'):
            op.execute(
                f'CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log '
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    else:
        op.execute('DROP TRIGGER audit_log_append_only ON audit_log')
        op.execute(
            'CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log '
            'FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()'
        )
