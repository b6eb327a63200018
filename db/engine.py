"""Engines and sessions from a URL; SQLite gets the pragmas that make it safe to share."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import StorageError

DEFAULT_URL = "sqlite:///workbench.db"
ENV_VAR = "WORKBENCH_DB"
SQLITE_BUSY_TIMEOUT_MS = 30_000


SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def resolve_url(explicit: str | None = None) -> str:
    """--db beats $WORKBENCH_DB beats ./workbench.db. A plain path to an existing file or to a
    *.db / *.sqlite / *.sqlite3 file means that SQLite database (what people type first)."""
    url = explicit or os.environ.get(ENV_VAR) or DEFAULT_URL
    if "://" not in url and (url.endswith(SQLITE_SUFFIXES) or os.path.isfile(url)):
        return "sqlite:///" + url
    return url


def sqlite_file(url: str | URL) -> str | None:
    """The file a SQLite URL opens, as a plain path (a `file:` URI's query and %-escapes removed);
    None for an in-memory database or another back end."""
    parsed = make_url(url) if isinstance(url, str) else url
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if database and database.startswith("file:"):
        database = unquote(urlsplit(database).path)
    if not database or database == ":memory:" or parsed.query.get("mode") == "memory":
        return None
    return database


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the UI, exports) run while a writer commits.
    cursor.execute("PRAGMA journal_mode=WAL")
    # FULL syncs the WAL on every commit: a committed decision survives kill -9 and power loss.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def make_engine(url: str | None = None, **kwargs) -> Engine:
    url = resolve_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StorageError(f"invalid database URL: {url!r} (expected e.g. sqlite:///workbench.db, a path "
                           "ending in .db, or postgresql+psycopg://user@host/dbname)") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = os.path.dirname(os.path.abspath(database))
            if not os.path.isdir(folder):
                raise StorageError(f"database folder does not exist: {folder}")
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        # The UI reads on worker threads; each session still owns its connection.
        connect_args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own BEGIN handling defers locks; take the write lock at BEGIN so
        # concurrent writers queue on busy_timeout instead of failing on upgrade.
        @event.listens_for(engine, "connect")
        def _no_implicit_begin(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            readonly = conn.get_execution_options().get("readonly", False)
            conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

        return engine
    try:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    except ModuleNotFoundError as exc:
        raise StorageError(f"database driver missing for {parsed.drivername}: {exc.name}") from None


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def readonly(engine: Engine) -> Engine:
    """The same pool, but SQLite transactions start deferred so long reads never block writers."""
    return engine.execution_options(readonly=True)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back everything on any error."""
    with session_factory(engine)() as session:
        with session.begin():
            yield session
