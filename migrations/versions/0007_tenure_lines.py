"""verdict lines are tenures: records attributed to the holder in post on their date

Revision ID: 0007_tenure_lines
Revises: 0006_results
Create Date: 2026-11-29 09:30:00

- A post's first holder holds it from the beginning: the earliest tenure of each post loses its start date.
- Assessments and inspection scores belong to a person: unique per cycle, post and holder (and round).
- A result line is one post and holder, says whether it was ranked and for how many days of the cycle the holder
  was in post. Published lines are not touched: their hashes still verify.
- Ratings, findings and complaints are attributed to the holder whose tenure covers their date (Asia/Shanghai).
- A cycle created ahead of its start date is "scheduled" until the scheduler opens it.
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_tenure_lines'
down_revision = '0006_results'
branch_labels = None
depends_on = None

#: The local date of a UTC timestamp column, per engine.
LOCAL_DATE = {
    "sqlite": "date({column}, '+8 hours')",
    "postgresql": "(({column}) AT TIME ZONE 'Asia/Shanghai')::date",
}
COVERING = (
    "(SELECT t.holder_id FROM tenures t WHERE t.post_id = {table}.post_id"
    " AND (t.started_on IS NULL OR t.started_on <= {day}) AND (t.ended_on IS NULL OR t.ended_on >= {day}))"
)


def _sqlite_triggers(create: bool) -> None:
    """The immutability triggers of 0006 on results (SQLite drops them with the table a batch rebuilds)."""
    op.execute("DROP TRIGGER IF EXISTS results_no_update")
    op.execute("DROP TRIGGER IF EXISTS results_keep_published")
    if create:
        op.execute(
            "CREATE TRIGGER results_no_update BEFORE UPDATE ON results "
            "BEGIN SELECT RAISE(ABORT, 'results are immutable'); END"
        )
        op.execute(
            "CREATE TRIGGER results_keep_published BEFORE DELETE ON results WHEN "
            "(SELECT kind FROM result_sets WHERE id = OLD.result_set_id) = 'published' "
            "BEGIN SELECT RAISE(ABORT, 'published results are immutable'); END"
        )


def _attribute_by_date(dialect: str) -> None:
    local = LOCAL_DATE[dialect]
    for table, day in (
        ("ratings", local.format(column="ratings.created_at")),
        ("complaints", local.format(column="complaints.created_at")),
        ("inspection_findings", "inspection_findings.found_on"),
    ):
        covering = COVERING.format(table=table, day=day)
        op.execute(f"UPDATE {table} SET holder_id = COALESCE({covering}, holder_id) WHERE post_id IS NOT NULL")


CYCLE_STATES = ("open", "closed", "computed", "notice", "published")


def _foreign_keys(on: bool) -> None:
    """SQLite rebuilds a table to change a CHECK constraint; tables referring to it must not stop the rebuild (the
    pragma only takes effect outside a transaction)."""
    if op.get_bind().dialect.name == "sqlite":
        with op.get_context().autocommit_block():
            op.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _cycle_states(states: tuple[str, ...]) -> None:
    listed = ", ".join(f"'{state}'" for state in states)
    _foreign_keys(on=False)
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_cycles_cycle_status'), type_='check')
        batch_op.create_check_constraint('cycle_status', f"status IN ({listed})")
    _foreign_keys(on=True)


def upgrade():
    dialect = op.get_bind().dialect.name
    _cycle_states(("scheduled", *CYCLE_STATES))
    with op.batch_alter_table('tenures', schema=None) as batch_op:
        batch_op.alter_column('started_on', existing_type=sa.Date(), nullable=True)
    op.execute(
        "UPDATE tenures SET started_on = NULL WHERE id IN (SELECT t.id FROM tenures t WHERE NOT EXISTS "
        "(SELECT 1 FROM tenures e WHERE e.post_id = t.post_id AND e.started_on < t.started_on))"
    )

    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessments_cycle_post', type_='unique')
        batch_op.create_unique_constraint('uq_assessments_cycle_post_holder', ['cycle_id', 'post_id', 'holder_id'])
    with op.batch_alter_table('inspection_scores', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inspection_scores_cycle_post_round', type_='unique')
        batch_op.create_unique_constraint(
            'uq_inspection_scores_cycle_post_holder_round', ['cycle_id', 'post_id', 'holder_id', 'round']
        )

    if dialect == "sqlite":
        _sqlite_triggers(create=False)
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ranked', sa.Boolean(), server_default=sa.text('true'), nullable=False))
        batch_op.add_column(sa.Column('tenure_days', sa.Integer(), nullable=True))
        batch_op.drop_constraint('uq_results_set_post', type_='unique')
        batch_op.create_unique_constraint('uq_results_set_post_holder', ['result_set_id', 'post_id', 'holder_id'])
    if dialect == "sqlite":
        _sqlite_triggers(create=True)

    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_tally')
        batch_op.create_index(
            'ix_ratings_tally', ['cycle_id', 'status', 'post_id', 'holder_id', 'verified', 'level'], unique=False
        )
    _attribute_by_date(dialect)


def downgrade():
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table('ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_ratings_tally')
        batch_op.create_index('ix_ratings_tally', ['cycle_id', 'post_id', 'status', 'verified', 'level'], unique=False)
    if dialect == "sqlite":
        _sqlite_triggers(create=False)
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_constraint('uq_results_set_post_holder', type_='unique')
        batch_op.create_unique_constraint('uq_results_set_post', ['result_set_id', 'post_id'])
        batch_op.drop_column('tenure_days')
        batch_op.drop_column('ranked')
    if dialect == "sqlite":
        _sqlite_triggers(create=True)
    with op.batch_alter_table('inspection_scores', schema=None) as batch_op:
        batch_op.drop_constraint('uq_inspection_scores_cycle_post_holder_round', type_='unique')
        batch_op.create_unique_constraint('uq_inspection_scores_cycle_post_round', ['cycle_id', 'post_id', 'round'])
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_assessments_cycle_post_holder', type_='unique')
        batch_op.create_unique_constraint('uq_assessments_cycle_post', ['cycle_id', 'post_id'])
    op.execute(
        "UPDATE tenures SET started_on = (SELECT MIN(c.starts_on) FROM cycles c) WHERE started_on IS NULL"
    )
    op.execute("UPDATE tenures SET started_on = CURRENT_DATE WHERE started_on IS NULL")
    with op.batch_alter_table('tenures', schema=None) as batch_op:
        batch_op.alter_column('started_on', existing_type=sa.Date(), nullable=False)
    op.execute("UPDATE cycles SET status = 'open' WHERE status = 'scheduled'")
    _cycle_states(CYCLE_STATES)
