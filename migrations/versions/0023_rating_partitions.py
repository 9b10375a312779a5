"""ratings partitioned by cycle on PostgreSQL; unique keys of a rating include its cycle (issue 16 item 4)

Revision ID: 0023_rating_partitions
Revises: 0022_device_day
Create Date: 2026-11-29 21:00:00

PostgreSQL: ``ratings`` becomes a table partitioned by LIST (cycle_id), one partition ``ratings_c<cycle id>`` per
cycle (a new cycle gets its own from rating.services.partitions, called by create_cycle) and ``ratings_default`` for
ratings of a cycle without one. The verdict, the rankings and the public pages read one cycle: they read its
partition alone (partition pruning), however many years of ratings the table holds. Rows, ids and the id sequence
are kept; the indexes are declared on the partitioned table, which makes them on every partition; the line
statistics st_ratings_line are kept, and each partition gets its own (``st_ratings_c<id>_line``), which the planner
uses once the query is pruned to it.

PostgreSQL requires the partition key in every unique key of a partitioned table, so on both engines:
- ``uq_ratings_receipt`` is (receipt, cycle_id): a receipt is the rating's day and 7 random characters of 32,
  looked up alone (the index leads with it); cycles never overlap, so receipts of two cycles are of different days.
- ``uq_ratings_code_id`` is (code_id, cycle_id): a code is spent by one guarded UPDATE before its rating is written,
  which is what makes it single-use.
- ``uq_ratings_device_day`` ends with cycle_id: a day lies in one cycle, so the rule is the same.
- ``follow_ups.cycle_id``, the rating's cycle: on PostgreSQL the follow-up's foreign key is (rating_id, cycle_id),
  the partitioned table's primary key (id, cycle_id). SQLite keeps the primary key id and the foreign key rating_id.
"""
import sqlalchemy as sa
from alembic import op

revision = '0023_rating_partitions'
down_revision = '0022_device_day'
branch_labels = None
depends_on = None

WITHHELD = "status IN ('held', 'excluded')"
#: The ratings' indexes other than the unique keys, as 0022 left them (unchanged here).
INDEXES = [
    ('ix_ratings_tally', ['cycle_id', 'status', 'post_id', 'holder_id', 'verified', 'level'], None),
    ('ix_ratings_withheld', ['cycle_id', 'post_id', 'holder_id', 'status', 'source_id', 'status_reason'], WITHHELD),
    ('ix_ratings_queue', ['status', 'created_at'], WITHHELD),
    ('ix_ratings_post_id', ['post_id'], None),
    ('ix_ratings_source_id', ['source_id'], None),
    ('ix_ratings_created_at', ['created_at'], None),
]
FOREIGN_KEYS = [
    ('fk_ratings_cycle_id_cycles', 'cycle_id', 'cycles'),
    ('fk_ratings_post_id_posts', 'post_id', 'posts'),
    ('fk_ratings_holder_id_holders', 'holder_id', 'holders'),
    ('fk_ratings_code_id_rating_codes', 'code_id', 'rating_codes'),
    ('fk_ratings_source_id_rating_sources', 'source_id', 'rating_sources'),
]
#: The unique keys: (name, columns before, columns after).
UNIQUE = [
    ('uq_ratings_receipt', ['receipt'], ['receipt', 'cycle_id']),
    ('uq_ratings_code_id', ['code_id'], ['code_id', 'cycle_id']),
]
DEVICE_DAY = ['post_id', 'rater_hash', 'rated_on']
PHONE = ['cycle_id', 'post_id', 'phone_hash']
LINE = 'post_id, holder_id, verified, level'


def _postgresql() -> bool:
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if _postgresql():
        op.drop_constraint('fk_follow_ups_rating_id_ratings', 'follow_ups', type_='foreignkey')
        _rebuild_ratings(partitioned=True)
    else:
        _sqlite_unique_keys(after=True)
    op.add_column('follow_ups', sa.Column('cycle_id', sa.Integer(), nullable=True))
    op.execute(
        'UPDATE follow_ups SET cycle_id = (SELECT cycle_id FROM ratings WHERE ratings.id = follow_ups.rating_id)'
    )
    with op.batch_alter_table('follow_ups') as batch_op:
        batch_op.alter_column('cycle_id', existing_type=sa.Integer(), nullable=False)
    if _postgresql():
        op.create_foreign_key(
            'fk_follow_ups_rating_id_ratings', 'follow_ups', 'ratings',
            ['rating_id', 'cycle_id'], ['id', 'cycle_id'], ondelete='RESTRICT',
        )


def downgrade():
    if _postgresql():
        op.drop_constraint('fk_follow_ups_rating_id_ratings', 'follow_ups', type_='foreignkey')
        op.drop_column('follow_ups', 'cycle_id')
        _rebuild_ratings(partitioned=False)
        op.create_foreign_key(
            'fk_follow_ups_rating_id_ratings', 'follow_ups', 'ratings', ['rating_id'], ['id'], ondelete='RESTRICT'
        )
    else:
        op.execute('ALTER TABLE follow_ups DROP COLUMN cycle_id')
        _sqlite_unique_keys(after=False)


def _sqlite_unique_keys(after: bool) -> None:
    """SQLite changes a table's constraints by copying it (batch), with foreign keys off (follow-ups refer to the
    ratings, and dropping the old table would otherwise be refused; as in 0009). The pragma only applies outside a
    transaction, so what ran before is committed first; foreign keys are checked and switched back on after."""
    raw = op.get_bind().connection.driver_connection
    if raw.in_transaction:
        raw.commit()
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        _sqlite_copy_ratings(after)
        if raw.in_transaction:
            raw.commit()
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"foreign keys broken by the rebuild of ratings: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _sqlite_copy_ratings(after: bool) -> None:
    """The batch copy; the unique device-day index and the partial indexes are made again after it, as they are."""
    op.drop_index('uq_ratings_device_day', table_name='ratings')
    for name, _columns, where in INDEXES:
        if where:  # partial: made again below, with their condition
            op.drop_index(name, table_name='ratings')
    with op.batch_alter_table('ratings', recreate='always') as batch_op:
        for name, before, now in UNIQUE:
            batch_op.drop_constraint(name, type_='unique')
            batch_op.create_unique_constraint(name, now if after else before)
    for name, columns, where in INDEXES:
        if where:
            op.create_index(name, 'ratings', columns, sqlite_where=sa.text(where))
    op.create_index('uq_ratings_device_day', 'ratings', DEVICE_DAY + (['cycle_id'] if after else []), unique=True)


def _rebuild_ratings(partitioned: bool) -> None:
    """PostgreSQL: the ratings copied into a new table, partitioned by cycle or plain, with the same columns,
    defaults and checks (LIKE), ids and the id sequence; then its keys, indexes and statistics."""
    op.execute('ALTER TABLE ratings RENAME TO ratings_before')
    like = 'LIKE ratings_before INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
    if partitioned:
        op.execute(f'CREATE TABLE ratings ({like}) PARTITION BY LIST (cycle_id)')
        for (cycle_id,) in op.get_bind().execute(sa.text('SELECT id FROM cycles ORDER BY id')):
            op.execute(f'CREATE TABLE ratings_c{int(cycle_id)} PARTITION OF ratings FOR VALUES IN ({int(cycle_id)})')
        op.execute('CREATE TABLE ratings_default PARTITION OF ratings DEFAULT')
    else:
        op.execute(f'CREATE TABLE ratings ({like})')
    op.execute('INSERT INTO ratings SELECT * FROM ratings_before')
    op.execute('ALTER SEQUENCE ratings_id_seq OWNED BY ratings.id')  # else it goes with the old table
    op.execute('DROP TABLE ratings_before')  # its indexes, keys and statistics with it (and its partitions)
    op.create_primary_key('pk_ratings', 'ratings', ['id', 'cycle_id'] if partitioned else ['id'])
    for name, before, now in UNIQUE:
        op.create_unique_constraint(name, 'ratings', now if partitioned else before)
    op.create_index('uq_ratings_phone', 'ratings', PHONE, unique=True)
    op.create_index('uq_ratings_device_day', 'ratings', DEVICE_DAY + (['cycle_id'] if partitioned else []), unique=True)
    for name, columns, where in INDEXES:
        op.create_index(name, 'ratings', columns, postgresql_where=sa.text(where) if where else None)
    for name, column, table in FOREIGN_KEYS:
        op.create_foreign_key(name, 'ratings', table, [column], ['id'], ondelete='RESTRICT')
    op.execute(f'CREATE STATISTICS st_ratings_line (ndistinct) ON {LINE} FROM ratings')
    if partitioned:
        for (table,) in op.get_bind().execute(sa.text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'ratings'::regclass AND c.relname <> 'ratings_default'"
        )):
            op.execute(f'CREATE STATISTICS st_{table}_line (ndistinct) ON {LINE} FROM {table}')
    op.execute('ANALYZE ratings')
