"""Options and helpers every command shares."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

db_option = click.option(
    "--db", "db_url", envvar="WORKBENCH_DB", default=None, metavar="URL",
    help="Database URL (default: sqlite:///workbench.db; env WORKBENCH_DB).")


def open_db(db_url: str | None, *, require_current: bool = True):
    """An engine on the chosen database; refuses uninitialised or unknown-revision schemas."""
    from db.engine import make_engine
    from db.migrate import ensure_current

    engine = make_engine(db_url)
    if require_current:
        database = engine.url.database if engine.url.get_backend_name() == "sqlite" else None
        if database and database != ":memory:" and not database.startswith("file:"):
            _refuse_foreign_sqlite_file(engine.url.render_as_string(hide_password=True), database)
        ensure_current(engine)
    return engine


def _refuse_foreign_sqlite_file(url: str, database: str) -> None:
    """Checks made before the engine connects: its pragmas would create a missing file, write a
    header into an empty one, or switch another program's database to WAL mode."""
    import os
    import sqlite3
    from pathlib import Path

    from db.errors import SchemaVersionError

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
        raise SchemaVersionError(f"{url} holds tables but no workbench schema revision; not touching it")


@contextmanager
def progress_bar(total: int, description: str) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on stderr (stdout stays clean for data); yields advance(n)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=console, disable=total == 0 or not console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n=1: bar.advance(task, n)
