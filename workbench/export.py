"""Export the annotated corpus: one row per item, streamed a chunk of statements at a time.

An item is (statement, target) for stance and the statement alone for sentiment. A row
holds the statement and speaker fields, the document (`doc` = source name, `doc_sha256`)
and offsets, every annotator's current label (after undo and edits) with their decision
time, queue order, whether suggestions were shown and the pre-label they saw, the gold
label from adjudication, the majority label and soft label distribution, and the newest
model prediction, then the item's standing flags (`flags`: annotator, target, reason codes,
note, duration, queue order, whether suggestions were shown, time) and `not_a_statement` (some
standing flag on the statement says so), then the `export_extra` columns (`sentiment_conflict`;
with `--with-documents` the document's title, url and published date). Items are those with at least one current human
label or flag (`--gold-only`: of those, the ones with a standing gold label and not flagged as
not a statement). Rows are ordered by document, offsets, target and task, so two
databases built from the same documents export comparable files.

Memory stays flat: `db.export_read.Reader` streams the labelled statements (server-side
cursor on PostgreSQL) and fetches each chunk's events, predictions and gold with small
keyed selects; the writers format its named rows straight into JSON text
(`export_encode`), CSV rows or Arrow columns (`export_arrow`) and write a batch at a time.
`iter_rows` gives the same rows as dicts.
"""
from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from db.export_read import CHUNK, STATEMENT_FIELDS, Reader, open_reader
from db.export_rows import ExportItem, StatementRow
from vocabulary import LABELS_BY_TASK, TASKS
from workbench.errors import WorkbenchError
from workbench.export_arrow import ALL_LABELS, arrow_schema, write_parquet as _write_parquet
from workbench.export_encode import flag_dict, iso, probabilities, reasons, summary, write_csv as _write_csv
from workbench.export_encode import write_jsonl as _write_jsonl
from workbench.export_extra import extra_fields, extra_values
from workbench.output import atomic_file, atomic_path, check_output

if TYPE_CHECKING:
    from db.engine import Engine

__all__ = ["FORMATS", "STATEMENT_FIELDS", "ALL_LABELS", "iso", "iter_rows", "arrow_schema", "export", "reader"]

FORMATS = ("jsonl", "csv", "parquet", "hf")
BATCH = 2000  # lines per write


def _check_tasks(tasks) -> None:
    for task in tasks:
        if task not in TASKS:
            raise WorkbenchError(f"unknown task: {task!r}")


@contextmanager
def reader(engine: Engine, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
           chunk: int = CHUNK, collect: bool = False, with_documents: bool = False) -> Iterator[Reader]:
    """A Reader inside one read transaction (repeatable read on PostgreSQL, so every chunk's
    selects see the snapshot the statement cursor sees)."""
    _check_tasks(tasks)
    with open_reader(engine, tasks, gold_only, chunk, collect, with_documents) as r:
        yield r


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic GC off while an export runs: it allocates millions of short-lived acyclic tuples
    and strings, and automatic collections rescan every live batch (a third of the CPU time).
    The Reader collects the young generation once per chunk instead, so the few cycles
    (SQLAlchemy's per-query objects) never pile up with corpus size."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _probs(values, task: str) -> dict[str, float | None] | None:
    return None if values is None else dict(zip(LABELS_BY_TASK[task], values))


def _row(r: Reader, s: StatementRow, item: ExportItem) -> dict[str, Any]:
    task, gold, pred = item.task, item.gold, item.prediction
    annotations = []
    for e in item.events:
        pid = e.prelabel_id(task)
        p = None if pid is None else r.preds.get(pid)
        annotations.append({
            "annotator": r.names[e.annotator_id], "label": e.label(task), "duration_ms": e.duration_ms,
            "order_mode": e.order_mode,
            "suggestions_shown": None if e.suggestions_shown is None else bool(e.suggestions_shown),
            "accepted_as_is": None if e.accepted_as_is is None else bool(e.accepted_as_is),
            "reason_codes": reasons(e.reason_codes), "note": e.note, "labelled_at": iso(e.created_at),
            "prelabel": None if p is None else {
                "model_name": p.model_name, "model_version": p.model_version, "label": p.label,
                "probabilities": _probs(probabilities(p.probabilities, task), task)},
        })
    n, majority, soft = summary(task, [e.label(task) for e in item.events])
    return {
        "task": task, "doc": s.doc, "doc_sha256": s.doc_sha256, "start": s.start, "end": s.end,
        "target": item.target, **{name: getattr(s, name) for name in STATEMENT_FIELDS},
        "annotations": annotations, "n_annotators": n, "majority": majority,
        "soft_label": None if soft is None else dict(zip(LABELS_BY_TASK[task], soft)),
        "gold": gold.label if gold else None, "gold_by": gold.adjudicator if gold else None,
        "gold_note": gold.note if gold else None, "adjudicated_at": iso(gold.created_at) if gold else None,
        "predicted": pred.label if pred else None,
        "probabilities": _probs(probabilities(pred.probabilities, task), task) if pred else None,
        "model_name": pred.model_name if pred else None, "model_version": pred.model_version if pred else None,
        "flags": [flag_dict(r, f) for f in item.flags], "not_a_statement": item.not_a_statement,
        **dict(zip(extra_fields(r.with_documents), extra_values(r, s, task, item.target))),
    }


def iter_rows(engine: Engine, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
              batch: int = CHUNK, with_documents: bool = False) -> Iterator[dict[str, Any]]:
    """Export rows as dicts for every item with at least one current label, in statement order
    (document source, sha256, offsets); within a statement the stance items by target text,
    then the sentiment item. `batch`: statements per chunk."""
    _check_tasks(tasks)
    with reader(engine, tasks, gold_only, batch, with_documents=with_documents) as r:
        for s, items in r:
            for item in items:
                yield _row(r, s, item)


# -- writers ---------------------------------------------------------------------------------

def export(engine: Engine, fmt: str, path: str, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
           on_row: Callable[[int], None] | None = None, *, with_documents: bool = False,
           test_fraction: float | None = None, licence: str | None = None, command: str | None = None,
           summary: dict[str, Any] | None = None) -> int:
    """Write the export; returns the number of rows. `on_row(n)` is called as each batch of n rows is written.

    `path` never becomes the database (refused up front) nor a half-written file: the rows go to a
    fresh name in the same folder, renamed over `path` once complete (`workbench.output`).

    `with_documents` adds the documents' title, url and published date (every format). hf only:
    `test_fraction` splits by document, `licence` and `command` go into the dataset card.
    `summary`, if given, receives `sentiment_conflicts` (sentiment items where an annotator gave
    the statement different sentiments under two targets).
    """
    if fmt not in FORMATS:
        raise WorkbenchError(f"unknown export format: {fmt!r} (expected one of {', '.join(FORMATS)})")
    if fmt != "hf" and (test_fraction is not None or licence is not None):
        raise WorkbenchError("a split by document and a licence are for --format hf (its dataset card)")
    _check_tasks(tasks)
    if fmt == "hf":
        from workbench.export_hf import write_hf_datasets

        with _gc_paused():  # write_hf_datasets checks `path` (database, folder) before reading anything
            written = write_hf_datasets(engine, path, tasks, gold_only, with_documents, test_fraction, licence,
                                        command or f"workbench export --format hf {path}", on_row)
        if summary is not None:
            summary["sentiment_conflicts"] = written.sentiment_conflicts
        return written.rows
    check_output(path, engine)  # before the reader opens: a refused path costs nothing
    with _gc_paused(), reader(engine, tasks, gold_only, collect=True, with_documents=with_documents) as r:
        if fmt == "jsonl":
            with atomic_file(path, engine) as fh:
                n = _write_jsonl(r, fh, on_row, BATCH)
        elif fmt == "csv":
            with atomic_file(path, engine, newline="") as fh:
                n = _write_csv(r, fh, on_row, BATCH)
        else:
            with atomic_path(path, engine) as staging:
                n = _write_parquet(r, staging, tasks, on_rows=on_row)
        if summary is not None:
            summary["sentiment_conflicts"] = r.sentiment_conflicts
        return n
