"""Columns every export format appends after the original ones (added, never renamed).

* `sentiment_conflict`: on sentiment rows, the annotators (sorted) whose current sentiment for
  the statement differs between two of its targets (empty when none); null on stance rows.
* with `--with-documents`: `doc_title`, `doc_url`, `doc_published` (text or null).
"""
from __future__ import annotations

from typing import Any

from db.export_read import Reader
from db.export_rows import StatementRow

CONFLICT_FIELD = "sentiment_conflict"
DOCUMENT_FIELDS = ("doc_title", "doc_url", "doc_published")
_NO_DOCUMENT = (None, None, None)


def extra_fields(with_documents: bool) -> tuple[str, ...]:
    return (CONFLICT_FIELD,) + (DOCUMENT_FIELDS if with_documents else ())


def extra_values(reader: Reader, s: StatementRow, task: str) -> tuple[Any, ...]:
    """The row's extra values in `extra_fields` order."""
    conflict = reader.conflicts.get(s.id, []) if task == "sentiment" else None
    if not reader.with_documents:
        return (conflict,)
    return (conflict,) + reader.documents.get(s.doc_sha256, _NO_DOCUMENT)
