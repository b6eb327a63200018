"""`workbench merge`: copy another database's decisions and adjudications in (db.copy_log does it)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from db.copy_log import CopyRefused, MergeSummary, copy_log
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from db.engine import Engine

__all__ = ["MergeSummary", "merge_databases"]


def merge_databases(local: Engine, other: Engine) -> MergeSummary:
    """Idempotent: merging twice, or merging back a copy, adds nothing (see db/copy_log.py)."""
    try:
        return copy_log(local, other)
    except CopyRefused as exc:
        raise WorkbenchError(str(exc)) from None
