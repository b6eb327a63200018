"""naming: every constraint carries the name the naming convention gives it (SQLite files made before 0009)

PostgreSQL named the constraints by the same rules when it created the tables (documents_sha256_key,
statements_document_id_fkey, documents_pkey): nothing to do there. A SQLite file created before this
revision holds the same constraints unnamed (the tables of 0001-0006 and those 0007_assign added:
assignment_plans, assignments; their explicitly named indexes, ix_assignment_* and 0008's
ix_decision_action, keep their names through the rebuild); each table with an unnamed one is rebuilt in batch mode
with the names, so that every database, old or new, answers to the names a later migration uses.
db.migrate.upgrade runs migrations on SQLite with foreign keys off, so the rebuild's DROP TABLE of
the old copy cascades to nothing.

Revision ID: 0009_naming
Revises: 0008_corrections
Create Date: 2026-12-06 03:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_naming'
down_revision = '0008_corrections'
branch_labels = None
depends_on = None

# A copy of db.schema.NAMING_CONVENTION as it was at this revision (a migration must not change when the
# application's schema module does); tests/test_schema_drift.py holds the two equal while this is head.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}
TABLES = ("documents", "annotators", "targets", "settings", "statements", "predictions", "decisions", "adjudications",
          "assignment_plans", "assignments")


def _has_unnamed_constraint(table: str) -> bool:
    inspector = sa.inspect(op.get_bind())
    return (not inspector.get_pk_constraint(table).get("name")
            or any(not fk["name"] for fk in inspector.get_foreign_keys(table))
            or any(not uq["name"] for uq in inspector.get_unique_constraints(table)))


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        if _has_unnamed_constraint(table):
            # the rebuild reflects the table (named CHECK constraints included) and names what is unnamed
            with op.batch_alter_table(table, recreate="always", naming_convention=NAMING_CONVENTION):
                pass


def downgrade() -> None:
    # the names are harmless to 0008_corrections and before, which never refer to a constraint by name
    pass
