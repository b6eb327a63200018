"""statement speaker_id: the same speaker across documents

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 19:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable and not backfilled: the key is made from the canonical speaker names of extractor
    # rules-1.8, and older rows hold names as they were written ("Mr. Burman"), whose keys would
    # not group with the new ones. `workbench extract --redo` fills every row.
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaker_id', sa.String(length=512), nullable=True))
        batch_op.create_index('ix_statements_speaker_id', ['speaker_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_speaker_id')
        batch_op.drop_column('speaker_id')
