"""Columns every export format appends after the original ones (added, never renamed).

* `sentiment_conflict`: on sentiment rows, the annotators (sorted) whose current sentiment for
  the statement differs between two of its targets (empty when none); null on stance rows.
* the statement as stored, beside the current (corrected) `start`, `end`, `text`, `speaker`,
  `speaker_id`, `speaker_role`, `speaker_type` of the row (db.corrections): `start_extracted`,
  `end_extracted`, `text_extracted`, `speaker_extracted`, `speaker_id_extracted`,
  `speaker_role_extracted`, `speaker_type_extracted` (equal to the row's where nothing was corrected);
  `added_by`: the annotator who added a statement the extractor missed (null: extracted);
  `not_a_statement_by`: annotators whose standing verdict says it is not a statement (sorted, [] none);
  `not_a_statement_agreed`: that verdict is agreed (two annotators, or an adjudicator);
  `not_about`: on stance rows, annotators whose standing verdict (`r`) says the statement is not about
  the row's target (sorted, [] none); null on sentiment rows.
* with `--with-documents`: `doc_title`, `doc_url`, `doc_published` (text or null).
"""
from __future__ import annotations

from typing import Any

from db.export_read import Reader
from db.export_rows import StatementRow

CONFLICT_FIELD = "sentiment_conflict"
EXTRACTED_FIELDS = ("start_extracted", "end_extracted", "text_extracted", "speaker_extracted",
                    "speaker_id_extracted", "speaker_role_extracted", "speaker_type_extracted")
VERDICT_FIELDS = ("added_by", "not_a_statement_by", "not_a_statement_agreed", "not_about")
DOCUMENT_FIELDS = ("doc_title", "doc_url", "doc_published")
# each appended column's kind, for the Parquet schema: list (of text), int, bool or text
KINDS = {CONFLICT_FIELD: "list", "start_extracted": "int", "end_extracted": "int", "not_a_statement_by": "list",
         "not_a_statement_agreed": "bool", "not_about": "list"}
_NO_DOCUMENT = (None, None, None)
_NO_VERDICT: tuple = ([], False)


def extra_fields(with_documents: bool) -> tuple[str, ...]:
    return (CONFLICT_FIELD,) + EXTRACTED_FIELDS + VERDICT_FIELDS + (DOCUMENT_FIELDS if with_documents else ())


def extracted_values(reader: Reader, s: StatementRow) -> tuple[Any, ...]:
    """The statement row as stored (`s` may carry corrected values; the reader keeps the stored one)."""
    stored = reader.extracted.get(s.id, s)
    return (stored.start, stored.end, stored.text, stored.speaker, stored.speaker_id, stored.speaker_role,
            stored.speaker_type)


# verdict_values of a row that no verdict or addition touches (most rows): the encoders write them as constants
NO_VERDICT_VALUES = {"stance": (None, [], False, []), "sentiment": (None, [], False, None)}


def without_verdicts(reader: Reader, s: StatementRow, task: str, target: str | None) -> bool:
    """verdict_values(reader, s, task, target) == NO_VERDICT_VALUES[task], without building it."""
    sid = s.id
    return (sid not in reader.verdicts and sid not in reader.gold_excluded and sid not in reader.added_by
            and (task != "stance" or (sid, target) not in reader.not_about))


def verdict_values(reader: Reader, s: StatementRow, task: str, target: str | None) -> tuple[Any, ...]:
    by, agreed = reader.verdicts.get(s.id, _NO_VERDICT)
    adjudicator = reader.gold_excluded.get(s.id)
    if adjudicator is not None:  # the adjudicator's gold verdict `not_a_statement`: agreed at once
        by, agreed = sorted({*by, adjudicator}), True
    not_about = reader.not_about.get((s.id, target), []) if task == "stance" else None
    return (reader.added_by.get(s.id), by, agreed, not_about)


def extra_values(reader: Reader, s: StatementRow, task: str, target: str | None = None) -> tuple[Any, ...]:
    """The row's extra values in `extra_fields` order."""
    conflict = reader.conflicts.get(s.id, []) if task == "sentiment" else None
    out = (conflict,) + extracted_values(reader, s) + verdict_values(reader, s, task, target)
    if not reader.with_documents:
        return out
    return out + reader.documents.get(s.doc_sha256, _NO_DOCUMENT)
