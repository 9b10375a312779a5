"""one unverified web rating per device, post and day, held by the database (issue 16 item 1 review)

Revision ID: 0022_device_day
Revises: 0021_rating_path
Create Date: 2026-11-29 19:00:00

- ``ratings.rated_on``: the day (Asia/Shanghai) of an unverified web rating; empty for every other rating and for
  those stored before this migration (an index treats empty values as distinct, so they never collide).
- ``uq_ratings_device_day`` (post_id, rater_hash, rated_on), unique: the rule the rating path checks before it
  writes, now also enforced when two submits of one device race. It replaces ``ix_ratings_rater_hash``, whose only
  query (has this device rated this post today) it serves as well, so a rating pays for no more indexes than before.
"""
import sqlalchemy as sa
from alembic import op

revision = '0022_device_day'
down_revision = '0021_rating_path'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('ratings', sa.Column('rated_on', sa.Date(), nullable=True))
    op.drop_index('ix_ratings_rater_hash', table_name='ratings')
    op.create_index('uq_ratings_device_day', 'ratings', ['post_id', 'rater_hash', 'rated_on'], unique=True)


def downgrade():
    op.drop_index('uq_ratings_device_day', table_name='ratings')
    op.create_index('ix_ratings_rater_hash', 'ratings', ['rater_hash'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE ratings DROP COLUMN rated_on")
    else:
        op.drop_column('ratings', 'rated_on')
