"""prediction precision column (fp32 / bf16 / int8 matmuls)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 17:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable and not backfilled: which precision older predictions ran in is not known.
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('precision', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.drop_column('precision')
