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
    from sqlalchemy.exc import OperationalError

    if isinstance(exc, OperationalError):  # the database could not do it: locked, read-only, disk full, gone
        from db.engine import SQLITE_BUSY_TIMEOUT_MS, is_busy

        if is_busy(exc):
            return (f"the database is locked: another program held its write lock for more than "
                    f"{SQLITE_BUSY_TIMEOUT_MS // 1000} s (a long import?); what was saved before stays, try again")
        orig = getattr(exc, "orig", None) or exc
        return "database error: " + ((str(orig).strip().splitlines() or [type(orig).__name__])[0])
    if isinstance(exc, OSError) and exc.strerror:
        # an output path in a missing or read-only folder, a folder where a file should be, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
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
            click.echo(f"error: {message}", err=True)
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
