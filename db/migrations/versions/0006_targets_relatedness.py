"""targets: aliases, document scope, relatedness threshold; predictions: score (relatedness gate)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 19:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('targets', schema=None) as batch_op:
        # existing targets get no keywords: their pairs are queued on the relatedness score alone
        batch_op.add_column(sa.Column('aliases', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('documents', sa.String(length=512), nullable=True))
        batch_op.add_column(sa.Column('threshold', sa.Float(), nullable=True))
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.drop_column('score')
    with op.batch_alter_table('targets', schema=None) as batch_op:
        batch_op.drop_column('threshold')
        batch_op.drop_column('documents')
        batch_op.drop_column('aliases')
