"""corrections of the extraction: decision fields for a corrected span and speaker

Revision ID: 0008_corrections
Revises: 0007_assign
Create Date: 2026-12-06 00:20:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_corrections'
down_revision = '0007_assign'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: only correction events (fix_span, fix_speaker, add_statement) fill them; the new
    # actions themselves need no schema change (decisions.action is a string).
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrected_start', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('corrected_end', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('corrected_speaker', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('corrected_speaker_id', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('corrected_speaker_role', sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column('corrected_speaker_type', sa.String(length=16), nullable=True))
        # the queue reads the statement-level verdicts (not_statement, add_statement) on every page
        batch_op.create_index('ix_decision_action', ['action', 'statement_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index('ix_decision_action')
        for name in ('corrected_speaker_type', 'corrected_speaker_role', 'corrected_speaker_id',
                     'corrected_speaker', 'corrected_end', 'corrected_start'):
            batch_op.drop_column(name)
