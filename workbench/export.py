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

Memory stays flat: `export_read.Reader` streams the labelled statements (server-side
cursor on PostgreSQL) and fetches each chunk's events, predictions and gold with small
keyed selects; the writers format raw tuples straight into JSON text
(`export_encode`), CSV rows or Arrow columns (`export_arrow`) and write a batch at a time.
`iter_rows` gives the same rows as dicts.
"""
from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine

from db.engine import readonly
from db.schema import LABELS_BY_TASK, TASKS
from workbench.errors import WorkbenchError
from workbench.export_arrow import ALL_LABELS, arrow_schema, write_parquet as _write_parquet
from workbench.export_encode import flag_dict, iso, probabilities, reasons, summary, write_csv as _write_csv
from workbench.export_encode import write_jsonl as _write_jsonl
from workbench.export_extra import extra_fields, extra_values
from workbench.export_read import (
    CHUNK,
    E_ACCEPTED,
    E_ANNOTATOR,
    E_AT,
    E_DURATION,
    E_LABEL,
    E_NOTE,
    E_ORDER,
    E_PRE,
    E_REASONS,
    E_SHOWN,
    G_AT,
    G_BY,
    G_LABEL,
    G_NOTE,
    P_LABEL,
    P_NAME,
    P_PROBS,
    P_VERSION,
    STATEMENT_FIELDS,
    Reader,
)
from workbench.output import atomic_file, atomic_path, check_output

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
    with readonly(engine).connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield Reader(conn, tasks, gold_only, chunk, collect, with_documents)


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


def _row(r: Reader, s, task: str, target, events: list, gold, pred, flags: list,
         not_statement: bool) -> dict[str, Any]:
    label_at, pre_at = E_LABEL[task], E_PRE[task]
    annotations = []
    for e in events:
        p = None if e[pre_at] is None else r.preds.get(e[pre_at])
        annotations.append({
            "annotator": r.names[e[E_ANNOTATOR]], "label": e[label_at], "duration_ms": e[E_DURATION],
            "order_mode": e[E_ORDER], "suggestions_shown": None if e[E_SHOWN] is None else bool(e[E_SHOWN]),
            "accepted_as_is": None if e[E_ACCEPTED] is None else bool(e[E_ACCEPTED]),
            "reason_codes": reasons(e[E_REASONS]), "note": e[E_NOTE], "labelled_at": iso(e[E_AT]),
            "prelabel": None if p is None else {
                "model_name": p[P_NAME], "model_version": p[P_VERSION], "label": p[P_LABEL],
                "probabilities": _probs(probabilities(p[P_PROBS], task), task)},
        })
    n, majority, soft = summary(task, [e[label_at] for e in events])
    return {
        "task": task, "doc": s[1], "doc_sha256": s[2], "start": s[3], "end": s[4], "target": target,
        "text": s[5], "speaker": s[6], "speaker_role": s[7], "speaker_type": s[8], "kind": s[9], "cue": s[10],
        "speaker_id": s[11],
        "annotations": annotations, "n_annotators": n, "majority": majority,
        "soft_label": None if soft is None else dict(zip(LABELS_BY_TASK[task], soft)),
        "gold": gold[G_LABEL] if gold else None, "gold_by": gold[G_BY] if gold else None,
        "gold_note": gold[G_NOTE] if gold else None, "adjudicated_at": iso(gold[G_AT]) if gold else None,
        "predicted": pred[P_LABEL] if pred else None,
        "probabilities": _probs(probabilities(pred[P_PROBS], task), task) if pred else None,
        "model_name": pred[P_NAME] if pred else None, "model_version": pred[P_VERSION] if pred else None,
        "flags": [flag_dict(r, f) for f in flags], "not_a_statement": not_statement,
        **dict(zip(extra_fields(r.with_documents), extra_values(r, s, task, target))),
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
                yield _row(r, s, *item)


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
