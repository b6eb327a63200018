"""SQLite's write lock: how long a connection waits for it, and telling that a wait ran out.

Below both db/engine.py (which sets the wait on every connection) and db/errors.py (which words
a wait that ran out for the user), so neither has to import the other.
"""
from __future__ import annotations

SQLITE_BUSY_TIMEOUT_MS = 30_000


def is_busy(exc: BaseException) -> bool:
    """Another connection held SQLite's write lock longer than this one waited for it."""
    orig = getattr(exc, "orig", None) or exc
    code = getattr(orig, "sqlite_errorcode", None)  # SQLITE_BUSY / SQLITE_LOCKED and their extended codes
    if code is not None:
        return code & 0xFF in (5, 6)
    return "database is locked" in str(orig) or "database table is locked" in str(orig)
