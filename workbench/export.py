"""Export the annotated corpus: one row per item, streamed from one ordered query per task.

An item is (statement, target) for stance and the statement alone for sentiment. A row
holds the statement and speaker fields, the document (`doc` = source name, `doc_sha256`)
and offsets, every annotator's current label (after undo and edits) with their decision
time, queue order, whether suggestions were shown and the pre-label they saw, the gold
label from adjudication, the majority label and soft label distribution, and the newest
model prediction. Items are those with at least one current human label (`--gold-only`:
of those, the ones with a standing gold label). Rows are ordered by document, offsets, target and task, so two
databases built from the same documents export comparable files.

Memory stays flat: rows come from a streamed cursor (server-side on PostgreSQL) and are
written in batches; nothing holds the corpus.
"""
from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import Engine, String, exists, func, or_, select, type_coerce
from sqlalchemy.orm import aliased

from db.engine import readonly
from db.schema import (
    LABELS_BY_TASK,
    TASKS,
    Adjudication,
    Annotator,
    Decision,
    Document,
    Prediction,
    Statement,
    Target,
)
from workbench.errors import WorkbenchError

FORMATS = ("jsonl", "csv", "parquet", "hf")
STATEMENT_FIELDS = ("text", "speaker", "speaker_role", "speaker_type", "kind", "cue")
ALL_LABELS = ("favor", "against", "neutral", "positive", "negative")
BATCH = 2000


def iso(value: datetime | str | None) -> str | None:
    """One UTC timestamp format whatever the backend returns: SQLite's stored text (naive UTC)
    or PostgreSQL's aware datetime → 'YYYY-MM-DDTHH:MM:SS.ffffff+00:00'."""
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":  # SQLAlchemy's SQLite storage format
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _raw(col):
    """Read a column as the driver gives it (SQLite: text), formatted once per value in Python."""
    return type_coerce(col, String)


def _probability_columns(pred, task: str) -> list:
    """The probabilities as one float column per label, extracted by the database, not json.loads."""
    return [pred.probabilities[label].as_float() for label in LABELS_BY_TASK[task]]


def _standing_events():
    """Label events (stance or sentiment) that no undo withdrew."""
    undo = aliased(Decision)
    return [Decision.action == "label", or_(Decision.stance.is_not(None), Decision.sentiment.is_not(None)),
            ~exists().where(undo.action == "undo", undo.supersedes_id == Decision.id)]


STATEMENT_ORDER = (Document.source, Document.sha256, Statement.start, Statement.end, Statement.id)


def _labelled_statements():
    return select(Decision.statement_id).where(*_standing_events())


def _events_query():
    """Every standing label event with its statement, one narrow-ish row per decision, in statement order."""
    annotator, stance_pre, sentiment_pre = aliased(Annotator), aliased(Prediction), aliased(Prediction)
    return (
        select(Statement.id, Document.source, Document.sha256, Statement.start, Statement.end,
               *(getattr(Statement, f) for f in STATEMENT_FIELDS),
               Decision.id, Decision.target_id, Target.text, annotator.name, Decision.stance, Decision.sentiment,
               Decision.duration_ms, Decision.order_mode, Decision.suggestions_shown, Decision.accepted_as_is,
               _raw(Decision.reason_codes), Decision.note, _raw(Decision.created_at),
               stance_pre.id, stance_pre.model_name, stance_pre.model_version, stance_pre.label,
               *_probability_columns(stance_pre, "stance"),
               sentiment_pre.id, sentiment_pre.model_name, sentiment_pre.model_version, sentiment_pre.label,
               *_probability_columns(sentiment_pre, "sentiment"))
        .select_from(Decision)
        .join(Statement, Statement.id == Decision.statement_id)
        .join(Document, Document.id == Statement.document_id)
        .join(annotator, annotator.id == Decision.annotator_id)
        .outerjoin(Target, Target.id == Decision.target_id)
        .outerjoin(stance_pre, stance_pre.id == Decision.stance_prediction_id)
        .outerjoin(sentiment_pre, sentiment_pre.id == Decision.sentiment_prediction_id)
        .where(*_standing_events())
        .order_by(*STATEMENT_ORDER)
    )


def _predictions_query():
    """The newest prediction per (statement, target, task), for labelled statements, in statement order."""
    newest = (select(func.max(Prediction.id).label("id"))
              .where(Prediction.statement_id.in_(_labelled_statements()))
              .group_by(Prediction.statement_id, Prediction.target_id, Prediction.task).subquery())
    return (
        select(Statement.id, Prediction.target_id, Prediction.task, Prediction.label, Prediction.model_name,
               Prediction.model_version, *_probability_columns(Prediction, "stance"),
               *_probability_columns(Prediction, "sentiment"))
        .select_from(newest)
        .join(Prediction, Prediction.id == newest.c.id)
        .join(Statement, Statement.id == Prediction.statement_id)
        .join(Document, Document.id == Statement.document_id)
        .order_by(*STATEMENT_ORDER)
    )


def _gold_query():
    """The standing gold event per (statement, target, task), for labelled statements, in statement order."""
    undo = aliased(Adjudication)
    standing = (select(func.max(Adjudication.id).label("id"))
                .where(Adjudication.action == "set", Adjudication.statement_id.in_(_labelled_statements()),
                       ~exists().where(undo.action == "undo", undo.supersedes_id == Adjudication.id))
                .group_by(Adjudication.statement_id, Adjudication.target_id, Adjudication.task).subquery())
    adjudicator = aliased(Annotator)
    return (
        select(Statement.id, Adjudication.target_id, Adjudication.task, Adjudication.label, adjudicator.name,
               Adjudication.note, _raw(Adjudication.created_at))
        .select_from(standing)
        .join(Adjudication, Adjudication.id == standing.c.id)
        .join(adjudicator, adjudicator.id == Adjudication.adjudicator_id)
        .join(Statement, Statement.id == Adjudication.statement_id)
        .join(Document, Document.id == Statement.document_id)
        .order_by(*STATEMENT_ORDER)
    )


def _probs(values, task: str) -> dict[str, float | None] | None:
    if all(v is None for v in values):
        return None
    return {label: None if v is None else float(v) for label, v in zip(LABELS_BY_TASK[task], values)}


def _reasons(value) -> list[str]:
    if value is None or value == "[]":
        return []
    return list(json.loads(value) if isinstance(value, str) else value)


# event row layout
_E_ID, _E_TARGET_ID, _E_TARGET, _E_NAME, _E_STANCE, _E_SENTIMENT = 11, 12, 13, 14, 15, 16
_E_PRE = {"stance": 24, "sentiment": 31}  # id, name, version, label, 3 probabilities
_E_LABEL = {"stance": _E_STANCE, "sentiment": _E_SENTIMENT}


def _row(task: str, events: list, target: str | None, gold, prediction) -> dict[str, Any]:
    """One export row from an item's standing events (newest per annotator already chosen)."""
    labels = LABELS_BY_TASK[task]
    label_at, pre_at = _E_LABEL[task], _E_PRE[task]
    counts = dict.fromkeys(labels, 0)
    annotations = []
    prelabels: dict[int, dict] = {}
    for r in events:
        label = r[label_at]
        counts[label] += 1
        pid = r[pre_at]
        prelabel = None
        if pid is not None:
            prelabel = prelabels.get(pid)
            if prelabel is None:
                prelabel = prelabels[pid] = {"model_name": r[pre_at + 1], "model_version": r[pre_at + 2],
                                             "label": r[pre_at + 3], "probabilities": _probs(r[pre_at + 4:pre_at + 7], task)}
        annotations.append({
            "annotator": r[_E_NAME], "label": label, "duration_ms": r[17], "order_mode": r[18],
            "suggestions_shown": None if r[19] is None else bool(r[19]),
            "accepted_as_is": None if r[20] is None else bool(r[20]),
            "reason_codes": _reasons(r[21]), "note": r[22], "labelled_at": iso(r[23]), "prelabel": prelabel,
        })
    n = len(annotations)
    top = max(counts.values())
    winners = [label for label, c in counts.items() if c == top]
    first = events[0]
    if prediction is not None:
        probs = prediction[6:9] if task == "stance" else prediction[9:12]
        predicted = (prediction[3], _probs(probs, task), prediction[4], prediction[5])
    else:
        predicted = (None, None, None, None)
    return {
        "task": task, "doc": first[1], "doc_sha256": first[2], "start": first[3], "end": first[4],
        "target": target, "text": first[5], "speaker": first[6], "speaker_role": first[7],
        "speaker_type": first[8], "kind": first[9], "cue": first[10],
        "annotations": annotations, "n_annotators": n,
        "majority": winners[0] if len(winners) == 1 else None,
        "soft_label": {label: c / n for label, c in counts.items()},
        "gold": gold[3] if gold else None, "gold_by": gold[4] if gold else None,
        "gold_note": gold[5] if gold else None, "adjudicated_at": iso(gold[6]) if gold else None,
        "predicted": predicted[0], "probabilities": predicted[1],
        "model_name": predicted[2], "model_version": predicted[3],
    }


def _newest_per_annotator(events: list) -> list:
    newest: dict[str, Any] = {}
    for r in events:
        held = newest.get(r[_E_NAME])
        if held is None or r[_E_ID] > held[_E_ID]:
            newest[r[_E_NAME]] = r
    return [newest[name] for name in sorted(newest)]


def _statement_rows(events: list, golds: dict, predictions: dict, tasks, gold_only: bool) -> Iterator[dict]:
    """Rows for one statement: its stance items by target text, then its sentiment item."""
    if "stance" in tasks:
        by_target: dict[int, list] = {}
        for r in events:
            if r[_E_STANCE] is not None:
                by_target.setdefault(r[_E_TARGET_ID], []).append(r)
        for tid, group in sorted(by_target.items(), key=lambda kv: kv[1][0][_E_TARGET]):
            gold = golds.get((tid, "stance"))
            if gold_only and gold is None:
                continue
            yield _row("stance", _newest_per_annotator(group), group[0][_E_TARGET], gold,
                       predictions.get((tid, "stance")))
    if "sentiment" in tasks:
        group = [r for r in events if r[_E_SENTIMENT] is not None]
        gold = golds.get((None, "sentiment"))
        if group and not (gold_only and gold is None):
            yield _row("sentiment", _newest_per_annotator(group), None, gold, predictions.get((None, "sentiment")))


def _take(stream, head, statement_id: int) -> tuple[dict, Any]:
    """Consume a side stream's rows for this statement (it holds a subset of statements, same order)."""
    found = {}
    while head is not None and head[0] == statement_id:
        found[(head[1], head[2])] = head
        head = next(stream, None)
    return found, head


def iter_rows(engine: Engine, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
              batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Export rows for every item with at least one current label, in statement order
    (document source, sha256, offsets); within a statement the stance items by target text,
    then the sentiment item.

    One pass over the decision log serves both tasks. Three streamed cursors in one read
    transaction walk in step — label events, newest predictions, standing gold, all in the
    same statement order — so memory holds one statement's events at a time.
    """
    for task in tasks:
        if task not in TASKS:
            raise WorkbenchError(f"unknown task: {task!r}")
    with readonly(engine).connect() as conn, conn.begin():
        streaming = conn.execution_options(stream_results=True, yield_per=batch)
        events = iter(streaming.execute(_events_query()))
        preds = iter(streaming.execute(_predictions_query()))
        golds = iter(streaming.execute(_gold_query()))
        pred_head, gold_head = next(preds, None), next(golds, None)
        current: list = []
        for r in events:
            if current and r[0] != current[0][0]:
                found_preds, pred_head = _take(preds, pred_head, current[0][0])
                found_golds, gold_head = _take(golds, gold_head, current[0][0])
                yield from _statement_rows(current, found_golds, found_preds, tasks, gold_only)
                current = []
            current.append(r)
        if current:
            found_preds, pred_head = _take(preds, pred_head, current[0][0])
            found_golds, gold_head = _take(golds, gold_head, current[0][0])
            yield from _statement_rows(current, found_golds, found_preds, tasks, gold_only)


# -- writers ---------------------------------------------------------------------------------

def arrow_schema(tasks: tuple[str, ...] = TASKS):
    import pyarrow as pa

    labels = [label for label in ALL_LABELS if any(label in LABELS_BY_TASK[t] for t in tasks)]
    probs = pa.struct([(label, pa.float64()) for label in labels])
    prelabel = pa.struct([("model_name", pa.string()), ("model_version", pa.string()), ("label", pa.string()),
                          ("probabilities", probs)])
    annotation = pa.struct([
        ("annotator", pa.string()), ("label", pa.string()), ("duration_ms", pa.int64()),
        ("order_mode", pa.string()), ("suggestions_shown", pa.bool_()), ("accepted_as_is", pa.bool_()),
        ("reason_codes", pa.list_(pa.string())), ("note", pa.string()), ("labelled_at", pa.string()),
        ("prelabel", prelabel)])
    return pa.schema([
        ("task", pa.string()), ("doc", pa.string()), ("doc_sha256", pa.string()), ("start", pa.int64()),
        ("end", pa.int64()), ("target", pa.string()), ("text", pa.string()), ("speaker", pa.string()),
        ("speaker_role", pa.string()), ("speaker_type", pa.string()), ("kind", pa.string()), ("cue", pa.string()),
        ("annotations", pa.list_(annotation)), ("n_annotators", pa.int64()), ("majority", pa.string()),
        ("soft_label", probs), ("gold", pa.string()), ("gold_by", pa.string()), ("gold_note", pa.string()),
        ("adjudicated_at", pa.string()), ("predicted", pa.string()), ("probabilities", probs),
        ("model_name", pa.string()), ("model_version", pa.string()),
    ])


def _batches(rows: Iterator[dict], size: int) -> Iterator[list[dict]]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def write_jsonl(rows, path: str) -> int:
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for chunk in _batches(rows, BATCH):
            fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in chunk))
            n += len(chunk)
    return n


NESTED = ("annotations", "soft_label", "probabilities")


def write_csv(rows, path: str) -> int:
    """Flat columns; nested fields (annotations, soft_label, probabilities) are JSON strings."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = None
        for row in rows:
            flat = {k: (json.dumps(v, ensure_ascii=False) if k in NESTED else v) for k, v in row.items()}
            if writer is None:
                writer = csv.DictWriter(fh, fieldnames=list(flat))
                writer.writeheader()
            writer.writerow(flat)
            n += 1
    return n


def write_parquet(rows, path: str, tasks: tuple[str, ...] = TASKS, row_group: int = 10_000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(tasks)
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in _batches(rows, row_group):
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema), row_group_size=row_group)
            n += len(chunk)
        if n == 0:
            writer.write_table(schema.empty_table())
    return n


def write_hf(rows, path: str, tasks: tuple[str, ...] = TASKS) -> int:
    """A `datasets.Dataset` saved with save_to_disk; built through a temporary parquet file."""
    import os
    import tempfile

    from datasets import Dataset

    with tempfile.TemporaryDirectory(prefix="workbench-hf-") as tmp:
        staging = os.path.join(tmp, "rows.parquet")
        n = write_parquet(rows, staging, tasks)
        dataset = Dataset.from_parquet(staging, cache_dir=os.path.join(tmp, "cache"))
        dataset.save_to_disk(path)
        del dataset
    return n


def export(engine: Engine, fmt: str, path: str, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
           on_row: Callable[[int], None] | None = None) -> int:
    """Write the export; returns the number of rows."""
    if fmt not in FORMATS:
        raise WorkbenchError(f"unknown export format: {fmt!r} (expected one of {', '.join(FORMATS)})")
    rows: Iterator[dict] = iter_rows(engine, tasks, gold_only)
    if on_row is not None:
        rows = _counting(rows, on_row)
    if fmt == "jsonl":
        return write_jsonl(rows, path)
    if fmt == "csv":
        return write_csv(rows, path)
    if fmt == "parquet":
        return write_parquet(rows, path, tasks)
    return write_hf(rows, path, tasks)


def _counting(rows, on_row):
    for row in rows:
        on_row(1)
        yield row
