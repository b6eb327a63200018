"""Export the annotated corpus: one row per item, streamed from one ordered query per task.

An item is (statement, target) for stance and the statement alone for sentiment. A row
holds the statement and speaker fields, the document (`doc` = source name, `doc_sha256`)
and offsets, every annotator's current label (after undo and edits) with their decision
time, queue order, whether suggestions were shown and the pre-label they saw, the gold
label from adjudication, the majority label and soft label distribution, and the newest
model prediction. Rows are ordered by document, offsets, target and task, so two
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

from sqlalchemy import Engine, Integer, and_, cast, func, literal, null, select, union
from sqlalchemy.orm import aliased

from db.adjudication import standing_adjudications
from db.decisions import standing_labels
from db.engine import readonly
from db.schema import LABELS_BY_TASK, TASKS, Annotator, Document, Prediction, Statement, Target
from workbench.errors import WorkbenchError

FORMATS = ("jsonl", "csv", "parquet", "hf")
STATEMENT_FIELDS = ("text", "speaker", "speaker_role", "speaker_type", "kind", "cue")
ALL_LABELS = ("favor", "against", "neutral", "positive", "negative")
BATCH = 2000


def iso(value: datetime | None) -> str | None:
    """UTC ISO-8601 whatever the backend returns (SQLite gives naive UTC, PostgreSQL aware)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat()


def _latest_predictions(task: str):
    rank = func.row_number().over(partition_by=(Prediction.statement_id, Prediction.target_id),
                                  order_by=Prediction.id.desc()).label("rank")
    ranked = select(Prediction, rank).where(Prediction.task == task).subquery()
    return select(ranked).where(ranked.c.rank == 1).subquery()


def _task_query(task: str, gold_only: bool):
    labels = standing_labels(None, task).subquery("labels")
    gold = standing_adjudications(task).subquery("gold")
    latest = _latest_predictions(task)
    prelabel = aliased(Prediction)
    annotator = aliased(Annotator)
    adjudicator = aliased(Annotator)
    stance = task == "stance"

    if stance:
        keys = union(select(labels.c.statement_id, labels.c.target_id),
                     select(gold.c.statement_id, gold.c.target_id))
    else:
        keys = union(select(labels.c.statement_id, cast(null(), Integer).label("target_id")),
                     select(gold.c.statement_id, cast(null(), Integer).label("target_id")))
    items = (select(gold.c.statement_id, gold.c.target_id) if gold_only else keys).subquery("items")

    def same_target(col):
        return col == items.c.target_id if stance else col.is_(None)

    label_on = and_(labels.c.statement_id == items.c.statement_id,
                    labels.c.target_id == items.c.target_id if stance else literal(True))
    label_col = labels.c.stance if stance else labels.c.sentiment
    prelabel_col = labels.c.stance_prediction_id if stance else labels.c.sentiment_prediction_id
    query = (
        select(
            Document.source, Document.sha256, Statement.id, Statement.start, Statement.end,
            *(getattr(Statement, f) for f in STATEMENT_FIELDS), Target.text,
            annotator.name, label_col, labels.c.duration_ms, labels.c.order_mode, labels.c.suggestions_shown,
            labels.c.accepted_as_is, labels.c.reason_codes, labels.c.note, labels.c.created_at,
            prelabel.model_name, prelabel.model_version, prelabel.label, prelabel.probabilities,
            gold.c.label, adjudicator.name, gold.c.note, gold.c.created_at,
            latest.c.label, latest.c.probabilities, latest.c.model_name, latest.c.model_version,
        )
        .select_from(items)
        .join(Statement, Statement.id == items.c.statement_id)
        .join(Document, Document.id == Statement.document_id)
        .outerjoin(Target, Target.id == items.c.target_id)
        .outerjoin(labels, label_on)
        .outerjoin(annotator, annotator.id == labels.c.annotator_id)
        .outerjoin(prelabel, prelabel.id == prelabel_col)
        .outerjoin(gold, and_(gold.c.statement_id == items.c.statement_id, same_target(gold.c.target_id)))
        .outerjoin(adjudicator, adjudicator.id == gold.c.adjudicator_id)
        .outerjoin(latest, and_(latest.c.statement_id == items.c.statement_id, same_target(latest.c.target_id)))
        .order_by(Document.source, Document.sha256, Statement.start, Statement.end, Statement.id,
                  Target.text, annotator.name)
    )
    return query


def _probs(value: dict | None, task: str) -> dict[str, float] | None:
    if value is None:
        return None
    return {label: float(value[label]) if label in value else None for label in LABELS_BY_TASK[task]}


def _assemble(task: str, group: list) -> dict[str, Any]:
    first = group[0]
    (source, sha, _sid, start, end, text, speaker, role, stype, kind, cue, target) = first[:12]
    row: dict[str, Any] = {"task": task, "doc": source, "doc_sha256": sha, "start": start, "end": end,
                           "target": target, "text": text, "speaker": speaker, "speaker_role": role,
                           "speaker_type": stype, "kind": kind, "cue": cue}
    annotations = []
    for r in group:
        name = r[12]
        if name is None:
            continue
        p_name, p_version, p_label, p_probs = r[21:25]
        annotations.append({
            "annotator": name, "label": r[13], "duration_ms": r[14], "order_mode": r[15],
            "suggestions_shown": bool(r[16]) if r[16] is not None else None, "accepted_as_is": r[17],
            "reason_codes": list(r[18] or []), "note": r[19], "labelled_at": iso(r[20]),
            "prelabel": None if p_label is None else {"model_name": p_name, "model_version": p_version,
                                                      "label": p_label, "probabilities": _probs(p_probs, task)},
        })
    labels = LABELS_BY_TASK[task]
    counts = {label: 0 for label in labels}
    for a in annotations:
        counts[a["label"]] += 1
    n = len(annotations)
    top = max(counts.values()) if n else 0
    winners = [label for label, c in counts.items() if c == top]
    row["annotations"] = annotations
    row["n_annotators"] = n
    row["majority"] = winners[0] if n and len(winners) == 1 else None
    row["soft_label"] = {label: (c / n if n else None) for label, c in counts.items()}
    gold_label, gold_by, gold_note, gold_at = first[25:29]
    row["gold"], row["gold_by"], row["gold_note"], row["adjudicated_at"] = gold_label, gold_by, gold_note, iso(gold_at)
    m_label, m_probs, m_name, m_version = first[29:33]
    row["predicted"], row["probabilities"] = m_label, _probs(m_probs, task)
    row["model_name"], row["model_version"] = m_name, m_version
    return row


def iter_rows(engine: Engine, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
              batch: int = BATCH) -> Iterator[dict[str, Any]]:
    """Export rows, stance items first then sentiment, each ordered by document and offsets."""
    for task in tasks:
        if task not in TASKS:
            raise WorkbenchError(f"unknown task: {task!r}")
        query = _task_query(task, gold_only)
        with readonly(engine).connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=batch).execute(query)
            group: list = []
            key = None
            for r in result:
                this = (r[2], r[11])
                if this != key and group:
                    yield _assemble(task, group)
                    group = []
                key = this
                group.append(r)
            if group:
                yield _assemble(task, group)


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
