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

from sqlalchemy import Engine, Integer, String, exists, func, select, type_coerce
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


def _standing_events(task: str):
    """Conditions for a task's label events that no undo withdrew."""
    undo = aliased(Decision)
    label_col = Decision.stance if task == "stance" else Decision.sentiment
    return [Decision.action == "label", label_col.is_not(None),
            ~exists().where(undo.action == "undo", undo.supersedes_id == Decision.id)]


def _gold_id(task: str, statement_col, target_col):
    undo = aliased(Adjudication)
    target_match = Adjudication.target_id == target_col if task == "stance" else Adjudication.target_id.is_(None)
    return (select(func.max(Adjudication.id))
            .where(Adjudication.statement_id == statement_col, Adjudication.task == task, target_match,
                   Adjudication.action == "set",
                   ~exists().where(undo.action == "undo", undo.supersedes_id == Adjudication.id))
            .scalar_subquery())


def _item_order(stance: bool) -> list:
    order = [Document.source, Document.sha256, Statement.start, Statement.end, Statement.id]
    return order + [Target.text] if stance else order


def _items_query(task: str, gold_only: bool):
    """One row per item with a current label: statement, document, target, gold, newest prediction."""
    stance = task == "stance"
    keys = [Decision.statement_id, Decision.target_id] if stance else [Decision.statement_id]
    items = select(*keys).where(*_standing_events(task)).distinct().subquery("items")
    target_col = items.c.target_id if stance else None
    latest_target = Prediction.target_id == target_col if stance else Prediction.target_id.is_(None)
    newest_prediction = (select(func.max(Prediction.id))
                         .where(Prediction.statement_id == items.c.statement_id, Prediction.task == task,
                                latest_target).scalar_subquery())
    gold, adjudicator, latest = aliased(Adjudication), aliased(Annotator), aliased(Prediction)
    query = (
        select(Statement.id, target_col if stance else type_coerce(None, Integer),
               Document.source, Document.sha256, Statement.start, Statement.end,
               *(getattr(Statement, f) for f in STATEMENT_FIELDS),
               Target.text if stance else type_coerce(None, String),
               gold.label, adjudicator.name, gold.note, _raw(gold.created_at),
               latest.label, latest.model_name, latest.model_version, *_probability_columns(latest, task))
        .select_from(items)
        .join(Statement, Statement.id == items.c.statement_id)
        .join(Document, Document.id == Statement.document_id)
        .outerjoin(gold, gold.id == _gold_id(task, items.c.statement_id, target_col))
        .outerjoin(adjudicator, adjudicator.id == gold.adjudicator_id)
        .outerjoin(latest, latest.id == newest_prediction)
    )
    if stance:
        query = query.join(Target, Target.id == items.c.target_id)
    if gold_only:
        query = query.where(gold.id.is_not(None))
    return query.order_by(*_item_order(stance))


def _events_query(task: str, gold_only: bool):
    """Every standing label event, in item order, newest first per annotator (narrow rows)."""
    stance = task == "stance"
    annotator, prelabel = aliased(Annotator), aliased(Prediction)
    label_col = Decision.stance if stance else Decision.sentiment
    prelabel_col = Decision.stance_prediction_id if stance else Decision.sentiment_prediction_id
    query = (
        select(Decision.statement_id, Decision.target_id if stance else type_coerce(None, Integer),
               annotator.name, label_col, Decision.duration_ms, Decision.order_mode, Decision.suggestions_shown,
               Decision.accepted_as_is, _raw(Decision.reason_codes), Decision.note, _raw(Decision.created_at),
               prelabel.id, prelabel.model_name, prelabel.model_version, prelabel.label,
               *_probability_columns(prelabel, task))
        .select_from(Decision)
        .join(Statement, Statement.id == Decision.statement_id)
        .join(Document, Document.id == Statement.document_id)
        .join(annotator, annotator.id == Decision.annotator_id)
        .outerjoin(prelabel, prelabel.id == prelabel_col)
        .where(*_standing_events(task))
    )
    if stance:
        query = query.join(Target, Target.id == Decision.target_id)
    if gold_only:
        query = query.where(_gold_id(task, Decision.statement_id, Decision.target_id if stance else None)
                            .is_not(None))
    return query.order_by(*_item_order(stance), annotator.name, Decision.id.desc())


def _probs(values, task: str) -> dict[str, float | None] | None:
    if all(v is None for v in values):
        return None
    return {label: None if v is None else float(v) for label, v in zip(LABELS_BY_TASK[task], values)}


def _reasons(value) -> list[str]:
    if value is None or value == "[]":
        return []
    return list(json.loads(value) if isinstance(value, str) else value)


def _assemble(task: str, item, events: list) -> dict[str, Any]:
    labels = LABELS_BY_TASK[task]
    k = len(labels)
    annotations = []
    counts = dict.fromkeys(labels, 0)
    previous = None
    prelabels: dict[int, dict] = {}
    for r in events:
        name = r[2]
        if name == previous:  # an older event of the same annotator: the newest stands
            continue
        previous = name
        label = r[3]
        counts[label] += 1
        pid = r[11]
        prelabel = None
        if pid is not None:
            prelabel = prelabels.get(pid)
            if prelabel is None:
                prelabel = prelabels[pid] = {"model_name": r[12], "model_version": r[13], "label": r[14],
                                             "probabilities": _probs(r[15:15 + k], task)}
        annotations.append({
            "annotator": name, "label": label, "duration_ms": r[4], "order_mode": r[5],
            "suggestions_shown": None if r[6] is None else bool(r[6]),
            "accepted_as_is": None if r[7] is None else bool(r[7]),
            "reason_codes": _reasons(r[8]), "note": r[9], "labelled_at": iso(r[10]), "prelabel": prelabel,
        })
    n = len(annotations)
    top = max(counts.values())
    winners = [label for label, c in counts.items() if c == top]
    return {
        "task": task, "doc": item[2], "doc_sha256": item[3], "start": item[4], "end": item[5],
        "target": item[12], "text": item[6], "speaker": item[7], "speaker_role": item[8],
        "speaker_type": item[9], "kind": item[10], "cue": item[11],
        "annotations": annotations, "n_annotators": n,
        "majority": winners[0] if len(winners) == 1 else None,
        "soft_label": {label: c / n for label, c in counts.items()},
        "gold": item[13], "gold_by": item[14], "gold_note": item[15], "adjudicated_at": iso(item[16]),
        "predicted": item[17], "probabilities": _probs(item[20:20 + k], task),
        "model_name": item[18], "model_version": item[19],
    }


def iter_rows(engine: Engine, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
              batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Export rows: every item with at least one current label, stance items first then
    sentiment, each ordered by document, offsets and target.

    Two streamed cursors in one read transaction walk in step: items (statement, gold,
    newest prediction: once per item) and label events (narrow, one per decision), both in
    the same ORDER BY, so memory holds one item at a time.
    """
    for task in tasks:
        if task not in TASKS:
            raise WorkbenchError(f"unknown task: {task!r}")
        with readonly(engine).connect() as conn, conn.begin():
            streaming = conn.execution_options(stream_results=True, yield_per=batch)
            items = streaming.execute(_items_query(task, gold_only))
            events = iter(streaming.execute(_events_query(task, gold_only)))
            pending = next(events, None)
            for item in items:
                key = (item[0], item[1])
                group = []
                while pending is not None and (pending[0], pending[1]) == key:
                    group.append(pending)
                    pending = next(events, None)
                if not group:
                    raise RuntimeError(f"export cursors out of step at statement {item[0]}")
                yield _assemble(task, item, group)
            if pending is not None:
                raise RuntimeError(f"export cursors out of step: events left at statement {pending[0]}")


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
