"""The read side of the export: labelled statements in export order, a chunk at a time.

Rows come as named tuples (`db.export_rows`: StatementRow, LabelEvent, FlagEvent, PredictionRow,
GoldRow; each statement's items as ExportItem), their values as the driver gives them (see below); the
writers in workbench/export*.py format them. What stands is the log's one rule
(`db.decisions.stands`, `db.adjudication.gold_stands`); the newest standing label event per
annotator and item is each one's current label, as `db.decisions.standing_labels` defines it,
picked here from the chunk's events in id order rather than by a window query per chunk.

One streamed cursor (server-side on PostgreSQL) walks the labelled statements in export
order (document source, sha256, offsets, id). For each chunk of statements four small
Core selects, keyed by the chunk's statement ids, fetch raw tuples: the standing label
events (narrow: ids, labels, flags, times), the standing flag events, the predictions the
rows need (the newest per item and every pre-label an event saw) and the standing gold.

An item has a row when it holds a standing label or a standing flag: a flagged item that no
one labelled still has its row (no annotations, the flags), so an export keeps every flag.
A stance row carries the flags on its (statement, target); a sentiment row, which belongs to
the statement, carries the flags on the statement under every target. `not_a_statement`
says that some standing flag on the statement has that reason, or that its standing gold (any task
or target) is the adjudicator's `not_a_statement` verdict: such an item is left out of
`--gold-only` exports (and of training). Nothing is sorted or joined
per decision in SQL and no column is parsed or converted by SQLAlchemy: values come as
the driver gives them (SQLite: booleans as 0/1, JSON and timestamps as text) and the
writers format each distinct value once. Memory holds one chunk.
"""
from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, Integer, String, bindparam, func, or_, select, type_coerce, union
from sqlalchemy.orm import aliased

from db.adjudication import gold_stands
from db.decisions import NOT_A_STATEMENT, stands
from db.engine import readonly
from db.errors import StorageError
from db.export_rows import ExportItem, FlagEvent, GoldRow, LabelEvent, PredictionRow, StatementRow
from db.schema import TASKS, Adjudication, Annotator, Decision, Document, Prediction, Statement, Target

STATEMENT_FIELDS = ("text", "speaker", "speaker_role", "speaker_type", "kind", "cue", "speaker_id")
STATEMENT_ORDER = (Document.source, Document.sha256, Statement.start, Statement.end, Statement.id)
CHUNK = 500  # statements per chunk: each chunk's selects bind this many ids


def _rows(cls):
    """Rows of the driver as `cls` named tuples: tuple.__new__ in C (NamedTuple._make is a Python call per row,
    a few percent of an export's time; the column count is the query's own, so its length check is moot)."""
    return partial(tuple.__new__, cls)


_statement_row, _label_event, _flag_event = _rows(StatementRow), _rows(LabelEvent), _rows(FlagEvent)
_prediction_row, _gold_row = _rows(PredictionRow), _rows(GoldRow)


def _raw(col):
    """The column as the driver gives it (SQLite: text), no SQLAlchemy result processing."""
    return type_coerce(col, String)


def _standing_events(decision=Decision):
    """Label events (stance or sentiment) that no undo withdrew."""
    return [decision.action == "label", or_(decision.stance.is_not(None), decision.sentiment.is_not(None)),
            stands(decision)]


def _standing_flags(decision=Decision):
    """Flag events that no undo withdrew."""
    return [decision.action == "flag", stands(decision)]


def statements_query():
    labelled = select(Decision.statement_id).where(*_standing_events())
    flagged = select(Decision.statement_id).where(*_standing_flags())
    return (select(Statement.id, Document.source, Document.sha256, Statement.start, Statement.end,
                   *(getattr(Statement, f) for f in STATEMENT_FIELDS))
            .join(Document, Document.id == Statement.document_id)
            .where(Statement.id.in_(union(labelled, flagged)))
            .order_by(*STATEMENT_ORDER))


def _ids():
    return bindparam("ids", expanding=True)


def events_query():
    """The chunk's standing label events, oldest first (so the last one per annotator is the newest)."""
    return (select(Decision.statement_id, Decision.id, Decision.target_id, Decision.annotator_id, Decision.stance,
                   Decision.sentiment, Decision.duration_ms, Decision.order_mode,
                   type_coerce(Decision.suggestions_shown, Integer), type_coerce(Decision.accepted_as_is, Integer),
                   _raw(Decision.reason_codes), Decision.note, _raw(Decision.created_at),
                   Decision.stance_prediction_id, Decision.sentiment_prediction_id)
            .where(Decision.statement_id.in_(_ids()), *_standing_events())
            .order_by(Decision.id))


def flags_query():
    """The chunk's standing flag events, oldest first (so the last one per annotator and item is the newest)."""
    return (select(Decision.statement_id, Decision.id, Decision.target_id, Decision.annotator_id,
                   _raw(Decision.reason_codes), Decision.note, Decision.duration_ms, Decision.order_mode,
                   type_coerce(Decision.suggestions_shown, Integer), _raw(Decision.created_at))
            .where(Decision.statement_id.in_(_ids()), *_standing_flags())
            .order_by(Decision.id))


def reason_list(raw) -> list[str]:
    """Reason codes as the driver gives them (SQLite: JSON text; PostgreSQL: a list)."""
    if raw is None or raw == "[]":
        return []
    return list(json.loads(raw) if isinstance(raw, (str, bytes)) else raw)


def predictions_query():
    """The newest prediction per (statement, target, task) of the chunk."""
    newest = (select(func.max(Prediction.id)).where(Prediction.statement_id.in_(_ids()))
              .group_by(Prediction.statement_id, Prediction.target_id, Prediction.task))
    return _prediction_columns().where(Prediction.id.in_(newest))


def predictions_by_id_query():
    """Predictions by id: pre-labels older than the newest prediction of their item."""
    return _prediction_columns().where(Prediction.id.in_(_ids()))


def _prediction_columns():
    return select(Prediction.id, Prediction.statement_id, Prediction.target_id, Prediction.task, Prediction.label,
                  Prediction.model_name, Prediction.model_version, _raw(Prediction.probabilities))


def gold_query():
    """The standing gold event per (statement, target, task) of the chunk."""
    standing = (select(func.max(Adjudication.id))
                .where(Adjudication.action == "set", Adjudication.statement_id.in_(_ids()), gold_stands())
                .group_by(Adjudication.statement_id, Adjudication.target_id, Adjudication.task))
    adjudicator = aliased(Annotator)
    return (select(Adjudication.statement_id, Adjudication.target_id, Adjudication.task, Adjudication.label,
                   adjudicator.name, Adjudication.note, _raw(Adjudication.created_at))
            .join(adjudicator, adjudicator.id == Adjudication.adjudicator_id)
            .where(Adjudication.id.in_(standing)))


_NO_FLAGS: list = []  # shared by the rows without flags (read only)


def documents_query():
    """Title and metadata (url, published) of the chunk's documents, by sha256."""
    return select(Document.sha256, Document.title, _raw(Document.meta)).where(
        Document.sha256.in_(bindparam("shas", expanding=True)))


def _document_info(title, raw_meta) -> tuple[str | None, str | None, str | None]:
    """(title, url, published) with url and published as text whatever the ingested record held."""
    meta = json.loads(raw_meta) if isinstance(raw_meta, (str, bytes)) else (raw_meta or {})
    if not isinstance(meta, dict):
        meta = {}
    url, published = meta.get("url"), meta.get("published")
    return title, None if url is None else str(url), None if published is None else str(published)


def sentiment_conflicts(events: list[LabelEvent], names: dict[int, str]) -> dict[int, list[str]]:
    """statement id -> the annotators whose current sentiment for it differs between targets.

    Sentiment belongs to the statement, but it is recorded with each (statement, target)
    decision; the export's sentiment row takes an annotator's newest one, so disagreement
    between their targets would otherwise vanish without a trace.
    """
    newest: dict[tuple, str] = {}
    for e in events:  # oldest first: the newest per (statement, annotator, target) wins
        if e.sentiment is not None:
            newest[(e.statement_id, e.annotator_id, e.target_id)] = e.sentiment
    labels: dict[tuple[int, int], set] = {}
    for (sid, annotator, _), label in newest.items():
        labels.setdefault((sid, annotator), set()).add(label)
    out: dict[int, list[str]] = {}
    for (sid, annotator), seen in labels.items():
        if len(seen) > 1:
            out.setdefault(sid, []).append(names[annotator])
    return {sid: sorted(found) for sid, found in out.items()}


class Reader:
    """Iterate (StatementRow, [ExportItem]) in export order.

    `names` maps annotator ids to names, `targets` target ids to texts; `preds` maps the current
    chunk's prediction ids to PredictionRows (for the pre-label an event points at); `conflicts` the
    chunk's statements whose sentiment an annotator gave differently under two targets
    (`sentiment_conflicts` counts the sentiment items yielded with one); `documents` (with
    `with_documents`) the chunk's documents' (title, url, published) by sha256.
    """

    def __init__(self, conn: Connection, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
                 chunk: int = CHUNK, collect: bool = False, with_documents: bool = False):
        for task in tasks:
            if task not in TASKS:
                raise StorageError(f"unknown task: {task!r}")
        self.conn, self.tasks, self.gold_only, self.chunk = conn, tasks, gold_only, max(1, chunk)
        self.collect = collect  # collect young cycles after each chunk (for callers that pause the GC)
        self.names: dict[int, str] = dict(conn.execute(select(Annotator.id, Annotator.name)).all())
        self.targets: dict[int, str] = dict(conn.execute(select(Target.id, Target.text)).all())
        self._name_rank = {i: r for r, i in enumerate(sorted(self.names, key=self.names.__getitem__))}
        self._target_rank = {i: r for r, i in enumerate(sorted(self.targets, key=self.targets.__getitem__))}
        self.preds: dict[int, PredictionRow] = {}
        self.with_documents = with_documents
        self.documents: dict[str, tuple] = {}
        self.conflicts: dict[int, list[str]] = {}
        self.sentiment_conflicts = 0

    def __iter__(self) -> Iterator[tuple[StatementRow, list[ExportItem]]]:
        conn = self.conn
        streaming = conn.execution_options(stream_results=True, yield_per=self.chunk)
        events_q, preds_q, gold_q = events_query(), predictions_query(), gold_query()
        by_id_q, flags_q = predictions_by_id_query(), flags_query()
        for rows in streaming.execute(statements_query()).partitions(self.chunk):
            if self.collect:
                gc.collect(1)
            part = list(map(_statement_row, rows))
            ids = {"ids": [s.id for s in part]}
            events = list(map(_label_event, conn.execute(events_q, ids)))
            by_statement: dict[int, list[LabelEvent]] = {}
            for e in events:
                group = by_statement.get(e.statement_id)
                if group is None:
                    by_statement[e.statement_id] = [e]
                else:
                    group.append(e)
            preds: dict[int, PredictionRow] = {}
            newest: dict[tuple, PredictionRow] = {}
            for p in map(_prediction_row, conn.execute(preds_q, ids)):
                preds[p.id] = p
                newest[(p.statement_id, p.target_id, p.task)] = p
            shown = {e.stance_prediction_id for e in events} | {e.sentiment_prediction_id for e in events}
            shown.discard(None)
            missing = sorted(shown.difference(preds))
            for at in range(0, len(missing), 1000):
                for p in map(_prediction_row, conn.execute(by_id_q, {"ids": missing[at:at + 1000]})):
                    preds[p.id] = p
            golds = {(g.statement_id, g.target_id, g.task): g for g in map(_gold_row, conn.execute(gold_q, ids))}
            flags: dict[int, dict[tuple, FlagEvent]] = {}
            for f in map(_flag_event, conn.execute(flags_q, ids)):  # oldest first: the newest per (annotator, target) wins
                flags.setdefault(f.statement_id, {})[(f.annotator_id, f.target_id)] = f
            self.preds = preds
            self.conflicts = sentiment_conflicts(events, self.names) if "sentiment" in self.tasks else {}
            if self.with_documents:
                shas = sorted({s.doc_sha256 for s in part})
                self.documents = {sha: _document_info(title, meta)
                                  for sha, title, meta in conn.execute(documents_query(), {"shas": shas}).all()}
            # an adjudicator's verdict that the span is no statement counts as a not-a-statement flag does
            excluded = {g.statement_id for g in golds.values() if g.label == NOT_A_STATEMENT}
            for s in part:
                items = self._items(s.id, by_statement.get(s.id, ()), golds, newest, flags.get(s.id, {}),
                                    s.id in excluded)
                if items:
                    yield s, items

    def _newest_per_annotator(self, events: dict[int, LabelEvent]) -> list[LabelEvent]:
        if len(events) == 1:
            return list(events.values())
        rank = self._name_rank
        return sorted(events.values(), key=lambda e: rank[e.annotator_id])

    def _sorted_flags(self, flags) -> list[FlagEvent]:
        if not flags:
            return _NO_FLAGS
        if len(flags) < 2:
            return list(flags)
        names, targets = self._name_rank, self._target_rank
        return sorted(flags, key=lambda f: (names[f.annotator_id], targets.get(f.target_id, -1)))

    def _items(self, sid: int, events, golds: dict, newest: dict, flags: dict,
               excluded: bool = False) -> list[ExportItem]:
        items: list[ExportItem] = []
        not_statement = excluded or (
            bool(flags) and any(NOT_A_STATEMENT in reason_list(f.reason_codes) for f in flags.values()))
        gold_only = self.gold_only
        if gold_only and not_statement:
            return items
        if "stance" in self.tasks:
            groups: dict[Any, dict] = {}
            for e in events:
                if e.stance is not None:
                    group = groups.get(e.target_id)
                    if group is None:
                        groups[e.target_id] = {e.annotator_id: e}
                    else:
                        group[e.annotator_id] = e  # oldest first: the newest wins
            flags_by_target: dict[Any, list] = {}
            if flags:
                for f in flags.values():
                    if f.target_id is not None:
                        flags_by_target.setdefault(f.target_id, []).append(f)
                        groups.setdefault(f.target_id, {})  # a flagged item no one labelled still has its row
            order = groups if len(groups) < 2 else sorted(groups, key=lambda t: self._target_rank.get(t, -1))
            for tid in order:
                gold = golds.get((sid, tid, "stance"))
                if gold_only and gold is None:
                    continue
                items.append(ExportItem("stance", self.targets.get(tid), self._newest_per_annotator(groups[tid]), gold,
                                        newest.get((sid, tid, "stance")),
                                        self._sorted_flags(flags_by_target.get(tid)) if flags else _NO_FLAGS,
                                        not_statement))
        if "sentiment" in self.tasks:
            group = {}
            for e in events:
                if e.sentiment is not None:
                    group[e.annotator_id] = e
            gold = golds.get((sid, None, "sentiment"))
            if (group or flags) and not (gold_only and gold is None):
                items.append(ExportItem("sentiment", None, self._newest_per_annotator(group), gold,
                                        newest.get((sid, None, "sentiment")), self._sorted_flags(flags.values()),
                                        not_statement))
                if sid in self.conflicts:
                    self.sentiment_conflicts += 1
        return items


@contextmanager
def open_reader(engine: Engine, tasks: tuple[str, ...] = TASKS, gold_only: bool = False, chunk: int = CHUNK,
                collect: bool = False, with_documents: bool = False) -> Iterator[Reader]:
    """A Reader inside one read transaction (repeatable read on PostgreSQL, so every chunk's
    selects see the snapshot the statement cursor sees); never takes SQLite's write lock."""
    with readonly(engine).connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin():
            yield Reader(conn, tasks, gold_only, chunk, collect, with_documents)
