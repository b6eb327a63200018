"""db/schema.py and the Alembic head describe the same database, on SQLite and on PostgreSQL.

Migrations run to head on a fresh SQLite file and on a fresh PostgreSQL schema; Alembic's
autogenerate comparison against the ORM metadata must find nothing to do, and every constraint and
index must carry the name the metadata's naming convention gives it (autogenerate does not compare
foreign key names, and a migration can only drop a constraint by the name the database has).
A database created before the naming convention is checked too: PostgreSQL named its constraints
exactly so already, and an older SQLite file's unnamed ones are reachable by batch migrations.
"""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import inspect

from db.engine import make_engine
from db.migrate import upgrade
from db.schema import NAMING_CONVENTION, Base

# SQLAlchemy's default: only indexes are named by convention (what the schema had before NAMING_CONVENTION)
BEFORE_CONVENTION = {"ix": "ix_%(column_0_label)s"}
DIALECTS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=DIALECTS)
def fresh_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'drift.db'}"
    return request.getfixturevalue("pg_url")


def migrated(url: str):
    engine = make_engine(url)
    upgrade(engine)
    return engine


def drift(engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def metadata_names() -> set[tuple[str, str, str]]:
    """(table, kind, name) of every constraint and index the ORM declares, as its DDL would name them."""
    from sqlalchemy.schema import CreateTable

    names = set()
    for table in Base.metadata.sorted_tables:
        CreateTable(table).compile()  # resolves the convention's deferred names
        names.add((table.name, "pk", str(table.primary_key.name)))
        names |= {(table.name, "fk", str(fk.name)) for fk in table.foreign_key_constraints}
        names |= {(table.name, "uq", str(c.name)) for c in table.constraints
                  if c.__class__.__name__ == "UniqueConstraint"}
        names |= {(table.name, "ix", str(ix.name)) for ix in table.indexes}
    return names


def database_names(engine) -> set[tuple[str, str, str | None]]:
    inspector = inspect(engine)
    names = set()
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        names.add((table, "pk", inspector.get_pk_constraint(table)["name"]))
        names |= {(table, "fk", fk["name"]) for fk in inspector.get_foreign_keys(table)}
        names |= {(table, "uq", uq["name"]) for uq in inspector.get_unique_constraints(table)}
        # PostgreSQL backs each unique constraint with an index of the same name; that is the constraint
        names |= {(table, "ix", ix["name"]) for ix in inspector.get_indexes(table)
                  if not ix.get("duplicates_constraint")}
    return names


def test_metadata_names_follow_the_convention():
    names = metadata_names()
    assert ("documents", "uq", "documents_sha256_key") in names
    assert ("decisions", "fk", "decisions_supersedes_id_fkey") in names
    assert ("statements", "uq", "uq_statement_span") in names  # an explicit name is kept
    assert ("settings", "pk", "settings_pkey") in names
    assert ("decisions", "ix", "ix_decisions_created_at") in names
    assert not [n for n in names if n[2] in ("None", "_NONE_NAME")]


def test_alembic_head_matches_the_orm(fresh_url):
    engine = migrated(fresh_url)
    try:
        assert drift(engine) == []
        assert database_names(engine) == metadata_names()
    finally:
        engine.dispose()


def test_the_check_constraint_keeps_its_name(fresh_url):
    engine = migrated(fresh_url)
    try:
        checks = {c["name"] for c in inspect(engine).get_check_constraints("statements")}
        assert "ck_statement_offsets" in checks
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_a_postgres_database_from_before_the_convention_already_has_its_names(pg_url, monkeypatch):
    """The convention is PostgreSQL's own default naming: existing databases need no rename."""
    monkeypatch.setattr(Base.metadata, "naming_convention", BEFORE_CONVENTION)
    engine = migrated(pg_url)  # Alembic's operations take the naming convention from the target metadata
    monkeypatch.undo()
    try:
        assert drift(engine) == []
        assert database_names(engine) == metadata_names()
    finally:
        engine.dispose()


def _fill(engine) -> None:
    """A row in every table, rows referencing rows (what a table rebuild must carry over)."""
    from db.adjudication import set_gold
    from db.decisions import NewDecision, record
    from db.engine import transaction
    from db.repository import (StatementFields, add_document, add_target, get_or_create_annotator,
                               replace_statements, set_setting)
    from db.corrections import fix_span
    from db.schema import Assignment, AssignmentPlan, Prediction, Statement

    with transaction(engine) as session:
        doc, _ = add_document(session, "drift.txt", 'Alice said: "We back the plan." Bob said: "We do not."')
        replace_statements(session, doc, [StatementFields(12, 31, '"We back the plan."', "Alice", None, "other",
                                                          "direct", "said"),
                                          StatementFields(42, 55, '"We do not."', "Bob", None, "other", "direct",
                                                          "said")], "test")
        target = add_target(session, "the plan", aliases=["plan"])
        who = get_or_create_annotator(session, "ann")
        set_setting(session, "guidelines", "be careful")
        for statement in session.query(Statement).order_by(Statement.id):
            prediction = Prediction(statement_id=statement.id, target_id=target.id, task="stance", label="favor",
                                    probabilities={"favor": 0.8, "against": 0.1, "neutral": 0.1},
                                    model_name="m", model_version="1")
            session.add(prediction)
            session.flush()
            first = record(session, who, NewDecision(statement_id=statement.id, target_id=target.id, stance="favor",
                                                     sentiment="positive", stance_prediction_id=prediction.id))
            record(session, who, NewDecision(statement_id=statement.id, target_id=target.id, action="flag",
                                             reason_codes=("hedge",), note=f"after {first.id}"))
            set_gold(session, who, statement.id, target.id, "stance", "favor")
            session.add(Assignment(statement_id=statement.id, target_id=target.id, annotator_id=who.id))
        session.add(AssignmentPlan(target_id=target.id, annotators=["ann"], overlap=0.0, seed="s"))
        first = session.query(Statement).order_by(Statement.id).first()
        fix_span(session, who, first.id, target.id, first.start + 1, first.end - 1)  # 0008's corrected_* columns


def _rows(engine) -> dict[str, list]:
    from sqlalchemy import text

    with engine.connect() as conn:
        return {table.name: conn.execute(text(f"SELECT * FROM {table.name} ORDER BY 1")).all()
                for table in Base.metadata.sorted_tables}


def _clauses(sql: str) -> list[str]:
    """A CREATE statement's column and constraint clauses, sorted (a rebuild may order constraints
    differently), with quotes and line breaks left out."""
    sql = " ".join(sql.replace('"', "").split())
    head, _, body = sql.partition("(")
    if not head.startswith("CREATE TABLE"):
        return [sql]
    clauses, depth, current = [head.strip()], 0, ""
    for char in body.strip().removesuffix(")"):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            clauses.append(current.strip())
            current = ""
        else:
            current += char
    return sorted(clauses + [current.strip()])


def _table_sql(engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return {name: _clauses(sql) for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL "
            "AND name != 'alembic_version'")}


def test_an_old_sqlite_file_is_upgraded_to_the_names_and_keeps_every_row(tmp_path, monkeypatch):
    """0009_naming rebuilds an old file's tables with the constraint names (0007_assign's tables too);
    foreign keys are off while it runs, or the rebuild's DROP TABLE of documents would cascade to every
    statement, decision, prediction and assignment."""
    monkeypatch.setattr(Base.metadata, "naming_convention", BEFORE_CONVENTION)
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0008_corrections")
    monkeypatch.undo()
    fresh = migrated(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        _fill(engine)
        old = database_names(engine)
        assert ("documents", "uq", None) in old and ("decisions", "fk", None) in old
        assert ("assignment_plans", "uq", None) in old and ("assignments", "fk", None) in old
        assert ("assignments", "ix", "ix_assignment_target") in old and ("decisions", "ix", "ix_decision_action") in old
        before = _rows(engine)
        assert all(before.values()), {k: len(v) for k, v in before.items()}
        assert drift(engine) != []  # the ORM names constraints this file holds unnamed

        upgrade(engine)
        assert _rows(engine) == before
        assert drift(engine) == []
        assert database_names(engine) == metadata_names()
        new = database_names(engine)
        assert {("assignment_plans", "pk", "assignment_plans_pkey"), ("assignment_plans", "uq", "assignment_plans_target_id_key"),
                ("assignments", "fk", "assignments_statement_id_fkey"), ("assignments", "uq", "uq_assignment"),
                ("assignments", "ix", "ix_assignment_annotator"), ("decisions", "ix", "ix_decision_action")} <= new
        assert _table_sql(engine) == _table_sql(fresh)  # the same tables as a file created at head
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # back on for the pool
    finally:
        engine.dispose()
        fresh.dispose()


def test_a_batch_migration_drops_a_constraint_by_its_conventional_name(tmp_path):
    """What a later migration does on SQLite: rebuild the table and drop the constraint by name."""
    engine = migrated(f"sqlite:///{tmp_path / 'head.db'}")
    try:
        with engine.connect() as conn:
            with conn.begin():
                ops = Operations(MigrationContext.configure(conn))
                with ops.batch_alter_table("annotators") as batch:
                    batch.drop_constraint("annotators_name_key", type_="unique")
        assert inspect(engine).get_unique_constraints("annotators") == []
        assert [d[0] for d in drift(engine)] == ["add_constraint"]  # the ORM still declares it
    finally:
        engine.dispose()


def test_the_naming_migration_copies_the_schema_convention():
    """0009_naming keeps its own copy (a migration must not change with db/schema.py); while it is the newest
    migration that names constraints, the two are the same; it rebuilds every table the schema declares."""
    import importlib.util

    from db.migrate import MIGRATIONS_DIR

    spec = importlib.util.spec_from_file_location("naming_0009", MIGRATIONS_DIR / "versions" / "0009_naming.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.NAMING_CONVENTION == NAMING_CONVENTION
    assert set(module.TABLES) == set(Base.metadata.tables)


def test_an_upgrade_that_would_leave_dangling_references_changes_nothing(tmp_path, monkeypatch):
    """Foreign keys are off while migrations run, so the upgrade checks them before it commits: a file
    that already holds a row pointing at nothing is refused in one line and stays at its revision."""
    import sqlite3

    from db.errors import StorageError
    from db.migrate import current_revision

    path = tmp_path / "dangling.db"
    monkeypatch.setattr(Base.metadata, "naming_convention", BEFORE_CONVENTION)
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine, "0006")
    monkeypatch.undo()
    raw = sqlite3.connect(path)  # foreign keys are off by default in a plain sqlite3 connection
    raw.execute("INSERT INTO annotators (id, name, created_at) VALUES (1, 'ann', '2026-01-01')")
    raw.execute("INSERT INTO adjudications (statement_id, task, label, adjudicator_id, action, created_at) "
                "VALUES (99, 'sentiment', 'neutral', 1, 'set', '2026-01-01')")
    raw.commit()
    raw.close()
    try:
        with pytest.raises(StorageError, match="reference missing rows .*adjudications.*nothing was changed"):
            upgrade(engine)
        assert current_revision(engine) == "0006"
        assert ("annotators", "uq", None) in database_names(engine)  # 0009's rebuilds were rolled back
        assert "assignment_plans" not in inspect(engine).get_table_names()  # and 0007_assign's tables
    finally:
        engine.dispose()
