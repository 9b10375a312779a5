"""line statistics: PostgreSQL learns how many verdict lines the ratings fall into; the withheld ratings get their own index (issue 10)

Revision ID: 0016_line_statistics
Revises: 0013_case_clocks
Create Date: 2026-11-29 15:00:00

The verdict's tally groups the counted ratings by (post, holder, verified flag). PostgreSQL's planner multiplies the
columns' own distinct counts and expects hundreds of thousands of groups where there are about two per post, so it
scans the covering index ix_ratings_tally in one process and streams a sorted aggregate. Told the real number by
extended statistics (CREATE STATISTICS … (ndistinct)), it splits the scan over parallel workers and aggregates each
part, as it already does for a plain GROUP BY post_id: on 3,000,000 ratings / 10,000 posts the tally went from about
twice the plain GROUP BY to about the same time (bench/compute.py). SQLite has no such statistics.

``ix_ratings_withheld`` (both engines) is a partial index of the ratings not counted (held or excluded), covering the
withheld counts stored with every verdict line: they were read from the table row by row, scattered over the whole
heap (1.56 s for 90,000 withheld of 3,000,000 ratings); from the index alone they take 0.15 s.
"""
from alembic import op
import sqlalchemy as sa


revision = '0016_line_statistics'
down_revision = '0013_case_clocks'
branch_labels = None
depends_on = None


WITHHELD = "status IN ('held', 'excluded')"
WITHHELD_COLUMNS = ['cycle_id', 'post_id', 'holder_id', 'status', 'source_id', 'status_reason']


def upgrade():
    op.create_index(
        'ix_ratings_withheld', 'ratings', WITHHELD_COLUMNS,
        sqlite_where=sa.text(WITHHELD), postgresql_where=sa.text(WITHHELD),
    )
    if op.get_context().dialect.name != 'postgresql':
        return
    op.execute('CREATE STATISTICS IF NOT EXISTS st_ratings_line (ndistinct) ON post_id, holder_id, verified, level FROM ratings')
    op.execute('ANALYZE ratings')  # the statistics are gathered by the next ANALYZE; a sample, quick at any size


def downgrade():
    op.drop_index('ix_ratings_withheld', table_name='ratings')
    if op.get_context().dialect.name != 'postgresql':
        return
    op.execute('DROP STATISTICS IF EXISTS st_ratings_line')
