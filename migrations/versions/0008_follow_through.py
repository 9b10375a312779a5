"""follow-through of the verdict: transfer orders, accountability ledger

Revision ID: 0008_follow_through
Revises: 0007_tenure_lines
Create Date: 2026-11-29 09:38:19

- transfer_orders (调离令): one per warned line of a published result, due in working days, ended by HR's transfer.
- ledger_entries (责任追究台账) and ledger_evidence: the measure taken for a substantiated complaint, a notified
  finding or a warning, with its evidence files kept in the database (never under static/).
- notifications.for_role: a notice for one role (HR of the unit, the office, the discipline commission).
Nothing existing changes: the ledger and the orders are filled by the services and the scheduler.
"""
from alembic import op
import sqlalchemy as sa

revision = '0008_follow_through'
down_revision = '0007_tenure_lines'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('transfer_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cycle_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('holder_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('result_set_id', sa.Integer(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum('open', 'done', name='transfer_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('overdue', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('transferred_on', sa.Date(), nullable=True),
    sa.Column('successor_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=50), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status <> 'done' OR transferred_on IS NOT NULL", name=op.f('ck_transfer_orders_done_has_date')),
    sa.CheckConstraint('due_on >= published_on', name=op.f('ck_transfer_orders_due_after_publication')),
    sa.ForeignKeyConstraint(['cycle_id'], ['cycles.id'], name=op.f('fk_transfer_orders_cycle_id_cycles'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['holder_id'], ['holders.id'], name=op.f('fk_transfer_orders_holder_id_holders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_transfer_orders_post_id_posts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['result_set_id'], ['result_sets.id'], name=op.f('fk_transfer_orders_result_set_id_result_sets'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['successor_id'], ['holders.id'], name=op.f('fk_transfer_orders_successor_id_holders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_transfer_orders_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_transfer_orders')),
    sa.UniqueConstraint('cycle_id', 'post_id', 'holder_id', name='uq_transfer_orders_cycle_post_holder')
    )
    with op.batch_alter_table('transfer_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_orders_cycle_id'), ['cycle_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_orders_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_orders_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_orders_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_orders_unit_id'), ['unit_id'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.Enum('complaint', 'finding', 'warning', name='ledger_source', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=True),
    sa.Column('finding_id', sa.Integer(), nullable=True),
    sa.Column('transfer_order_id', sa.Integer(), nullable=True),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('post_id', sa.Integer(), nullable=True),
    sa.Column('holder_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('status', sa.Enum('open', 'closed', name='ledger_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('measure', sa.Enum('criticism', 'admonition', 'warning', 'transfer', 'removal', 'resignation', 'referral', 'none', name='ledger_measure', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('measure_note', sa.Text(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('overdue', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('recorded_by', sa.String(length=50), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sa.String(length=50), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('public', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('name_published', sa.Boolean(), server_default=sa.text('false'), nullable=False),
    sa.Column('notice_text', sa.String(length=500), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("(source = 'complaint') = (complaint_id IS NOT NULL)", name=op.f('ck_ledger_entries_complaint_source')),
    sa.CheckConstraint("(source = 'finding') = (finding_id IS NOT NULL)", name=op.f('ck_ledger_entries_finding_source')),
    sa.CheckConstraint("(source = 'warning') = (transfer_order_id IS NOT NULL)", name=op.f('ck_ledger_entries_warning_source')),
    sa.CheckConstraint("public = false OR status = 'closed'", name=op.f('ck_ledger_entries_public_when_closed')),
    sa.CheckConstraint("status <> 'closed' OR measure IS NOT NULL", name=op.f('ck_ledger_entries_closed_has_measure')),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_ledger_entries_complaint_id_complaints'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['finding_id'], ['inspection_findings.id'], name=op.f('fk_ledger_entries_finding_id_inspection_findings'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['holder_id'], ['holders.id'], name=op.f('fk_ledger_entries_holder_id_holders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['post_id'], ['posts.id'], name=op.f('fk_ledger_entries_post_id_posts'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['transfer_order_id'], ['transfer_orders.id'], name=op.f('fk_ledger_entries_transfer_order_id_transfer_orders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_ledger_entries_unit_id_units'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('complaint_id', name=op.f('uq_ledger_entries_complaint_id')),
    sa.UniqueConstraint('finding_id', name=op.f('uq_ledger_entries_finding_id')),
    sa.UniqueConstraint('transfer_order_id', name=op.f('uq_ledger_entries_transfer_order_id'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_deadline'), ['deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_unit_id'), ['unit_id'], unique=False)

    op.create_table('ledger_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('uploaded_by', sa.String(length=50), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('size > 0', name=op.f('ck_ledger_evidence_size_positive')),
    sa.ForeignKeyConstraint(['entry_id'], ['ledger_entries.id'], name=op.f('fk_ledger_evidence_entry_id_ledger_entries'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_evidence'))
    )
    with op.batch_alter_table('ledger_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_evidence_entry_id'), ['entry_id'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('for_role', sa.Enum('unit_staff', 'hr_officer', 'inspector', 'complaint_handler', 'admin', 'auditor', name='notification_role', native_enum=False, create_constraint=True), nullable=True))



def downgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_notification_role'), type_='check')
        batch_op.drop_column('for_role')

    with op.batch_alter_table('ledger_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_evidence_entry_id'))

    op.drop_table('ledger_evidence')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_entries_unit_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_status'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_source'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_deadline'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('transfer_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_orders_unit_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_orders_status'))
        batch_op.drop_index(batch_op.f('ix_transfer_orders_post_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_orders_due_on'))
        batch_op.drop_index(batch_op.f('ix_transfer_orders_cycle_id'))

    op.drop_table('transfer_orders')
