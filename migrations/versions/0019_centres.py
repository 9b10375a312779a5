"""complaint centres: the city's and one per county, with cases and handlers scoped to their centre (issue 14 item 3)

Revision ID: 0019_centres
Revises: 0018_confidential
Create Date: 2026-11-29 18:10:00

- ``complaint_centres``: ``CITY`` (市投诉中心) and one per county unit (its code, ``county_id``).
- ``complaints.centre_id``: the centre working the case, filled from the case's unit by the routing rule of
  rating.services.complaints.centres (a county and its stations: the county's centre; any other unit: the city's).
- ``users.centre_id``: a complaint handler's centre, with the CHECK ``handlers_have_centre``; existing handlers are
  put in the city's centre, which took every case before.
On SQLite both tables are rebuilt in batch mode with foreign keys off (events, notices and recovery codes refer to
them), as 0012 rebuilds the ledger; on PostgreSQL the changes are made in place. Downgrade drops the centres and
both columns: the centre of each case is derived from its unit again when upgrading.
"""
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


revision = '0019_centres'
down_revision = '0018_confidential'
branch_labels = None
depends_on = None

CITY = 'CITY'
HANDLERS_HAVE_CENTRE = "role != 'complaint_handler' OR centre_id IS NOT NULL"
#: The routing rule as SQL, for the cases already there: a county's own centre, a station's county's, else the city's.
ROUTE_CASES = """
UPDATE complaints SET centre_id = COALESCE(
  (SELECT c.id FROM units u JOIN complaint_centres c ON c.county_id = u.id
    WHERE u.id = complaints.unit_id AND u.kind = 'county'),
  (SELECT c.id FROM units u JOIN units p ON p.id = u.parent_id JOIN complaint_centres c ON c.county_id = p.id
    WHERE u.id = complaints.unit_id AND u.kind = 'station' AND p.kind = 'county'),
  (SELECT id FROM complaint_centres WHERE code = 'CITY'))
"""


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _rebuilding(change) -> None:
    """On SQLite, a batch rebuild with foreign keys off: other tables refer to complaints and users, and dropping the
    old table would otherwise be refused. The pragma only applies outside a transaction, so what ran before is
    committed first; foreign keys are checked and switched back on after (as in 0012)."""
    if not _sqlite():
        change()
        return
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
            raise RuntimeError(f"foreign keys broken by the rebuild for centres: {broken[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _add_columns() -> None:
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('centre_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_complaints_centre_id_complaint_centres'), 'complaint_centres', ['centre_id'], ['id'],
            ondelete='RESTRICT',
        )
        batch_op.create_index(batch_op.f('ix_complaints_centre_id'), ['centre_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('centre_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_users_centre_id_complaint_centres'), 'complaint_centres', ['centre_id'], ['id'],
            ondelete='RESTRICT',
        )


def _fill() -> None:
    """The city's centre and one per county; each case to its unit's centre, each handler to the city's."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    if _sqlite():
        now = now.replace(tzinfo=None)  # SQLite keeps naive UTC (rating.models.base.UTCDateTime)
    centres = sa.table(
        'complaint_centres', sa.column('code', sa.String), sa.column('county_id', sa.Integer),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    counties = bind.execute(sa.text("SELECT id, code FROM units WHERE kind = 'county' ORDER BY code")).all()
    rows = [{'code': CITY, 'county_id': None, 'created_at': now}]
    rows += [{'code': code, 'county_id': unit_id, 'created_at': now} for unit_id, code in counties]
    op.bulk_insert(centres, rows)
    bind.execute(sa.text(ROUTE_CASES))
    bind.execute(sa.text(
        "UPDATE users SET centre_id = (SELECT id FROM complaint_centres WHERE code = 'CITY') "
        "WHERE role = 'complaint_handler'"
    ))


def _check_handlers() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_check_constraint('handlers_have_centre', HANDLERS_HAVE_CENTRE)


def upgrade():
    op.create_table(
        'complaint_centres',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('county_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['county_id'], ['units.id'], name=op.f('fk_complaint_centres_county_id_units'), ondelete='RESTRICT'
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_centres')),
        sa.UniqueConstraint('code', name=op.f('uq_complaint_centres_code')),
        sa.UniqueConstraint('county_id', name=op.f('uq_complaint_centres_county_id')),
    )
    _rebuilding(_add_columns)
    _fill()
    _rebuilding(_check_handlers)


def _drop_columns() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_users_handlers_have_centre'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_users_centre_id_complaint_centres'), type_='foreignkey')
        batch_op.drop_column('centre_id')
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaints_centre_id'))
        batch_op.drop_constraint(batch_op.f('fk_complaints_centre_id_complaint_centres'), type_='foreignkey')
        batch_op.drop_column('centre_id')


def downgrade():
    _rebuilding(_drop_columns)
    op.drop_table('complaint_centres')
