"""The `workbench` command. Subcommands live in workbench/commands/, one module per area.

Modules import only click at the top; each command imports its heavy parts when it runs,
so `workbench --help` stays fast.
"""
from __future__ import annotations

import importlib
import sys

import click

COMMAND_MODULES = (
    "workbench.commands.storage_cmds",
    "workbench.commands.extract_cmds",
    "workbench.commands.model_cmds",
    "workbench.commands.dataset_cmds",
    "workbench.commands.annotate_cmds",
    "workbench.commands.loop_cmds",
)


def _user_facing(exc: BaseException) -> str | None:
    """The one-line message for errors a user can act on; None for real bugs."""
    from workbench.errors import WorkbenchError
    from db.errors import StorageError

    known: tuple[type[BaseException], ...] = (WorkbenchError, StorageError)
    try:
        from models.errors import ModelError, DataError
        known += (ModelError, DataError)
    except ImportError:  # models/ not installed in a trimmed deployment
        pass
    if isinstance(exc, known):
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    database = _database_problem(exc)
    if database is not None:
        return database
    if isinstance(exc, OSError) and exc.strerror:
        # an output path in a missing or read-only folder, a folder where a file should be, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return None


def _database_problem(exc: BaseException) -> str | None:
    """A database that refuses a write (read-only file, URL or transaction) or cannot be used:
    the user can act on it, so one line, not a traceback. Other driver errors stay bugs."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if not isinstance(exc, DBAPIError):
        return None
    cause = exc.orig if exc.orig is not None else exc
    first = (str(cause).strip().splitlines() or [type(cause).__name__])[0]
    # SQLite: "attempt to write a readonly database"; PostgreSQL: SQLSTATE 25006 read_only_sql_transaction
    if "readonly database" in first or getattr(cause, "sqlstate", None) == "25006":
        return f"the database is read-only, and this command writes to it ({first})"
    if isinstance(exc, OperationalError):
        return f"database error: {first}"
    return None


class WorkbenchGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - turned into one line or re-raised below
            message = _user_facing(exc)
            if message is None:
                raise
            from db.plaintext import clean_line

            # messages quote file names and values from files: no control character reaches the terminal
            click.echo(f"error: {clean_line(message)}", err=True)
            ctx.exit(1)


@click.group(cls=WorkbenchGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stance-workbench")
def cli() -> None:
    """Extract quoted statements from news, pre-label stance and sentiment, annotate, export."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main() -> None:
    import warnings

    # Deprecation chatter from the pinned transformers/torch versions is for us, not for users.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"transformers\.")
    warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor", category=UserWarning)
    warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated", category=DeprecationWarning)
    cli(prog_name="workbench")


if __name__ == "__main__":
    sys.exit(main())
