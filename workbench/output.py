"""Files the workbench writes for people (exports, reports, statement dumps): never over the
database, never half-written.

Every command that writes a file goes through here:

* `check_output(path, engine)` refuses a path that is the open SQLite database or one of its
  companions (`-wal`, `-shm`, `-journal`), compared by resolved path (symlinks followed) and by
  inode (hard links), before anything is opened: opening the database's own path for writing
  truncated it to 0 bytes.
* `atomic_file` / `atomic_path` / `atomic_folder` write to a fresh name in the target's folder
  and rename it over the target only once the content is complete and synced, so an
  interrupted export (an error, Ctrl-C, kill -9) leaves the previous file untouched, never a
  half file under the target's name. A kill -9 can leave the hidden `.NAME.*.tmp` behind.
"""
from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING

from db.engine import sqlite_file
from workbench.errors import WorkbenchError

if TYPE_CHECKING:  # the type only: db/ owns the engine
    from db.engine import Engine

DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")
# what datasets' save_to_disk leaves in a folder: such a folder may be replaced by a new export
DATASET_FOLDER_MARKERS = ("dataset_info.json", "state.json", "dataset_dict.json")


def database_files(engine: Engine | None) -> dict[str, Path]:
    """The open SQLite database and its companion files (whether they exist now or not), by suffix."""
    database = None if engine is None else sqlite_file(engine.url)
    if database is None:
        return {}
    real = os.path.realpath(database)
    return {suffix: Path(real + suffix) for suffix in DATABASE_COMPANIONS}


def is_saved_dataset(folder: Path) -> bool:
    return any((folder / m).exists() for m in DATASET_FOLDER_MARKERS)


def check_output(path: str | os.PathLike, engine: Engine | None, *, folder: bool = False,
                 replaceable: Callable[[Path], bool] = is_saved_dataset,
                 replaceable_what: str = "a saved dataset") -> Path:
    """The output path, or a WorkbenchError when it would overwrite the database or cannot be a
    target at all (a missing folder, a folder where a file goes, a file where a folder goes).
    A non-empty folder is a target only when `replaceable` says it is an earlier output
    (`replaceable_what` names that in the error)."""
    out = Path(path)
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise WorkbenchError(f"{path}: no such folder: {parent}")
    resolved = Path(os.path.realpath(out))
    for suffix, db_file in database_files(engine).items():
        same = resolved == db_file
        if not same and out.exists() and db_file.exists():
            try:
                same = os.path.samefile(out, db_file)  # a hard link to the database is the database
            except OSError:
                same = False
        if same:
            what = f"the database's {suffix} file" if suffix else "the database"
            raise WorkbenchError(f"{path} is {what} ({db_file}); refusing to write over it")
        if folder and db_file.exists() and resolved in db_file.parents:
            raise WorkbenchError(f"{path} holds the database ({db_file}); refusing to replace that folder")
    if folder:
        if out.exists() and not out.is_dir():
            raise WorkbenchError(f"{path} exists and is not a folder")
        if out.is_dir() and any(out.iterdir()) and not replaceable(out):
            raise WorkbenchError(f"{path} is a folder with other files in it (not {replaceable_what}); "
                                 "give a new or empty folder")
    elif out.is_dir():
        raise WorkbenchError(f"{path} is a folder; give a file name")
    return out


def _staging_name(out: Path, kind: str) -> Path:
    return out.with_name(f".{out.name}.{secrets.token_hex(4)}.{kind}")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder_of(path: Path) -> None:
    """The rename itself durable (best effort: some filesystems refuse fsync on a folder)."""
    try:
        _fsync(path.parent if str(path.parent) else Path("."))
    except OSError:
        pass


@contextmanager
def atomic_path(path: str | os.PathLike, engine: Engine | None) -> Iterator[str]:
    """A fresh file name beside `path` for a writer that opens files by name (e.g. Parquet);
    renamed over `path` when the block ends without an error, removed otherwise."""
    out = check_output(path, engine)
    staging = _staging_name(out, "tmp")
    # created here (mode 0666 less the umask, like any new file) so the name is ours alone
    os.close(os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield str(staging)
        _fsync(staging)
        os.replace(staging, out)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    _fsync_folder_of(out)


@contextmanager
def atomic_file(path: str | os.PathLike, engine: Engine | None, *, newline: str | None = None) -> Iterator[IO[str]]:
    """A UTF-8 text file that appears at `path` complete, or not at all."""
    with atomic_path(path, engine) as staging, open(staging, "w", encoding="utf-8", newline=newline) as fh:
        yield fh


@contextmanager
def atomic_folder(path: str | os.PathLike, engine: Engine | None, *,
                  replaceable: Callable[[Path], bool] = is_saved_dataset,
                  replaceable_what: str = "a saved dataset") -> Iterator[str]:
    """A fresh folder beside `path`; when the block ends without an error it takes `path`'s place
    (an earlier output there, as `replaceable` judges, is replaced; a folder with other files was
    refused up front)."""
    out = check_output(path, engine, folder=True, replaceable=replaceable, replaceable_what=replaceable_what)
    staging = _staging_name(out, "tmp")
    os.mkdir(staging, 0o777)
    try:
        yield str(staging)
        for file in staging.rglob("*"):
            if file.is_file():
                _fsync(file)
        if out.is_dir() and any(out.iterdir()):
            # a folder cannot be renamed over a non-empty one: move the old one aside first
            old = _staging_name(out, "old")
            os.replace(out, old)
            os.replace(staging, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_folder_of(out)
