"""Options and helpers every command shares."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

DB_HELP = "Database URL (default: sqlite:///workbench.db; env WORKBENCH_DB)."


def _db_before_the_command(ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """`workbench --db x.db status` as well as `workbench status --db x.db`: a --db given after the
    command wins, then one given before it, then $WORKBENCH_DB."""
    if ctx.get_parameter_source("db_url") is click.core.ParameterSource.COMMANDLINE:
        return value
    before = ctx.find_root().params.get("db_url")
    return before if before is not None else value


db_option = click.option(
    "--db", "db_url", envvar="WORKBENCH_DB", default=None, metavar="URL", help=DB_HELP,
    callback=_db_before_the_command)


def open_db(db_url: str | None, *, require_current: bool = True):
    """An engine on the chosen database; refuses uninitialised or unknown-revision schemas
    (`require_current=False`, for init: refuses only another application's database)."""
    from db.migrate import open_current, open_for_upgrade
    from workbench.errors import WorkbenchError

    if db_url is not None and not db_url.strip():
        raise WorkbenchError("--db is empty (leave it out to use $WORKBENCH_DB or ./workbench.db)")
    if db_url is not None and db_url.strip() in ("sqlite://", "sqlite:///:memory:"):
        raise WorkbenchError("an in-memory database would vanish when this command ends; give a file or a server")
    return open_current(db_url) if require_current else open_for_upgrade(db_url)


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


def run_app(app) -> None:
    """Run a Textual app; a crash inside it (Textual prints the traceback and returns) exits non-zero,
    so a script or shell never takes a crashed session for a finished one."""
    app.run()
    if app.return_code:
        raise SystemExit(app.return_code)
