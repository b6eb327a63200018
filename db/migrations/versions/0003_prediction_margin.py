"""prediction margin column for the uncertainty order

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:45:00
"""
import json

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def _margin(probabilities) -> float:
    if isinstance(probabilities, str):
        probabilities = json.loads(probabilities)
    top = sorted((float(p) for p in (probabilities or {}).values()), reverse=True) + [0.0, 0.0]
    return top[0] - top[1]


def upgrade() -> None:
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('margin', sa.Float(), nullable=True))
        batch_op.create_index('ix_prediction_uncertainty', ['task', 'target_id', 'margin'], unique=False)

    # Backfill in pages so a large predictions table never sits in memory at once.
    conn = op.get_bind()
    predictions = sa.table('predictions', sa.column('id', sa.Integer), sa.column('probabilities', sa.JSON),
                           sa.column('margin', sa.Float))
    last_id = 0
    while True:
        rows = conn.execute(sa.select(predictions.c.id, predictions.c.probabilities)
                            .where(predictions.c.id > last_id).order_by(predictions.c.id).limit(5000)).all()
        if not rows:
            break
        conn.execute(predictions.update().where(predictions.c.id == sa.bindparam('pid'))
                     .values(margin=sa.bindparam('m')), [{'pid': r[0], 'm': _margin(r[1])} for r in rows])
        last_id = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table('predictions', schema=None) as batch_op:
        batch_op.drop_index('ix_prediction_uncertainty')
        batch_op.drop_column('margin')
