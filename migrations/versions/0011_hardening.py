"""hardening: server-side session versions, sign-in throttling, a second factor, Open311 API keys (issue 17)

Revision ID: 0011_hardening
Revises: 0010_unit_rankings
Create Date: 2026-12-10 10:00:00

- ``users.session_version`` (sessions end when it is raised), ``users.failed_logins`` and ``users.locked_until``
  (the per-account back-off), ``users.totp_secret`` and ``users.totp_last_step`` (the second factor).
- ``recovery_codes``: one-time codes of the second factor, as SHA-256 only.
- ``api_keys``: keys for the Open311 POST, as SHA-256 only.
Self-contained: it touches no table another revision changes except by adding nullable or defaulted columns.
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_hardening'
down_revision = '0010_unit_rankings'
branch_labels = None
depends_on = None


def upgrade():
    # Added in place (ALTER TABLE … ADD COLUMN on both engines): a batch copy of ``users`` would trip the foreign
    # keys that the audit log and other tables hold on it.
    op.add_column('users', sa.Column('session_version', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('users', sa.Column('failed_logins', sa.Integer(), server_default=sa.text('0'), nullable=False))
    op.add_column('users', sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_codes_code_hash'))
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)
    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash')),
    sa.UniqueConstraint('name', name=op.f('uq_api_keys_name'))
    )


def downgrade():
    op.drop_table('api_keys')
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    for column in ('totp_last_step', 'totp_secret', 'locked_until', 'failed_logins', 'session_version'):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE users DROP COLUMN {column}")
        else:
            op.drop_column('users', column)
