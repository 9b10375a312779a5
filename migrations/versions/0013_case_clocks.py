"""case clocks: acceptance, signing, extension and the handler's return call (issue 14)

Revision ID: 0013_case_clocks
Revises: 0012_unit_ledger
Create Date: 2026-11-29 15:00:00

- ``complaints.refer_by`` (the centre's acceptance clock), ``sign_by`` and ``signed_at`` (签收),
  ``sent_back_reason`` (退单), ``extension``, ``extension_days`` and ``extension_reason`` (延期申请, approved once),
  ``satisfaction`` (回访 in three grades).
- ``results.complaints_reopened``: of a line's counted complaints, those reopened when it was computed.
Only nullable or defaulted columns are added, in place.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013_case_clocks'
down_revision = '0012_unit_ledger'
branch_labels = None
depends_on = None

COMPLAINT_COLUMNS = (
    'refer_by', 'sign_by', 'signed_at', 'sent_back_reason', 'extension', 'extension_days', 'extension_reason',
    'satisfaction',
)
CHECKS = {'extension': ('pending', 'approved', 'refused'), 'satisfaction': ('satisfied', 'basically', 'dissatisfied')}


def upgrade():
    op.add_column('complaints', sa.Column('refer_by', sa.Date(), nullable=True))
    op.add_column('complaints', sa.Column('sign_by', sa.Date(), nullable=True))
    op.add_column('complaints', sa.Column('signed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('complaints', sa.Column('sent_back_reason', sa.Text(), nullable=True))
    op.add_column('complaints', sa.Column('extension', sa.String(length=8), nullable=True))
    op.add_column('complaints', sa.Column('extension_days', sa.Integer(), nullable=True))
    op.add_column('complaints', sa.Column('extension_reason', sa.Text(), nullable=True))
    op.add_column('complaints', sa.Column('satisfaction', sa.String(length=12), nullable=True))
    # The enums' CHECK constraints as the models declare them; SQLite cannot add a constraint in place, and a batch
    # copy of ``complaints`` would trip the foreign keys its events and notices hold, so there the column is plain.
    if op.get_bind().dialect.name != "sqlite":
        for name, values in CHECKS.items():
            listed = ", ".join(f"'{value}'" for value in values)
            op.create_check_constraint(f'ck_complaints_complaint_{name}', 'complaints', f"{name} IN ({listed})")
    op.add_column('results', sa.Column('complaints_reopened', sa.Integer(), server_default=sa.text('0'),
                                       nullable=False))


def _drop(table, column):
    if op.get_bind().dialect.name == "sqlite":
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    else:
        op.drop_column(table, column)


def downgrade():
    _drop('results', 'complaints_reopened')
    for column in reversed(COMPLAINT_COLUMNS):
        _drop('complaints', column)
