"""assignment_plans and assignments: controlled overlap (`workbench assign`)

Revision ID: 0007_assign
Revises: 0006
Create Date: 2026-12-06 00:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_assign'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # no plan: every annotator sees every item, as before this revision
    op.create_table('assignment_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=True),
    sa.Column('annotators', sa.JSON(), nullable=False),
    sa.Column('overlap', sa.Float(), nullable=False),
    sa.Column('overlap_annotators', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('all_pairs', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['target_id'], ['targets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('target_id')
    )
    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('annotator_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['annotator_id'], ['annotators.id'], ),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['target_id'], ['targets.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('statement_id', 'target_id', 'annotator_id', name='uq_assignment')
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index('ix_assignment_annotator', ['annotator_id', 'target_id'], unique=False)
        batch_op.create_index('ix_assignment_target', ['target_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index('ix_assignment_target')
        batch_op.drop_index('ix_assignment_annotator')
    op.drop_table('assignments')
    op.drop_table('assignment_plans')
