"""Create/upgrade the schema with Alembic and refuse databases at unknown revisions."""
from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect
from sqlalchemy.exc import DatabaseError, OperationalError

from db.errors import SchemaVersionError, StorageError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def current_revision(engine: Engine) -> str | None:
    """The schema revision stamped in the database; a read (deferred BEGIN on SQLite), so the check
    every command makes first never waits for, nor takes, the write lock."""
    from db.engine import readonly

    try:
        with readonly(engine).connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    except DatabaseError as exc:
        raise StorageError(f"{engine.url.render_as_string(hide_password=True)} is not a usable database: {_first_line(exc)}") from None


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Create or upgrade to `revision`; returns the revision reached. An empty database is
    created; one holding another application's tables (no workbench revision) is refused."""
    rev = current_revision(engine)
    if rev is not None and rev not in known_revisions():
        raise SchemaVersionError(_unknown_revision_message(engine, rev))
    if rev is None and set(_table_names(engine)) - {"alembic_version"}:
        raise SchemaVersionError(_foreign_message(_url(engine)))
    cfg = alembic_config()
    try:
        with engine.connect() as conn, _sqlite_foreign_keys_off(conn), conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
            if MigrationContext.configure(conn).get_current_revision() != rev:  # a scan, only after a change
                _check_foreign_keys(conn, engine)
    except OperationalError as exc:
        raise StorageError(f"could not migrate {_url(engine)}: {_first_line(exc)}") from None
    return current_revision(engine) or ""


@contextmanager
def _sqlite_foreign_keys_off(conn: Connection) -> Iterator[None]:
    """SQLite: foreign keys off while migrations run. Batch mode rebuilds a table by copying it and
    dropping the original, and with foreign keys on that DROP TABLE first deletes every row, which
    ON DELETE CASCADE carries on to the statements, predictions and decisions that reference them.
    The pragma only takes effect outside a transaction, so it goes to the driver before BEGIN."""
    if conn.dialect.name != "sqlite":
        yield
        return
    driver = conn.connection.dbapi_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:  # the connection goes back to the pool: every other user expects them on
        driver.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(conn: Connection, engine: Engine) -> None:
    """What foreign keys would have refused: a migration that left a row pointing at nothing is rolled back."""
    if conn.dialect.name == "sqlite":
        broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise StorageError(f"could not migrate {_url(engine)}: {len(broken)} rows would reference missing rows "
                               f"(first: table {broken[0][0]}, row {broken[0][1]}); nothing was changed")


def ensure_current(engine: Engine) -> None:
    """Every command but `init` calls this before touching data."""
    rev = current_revision(engine)
    head = head_revision()
    if rev == head:
        return
    if rev is None:
        if _table_names(engine):
            raise SchemaVersionError(_foreign_message(_url(engine)))
        raise SchemaVersionError(f"{_url(engine)} is not initialised: run `workbench init` first")
    if rev not in known_revisions():
        raise SchemaVersionError(_unknown_revision_message(engine, rev))
    raise SchemaVersionError(f"{_url(engine)} is at schema revision {rev}, this program needs {head}: run `workbench init` to upgrade")


def open_current(url: str | None) -> Engine:
    """An engine on an existing database at the head revision, or a one-line SchemaVersionError.

    A SQLite file is looked at before the engine connects: the engine's pragmas would create a
    missing file, write a header into an empty one, or switch another program's database to WAL.
    """
    from db.engine import make_engine, sqlite_file

    engine = make_engine(url)
    database = sqlite_file(engine.url)
    if database:
        _refuse_foreign_sqlite_file(_url(engine), database)
    ensure_current(engine)
    return engine


def open_for_upgrade(url: str | None) -> Engine:
    """An engine for `workbench init`: a missing or empty SQLite file is fine (it is created), as is
    a workbench database at any known revision; another application's SQLite file is refused
    before the engine connects (its pragmas would already switch that file to WAL)."""
    from db.engine import make_engine, sqlite_file

    engine = make_engine(url)
    database = sqlite_file(engine.url)
    if database and os.path.isfile(database) and os.path.getsize(database) > 0:
        _refuse_foreign_sqlite_file(_url(engine), database)
    return engine


def _refuse_foreign_sqlite_file(url: str, database: str) -> None:
    if not os.path.exists(database) or (os.path.isfile(database) and os.path.getsize(database) == 0):
        problem = "no such file" if not os.path.exists(database) else "empty file"
        raise SchemaVersionError(f"{url} is not initialised: run `workbench init` first ({problem}: {database})")
    try:
        with open(database, "rb") as fh:
            header = fh.read(20)
    except OSError:
        return  # ensure_current reports it
    if not header.startswith(b"SQLite format 3\x00") or header[18] == 2:
        return  # not SQLite (ensure_current refuses it without writing) or already in WAL mode
    # a rollback-journal SQLite file: a read-only look is safe (creates no -wal/-shm files)
    try:
        conn = sqlite3.connect(f"{Path(database).resolve().as_uri()}?mode=ro", uri=True)
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return  # ensure_current reports it
    if tables and "alembic_version" not in tables:
        raise SchemaVersionError(_foreign_message(url))


def _table_names(engine: Engine) -> list[str]:
    from db.engine import readonly

    with readonly(engine).connect() as conn:
        return inspect(conn).get_table_names()


def _foreign_message(url: str) -> str:
    return f"{url} holds tables but no workbench schema revision (another application's database?); not touching it"


def _unknown_revision_message(engine: Engine, rev: str) -> str:
    return f"{_url(engine)} is at unknown schema revision {rev} (newer than this program?); upgrade the workbench"


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _first_line(exc: Exception) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
