"""Engines and sessions from a URL; SQLite gets the pragmas that make it safe to share."""
from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar
from urllib.parse import quote, unquote, urlsplit

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import StorageError
from db.sqlite_lock import SQLITE_BUSY_TIMEOUT_MS, is_busy

DEFAULT_URL = "sqlite:///workbench.db"
ENV_VAR = "WORKBENCH_DB"
T = TypeVar("T")


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


def _read_only_url(parsed: URL, database: str) -> URL | None:
    """The URL to open a SQLite file read-only with, or None to open it as usual.

    Read-only when the URL says `mode=ro`, or when this process cannot write the file or its
    folder (SQLite would fail on its first write, the pragmas included: "attempt to write a
    readonly database"). The file is then opened as a `file:` URI with `mode=ro` (pysqlite passes
    `sqlite:///a.db?mode=ro&uri=true` on as the file name "a.db?mode=ro", an empty new database);
    in a folder where the WAL index (-shm) can be neither found nor created, `immutable=1` too,
    the only way SQLite reads a WAL database there.
    """
    folder = os.path.dirname(os.path.abspath(database))
    exists = os.path.exists(database)
    asked = parsed.query.get("mode") == "ro"
    if not asked and not (exists and not (os.access(database, os.W_OK) and os.access(folder, os.W_OK))):
        return None
    query = {k: v for k, v in parsed.query.items() if k not in ("mode", "uri", "immutable")}
    query.update(mode="ro", uri="true")
    if exists and not os.access(folder, os.W_OK) and not os.path.exists(database + "-shm"):
        query["immutable"] = "1"
    return parsed.set(database="file:" + quote(os.path.abspath(database)), query=query)


def _sqlite_pragmas(dbapi_connection, _record, read_only: bool = False) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (the UI, exports) run while a writer commits (a read-only file keeps its mode).
    if not read_only:
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
        database = sqlite_file(parsed)
        read_only = False
        if database:
            folder = os.path.dirname(os.path.abspath(database))
            if not os.path.isdir(folder):
                raise StorageError(f"database folder does not exist: {folder}")
            read_only_url = _read_only_url(parsed, database)
            if read_only_url is not None:
                url, read_only = read_only_url, True
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
        # The UI reads on worker threads; each session still owns its connection.
        connect_args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", lambda conn, record: _sqlite_pragmas(conn, record, read_only))
        # pysqlite's own BEGIN handling defers locks; take the write lock at BEGIN so
        # concurrent writers queue on busy_timeout instead of failing on upgrade.
        @event.listens_for(engine, "connect")
        def _no_implicit_begin(dbapi_connection, _record):
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin(conn):
            options = conn.get_execution_options()
            # set on every BEGIN: a pooled connection must not keep another caller's short wait
            wait_ms = options.get("busy_timeout_ms", SQLITE_BUSY_TIMEOUT_MS)
            conn.exec_driver_sql(f"PRAGMA busy_timeout={int(wait_ms)}")
            conn.exec_driver_sql("BEGIN" if options.get("readonly", False) else "BEGIN IMMEDIATE")

        return engine
    try:
        return create_engine(url, pool_pre_ping=True, **kwargs)
    except ModuleNotFoundError as exc:
        raise StorageError(f"database driver missing for {parsed.drivername}: {exc.name}") from None
    except ArgumentError:  # NoSuchModuleError too: foo://x, http://host/… name no database SQLAlchemy knows
        raise StorageError(f"unsupported database URL scheme {parsed.drivername + '://'!r} (expected "
                           "sqlite:///FILE, a path ending in .db, or postgresql+psycopg://user@host/dbname)") from None


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


def write_retrying(engine: Engine, work: Callable[[Session], T],
                   on_wait: Callable[[float], None] | None = None,
                   attempt_wait_ms: int = 1_000, longest_pause_s: float = 4.0) -> T:
    """Run `work` in one write transaction, and run it again for as long as another program holds
    the write lock: for a save that must never be dropped (a decision in the UI). Each attempt
    waits `attempt_wait_ms` for the lock, then `on_wait(seconds waited so far)` is told (so the
    user can be) and the next attempt comes after a pause that doubles up to `longest_pause_s`.
    A busy lock is only met at BEGIN IMMEDIATE, so a retried attempt never half-applied."""
    from sqlalchemy.exc import OperationalError

    started, pause = time.monotonic(), 0.25
    patient = engine.execution_options(busy_timeout_ms=attempt_wait_ms)
    while True:
        try:
            with transaction(patient) as session:
                return work(session)
        except OperationalError as exc:
            if not is_busy(exc):
                raise
        if on_wait is not None:
            on_wait(time.monotonic() - started)
        time.sleep(pause)
        pause = min(pause * 2, longest_pause_s)
