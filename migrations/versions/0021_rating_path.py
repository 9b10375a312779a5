"""the rating path: indexes every citizen's rating paid for and no query needs (issue 16 item 1)

Revision ID: 0021_rating_path
Revises: 0020_discipline_channel
Create Date: 2026-11-29 18:20:00

- ``ix_ratings_cycle_id`` goes: ``ix_ratings_tally`` (cycle_id, status, ...) leads with the cycle and serves every
  query by cycle, and the foreign key's check.
- ``ix_ratings_status`` goes: every query by status names the cycle (the tally) or the source, except the back
  office's moderation queue of held and excluded ratings, which gets ``ix_ratings_queue``, partial on those two
  statuses (a few in a hundred), so that a counted rating, nearly every rating, never touches it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_rating_path'
down_revision = '0020_discipline_channel'
branch_labels = None
depends_on = None

WITHHELD = "status IN ('held', 'excluded')"


def upgrade():
    op.drop_index('ix_ratings_cycle_id', table_name='ratings')
    op.drop_index('ix_ratings_status', table_name='ratings')
    op.create_index(
        'ix_ratings_queue',
        'ratings',
        ['status', 'created_at'],
        unique=False,
        sqlite_where=sa.text(WITHHELD),
        postgresql_where=sa.text(WITHHELD),
    )


def downgrade():
    op.drop_index('ix_ratings_queue', table_name='ratings')
    op.create_index('ix_ratings_status', 'ratings', ['status'], unique=False)
    op.create_index('ix_ratings_cycle_id', 'ratings', ['cycle_id'], unique=False)
