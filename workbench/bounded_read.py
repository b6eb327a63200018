"""Read an input file whole, but never more than its size limit.

A size taken from stat() says nothing about a device (/dev/zero is 0 bytes and endless), a pipe or
a file still growing, so the check is the read itself: at most limit + 1 bytes, and only from a
regular file. Opening is non-blocking so that a FIFO with no writer is refused, not waited on.
"""
from __future__ import annotations

import os
import stat


class InputFileError(Exception):
    """Why a file cannot be read as input; the caller names the file."""


class FileTooLarge(InputFileError):
    def __init__(self, size: int, limit: int):
        super().__init__(f"file too large ({size / 1e6:.1f} MB; the limit is {_mib(limit)})")
        self.size, self.limit = size, limit


def _mib(limit: int) -> str:
    return f"{limit // 2**20} MiB" if limit % 2**20 == 0 else f"{limit} bytes"


def read_bounded(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; InputFileError otherwise."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError("not a regular file (a device, a pipe or a folder); give a file")
        if info.st_size > limit:
            raise FileTooLarge(info.st_size, limit)
        data = fh.read(limit + 1)  # a file that grew since fstat is still cut at the limit
    if len(data) > limit:
        raise FileTooLarge(max(len(data), info.st_size), limit)
    return data
