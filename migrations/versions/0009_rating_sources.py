"""rating sources: the per-source allowance, service halls, SMS-verified phones, withheld counts on result lines

Revision ID: 0009_rating_sources
Revises: 0008_follow_through
Create Date: 2026-12-02 10:00:00

- ``rating_sources``: one row per source (a /24 or /64 network; in a service hall a device on one day), post and
  cycle, the counter the allowance is taken from and the group a review releases or excludes at once.
- ``service_halls``: networks the office registers, by unit.
- ``phone_challenges``: one-time SMS codes, the phone kept only as a keyed hash.
- ``ratings.source_id`` and ``ratings.phone_hash`` (one rating per phone, post and cycle).
- ``results.withheld``: counts of ratings not counted, by rule, as computed (added in place: the immutability
  triggers of results stay as they are).
Self-contained: it touches no table another revision changes.
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_rating_sources'
down_revision = '0008_follow_through'
branch_labels = None
depends_on = None

SOURCE_STATES = ('open', 'review', 'released', 'excluded')


def upgrade():
    op.create_table('service_halls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('prefix', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_service_halls_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_halls')),
    sa.UniqueConstraint('prefix', name=op.f('uq_service_halls_prefix'))
    )
    with op.batch_alter_table('service_halls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_halls_unit_id'), ['unit_id'], unique=False)

    op.create_table('rating_sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('source_key', sa.String(length=64), nullable=False),
    sa.Column('network', sa.String(length=64), nullable=False),
    sa.Column('hall_id', sa.Integer(), nullable=True),
    sa.Column('day', sa.Date(), nullable=True),
    sa.Column('taken', sa.Integer(), nullable=False),
    sa.Column('state', sa.Enum(*SOURCE_STATES, name='source_state', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('direction', sa.String(length=10), nullable=True),
    sa.Column('first_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by', sa.String(length=50), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_rating_sources_cycle_id_cycles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['hall_id'], ['service_halls.id'], name=op.f('fk_rating_sources_hall_id_service_halls'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_rating_sources_post_id_posts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rating_sources')),
    sa.UniqueConstraint('cycle_id', 'post_id', 'source_key', name='uq_rating_sources_key')
    )
    with op.batch_alter_table('rating_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rating_sources_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_sources_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rating_sources_state'), ['state'], unique=False)

    op.create_table('phone_challenges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_phone_challenges_post_id_posts'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phone_challenges'))
    )
    with op.batch_alter_table('phone_challenges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phone_challenges_phone_hash'), ['phone_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_phone_challenges_post_id'), ['post_id'], unique=False)

    _on_ratings(_add_rating_columns)

    # In place on both engines (no batch rebuild), so the triggers that keep results immutable are untouched.
    op.add_column('results', sa.Column('withheld', sa.JSON(), nullable=True))


def _sqlite_rebuild(change) -> None:
    """Run a batch rebuild of ``ratings`` on SQLite with foreign keys off: follow-ups reference ratings, and dropping
    the old table would otherwise be refused. The pragma only applies outside a transaction, so what ran before is
    committed first; foreign keys are checked and switched back on after."""
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
            raise RuntimeError(f"foreign keys broken by the rebuild of ratings: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _add_rating_columns() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('phone_hash', sa.String(length=64), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_ratings_source_id_rating_sources'), 'rating_sources', ['source_id'], ['id'],
            ondelete='RESTRICT',
        )
        batch_op.create_index(batch_op.f('ix_ratings_source_id'), ['source_id'], unique=False)
        # One rating per phone, post and cycle (NULLs, the ratings without a phone, never collide).
        batch_op.create_index('uq_ratings_phone', ['cycle_id', 'post_id', 'phone_hash'], unique=True)


def _drop_rating_columns() -> None:
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('uq_ratings_phone')
        batch_op.drop_index(batch_op.f('ix_ratings_source_id'))
        batch_op.drop_constraint(batch_op.f('fk_ratings_source_id_rating_sources'), type_='foreignkey')
        batch_op.drop_column('phone_hash')
        batch_op.drop_column('source_id')


def _on_ratings(change) -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild(change)
    else:
        change()


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("ALTER TABLE results DROP COLUMN withheld")
    else:
        op.drop_column('results', 'withheld')
    _on_ratings(_drop_rating_columns)
    op.drop_table('phone_challenges')
    op.drop_table('rating_sources')
    op.drop_table('service_halls')
