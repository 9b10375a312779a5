"""the confidential channel to the discipline commission (issue 14 item 5)

Revision ID: 0020_discipline_channel
Revises: 0019_centres
Create Date: 2026-11-29 18:30:00

- ``complaints.confidential``: a report filed straight to the discipline commission (保密举报), seen and handled by
  that role alone. Added in place with a false default: every existing case stays the complaint centre's.
"""
import sqlalchemy as sa
from alembic import op

revision = '0020_discipline_channel'
down_revision = '0019_centres'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('complaints', sa.Column('confidential', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    # Refuse rather than hand confidential reports to the complaint centre by dropping the flag that hides them.
    reports = op.get_bind().execute(sa.text("SELECT count(*) FROM complaints WHERE confidential")).scalar()
    if reports:
        raise RuntimeError(f"{reports} confidential reports exist; downgrading would show them to the complaint centre")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE complaints DROP COLUMN confidential")
    else:
        op.drop_column('complaints', 'confidential')
