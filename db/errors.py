"""Errors db/ raises for a user to read (one line each), and the translation of driver errors into them."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


class StorageError(Exception):
    """A storage problem worth a one-line message to the user (never a traceback)."""


class SchemaVersionError(StorageError):
    """The database is at a revision this program does not know (or not initialised)."""


def describe_database_error(exc: BaseException) -> str | None:
    """One line for a database problem the user can act on (locked, read-only, unusable), or None when
    `exc` is no such problem. Other driver errors stay bugs (a traceback)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(exc, DBAPIError):
        return None
    if isinstance(exc, OperationalError):
        from db.sqlite_lock import SQLITE_BUSY_TIMEOUT_MS, is_busy

        if is_busy(exc):
            return (f"the database is locked: another program held its write lock for more than "
                    f"{SQLITE_BUSY_TIMEOUT_MS // 1000} s (a long import?); what was saved before stays, try again")
    cause = exc.orig if exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    # SQLite: "attempt to write a readonly database"; PostgreSQL: SQLSTATE 25006 read_only_sql_transaction
    if "readonly database" in first or getattr(cause, "sqlstate", None) == "25006":
        return (f"the database is read-only (mode=ro, a read-only transaction, or a file or folder that is not "
                f"writable), and this command writes to it ({first})")
    if isinstance(exc, OperationalError):
        return f"database error: {first}"
    return None


class ValueRefused(StorageError):
    """The database refused a value it cannot store (a driver or type error): the write is rolled back."""


@contextmanager
def refused_values() -> Iterator[None]:
    """Turn a value the database refuses (SQLAlchemy's StatementError, an int too big for the driver)
    into a ValueRefused whose message is 'the database refused a value: <the driver's first line>'."""
    from sqlalchemy.exc import StatementError

    try:
        yield
    except (StatementError, OverflowError) as exc:
        raise ValueRefused(f"the database refused a value: {first_line(exc)}") from None


def first_line(exc: BaseException) -> str:
    """The first line of what the driver said (the cause SQLAlchemy wraps), or the error's type name."""
    cause = getattr(exc, "orig", None) or exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]
