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
    "workbench.commands.team_cmds",
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
    from db.errors import describe_database_error

    database = describe_database_error(exc)
    if database is not None:
        return database
    if isinstance(exc, OSError) and exc.strerror:
        # an output path in a missing or read-only folder, a folder where a file should be, a full disk
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return None


class WorkbenchGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            result = super().invoke(ctx)
            sys.stdout.flush()  # output still buffered meets a closed pipe here, not in click's exit
            return result
        except BrokenPipeError:
            if _as_a_program:
                _die_of_sigpipe()
            raise  # click ends quietly with status 1 (in-process callers: tests, other Python)
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
@click.option("--db", "db_url", default=None, metavar="URL",
              help="Database URL for the command (it may also come after the command's name).")
def cli(db_url: str | None) -> None:
    """Extract quoted statements from news, pre-label stance and sentiment, annotate, export."""


for _name in COMMAND_MODULES:
    importlib.import_module(_name).register(cli)


def main() -> None:
    import warnings

    # Deprecation chatter from the pinned transformers/torch versions is for us, not for users.
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"transformers\.")
    warnings.filterwarnings("ignore", message=r"torch\.quantize_per_tensor", category=UserWarning)
    warnings.filterwarnings("ignore", message=r"torch\.ao\.quantization is deprecated", category=DeprecationWarning)
    global _as_a_program
    _as_a_program = True
    cli(prog_name="workbench")


_as_a_program = False  # set by main(): only a real process may end itself by SIGPIPE


def _die_of_sigpipe() -> None:
    """The reader of our stdout went away (`workbench statements | head -2`): end as other unix
    tools do, silently, by SIGPIPE (status 141 in a shell), with no message and no traceback."""
    import os
    import signal

    # nothing left to flush into the closed pipe at exit (that would print "Exception ignored ...")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)
    sys.exit(128 + signal.SIGPIPE)  # where a signal cannot end the process


if __name__ == "__main__":
    sys.exit(main())
