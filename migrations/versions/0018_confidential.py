"""complaint texts reviewed before they are public (issue 14 item 5)

Revision ID: 0018_confidential
Revises: 0017_audit_seals
Create Date: 2026-11-29 16:20:00

- ``complaints.public_text``: the text a handler published, names and numbers masked.
- ``complaints.text_review`` (published or withheld) and ``text_reviewed_at``: empty until a handler reviews it.
Only nullable columns are added, in place: every existing text stays unpublished until reviewed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0018_confidential'
down_revision = '0017_audit_seals'
branch_labels = None
depends_on = None

COLUMNS = ('public_text', 'text_review', 'text_reviewed_at')


def upgrade():
    op.add_column('complaints', sa.Column('public_text', sa.Text(), nullable=True))
    op.add_column('complaints', sa.Column('text_review', sa.String(length=9), nullable=True))
    op.add_column('complaints', sa.Column('text_reviewed_at', sa.DateTime(timezone=True), nullable=True))
    # As in 0013: SQLite cannot add the enum's CHECK constraint in place, and a batch copy of ``complaints`` would
    # trip the foreign keys its events and notices hold, so there the column is plain.
    if op.get_bind().dialect.name != "sqlite":
        op.create_check_constraint(
            'ck_complaints_complaint_text_review', 'complaints', "text_review IN ('published', 'withheld')"
        )


def downgrade():
    for column in reversed(COLUMNS):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE complaints DROP COLUMN {column}")
        else:
            op.drop_column('complaints', column)
