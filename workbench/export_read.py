"""The read side of the export: labelled statements in export order, a chunk at a time.

One streamed cursor (server-side on PostgreSQL) walks the labelled statements in export
order (document source, sha256, offsets, id). For each chunk of statements four small
Core selects, keyed by the chunk's statement ids, fetch raw tuples: the standing label
events (narrow: ids, labels, flags, times), the standing flag events, the predictions the
rows need (the newest per item and every pre-label an event saw) and the standing gold.

An item has a row when it holds a standing label or a standing flag: a flagged item that no
one labelled still has its row (no annotations, the flags), so an export keeps every flag.
A stance row carries the flags on its (statement, target); a sentiment row, which belongs to
the statement, carries the flags on the statement under every target. `not_a_statement`
says that some standing flag on the statement has that reason: such an item is left out of
`--gold-only` exports (and of training). Nothing is sorted or joined
per decision in SQL and no column is parsed or converted by SQLAlchemy: values come as
the driver gives them (SQLite: booleans as 0/1, JSON and timestamps as text) and the
writers format each distinct value once. Memory holds one chunk.
"""
from __future__ import annotations

import gc
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Integer, String, bindparam, exists, func, or_, select, type_coerce, union
from sqlalchemy.orm import aliased

from db.corrections import (added_by_query, current_corrections, judged_statements, not_about_query,
                            not_statement_verdicts, withdrawn_additions)
from db.decisions import NOT_A_STATEMENT
from db.schema import TASKS, Adjudication, Annotator, Decision, Document, Prediction, Statement, Target
from workbench.errors import WorkbenchError

STATEMENT_FIELDS = ("text", "speaker", "speaker_role", "speaker_type", "kind", "cue", "speaker_id")
STATEMENT_ORDER = (Document.source, Document.sha256, Statement.start, Statement.end, Statement.id)
CHUNK = 500  # statements per chunk: each chunk's selects bind this many ids

# statement row: id, doc, doc_sha256, start, end, text, speaker, speaker_role, speaker_type, kind, cue, speaker_id
# event row layout
E_STATEMENT, E_ID, E_TARGET, E_ANNOTATOR, E_STANCE, E_SENTIMENT = 0, 1, 2, 3, 4, 5
E_DURATION, E_ORDER, E_SHOWN, E_ACCEPTED, E_REASONS, E_NOTE, E_AT = 6, 7, 8, 9, 10, 11, 12
E_PRE = {"stance": 13, "sentiment": 14}
E_LABEL = {"stance": E_STANCE, "sentiment": E_SENTIMENT}
# prediction row layout: id, statement_id, target_id, task, label, model_name, model_version, probabilities
P_ID, P_STATEMENT, P_TARGET, P_TASK, P_LABEL, P_NAME, P_VERSION, P_PROBS = range(8)
# gold row layout: statement_id, target_id, task, label, adjudicator, note, created_at
G_LABEL, G_BY, G_NOTE, G_AT = 3, 4, 5, 6
# flag row layout
F_STATEMENT, F_ID, F_TARGET, F_ANNOTATOR, F_REASONS, F_NOTE, F_DURATION, F_ORDER, F_SHOWN, F_AT = range(10)


def _raw(col):
    """The column as the driver gives it (SQLite: text), no SQLAlchemy result processing."""
    return type_coerce(col, String)


def _standing_events(decision=Decision):
    """Label events (stance or sentiment) that no undo withdrew."""
    undo = aliased(Decision)
    return [decision.action == "label", or_(decision.stance.is_not(None), decision.sentiment.is_not(None)),
            ~exists().where(undo.action == "undo", undo.supersedes_id == decision.id)]


def _standing_flags(decision=Decision):
    """Flag events that no undo withdrew."""
    undo = aliased(Decision)
    return [decision.action == "flag", ~exists().where(undo.action == "undo", undo.supersedes_id == decision.id)]


def statements_query():
    labelled = select(Decision.statement_id).where(*_standing_events())
    flagged = select(Decision.statement_id).where(*_standing_flags())
    judged = judged_statements()
    return (select(Statement.id, Document.source, Document.sha256, Statement.start, Statement.end,
                   *(getattr(Statement, f) for f in STATEMENT_FIELDS))
            .join(Document, Document.id == Statement.document_id)
            .where(Statement.id.in_(union(labelled, flagged, judged)), Statement.id.not_in(withdrawn_additions()))
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
    undo = aliased(Adjudication)
    standing = (select(func.max(Adjudication.id))
                .where(Adjudication.action == "set", Adjudication.statement_id.in_(_ids()),
                       ~exists().where(undo.action == "undo", undo.supersedes_id == Adjudication.id))
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


def sentiment_conflicts(events, names: dict[int, str]) -> dict[int, list[str]]:
    """statement id -> the annotators whose current sentiment for it differs between targets.

    Sentiment belongs to the statement, but it is recorded with each (statement, target)
    decision; the export's sentiment row takes an annotator's newest one, so disagreement
    between their targets would otherwise vanish without a trace.
    """
    newest: dict[tuple, str] = {}
    for e in events:  # oldest first: the newest per (statement, annotator, target) wins
        if e[E_SENTIMENT] is not None:
            newest[(e[E_STATEMENT], e[E_ANNOTATOR], e[E_TARGET])] = e[E_SENTIMENT]
    labels: dict[tuple[int, int], set] = {}
    for (sid, annotator, _), label in newest.items():
        labels.setdefault((sid, annotator), set()).add(label)
    out: dict[int, list[str]] = {}
    for (sid, annotator), seen in labels.items():
        if len(seen) > 1:
            out.setdefault(sid, []).append(names[annotator])
    return {sid: sorted(found) for sid, found in out.items()}


class Reader:
    """Iterate (statement row, items) in export order; an item is
    (task, target text, events newest-per-annotator by annotator name, gold row, newest prediction row,
    flag rows newest per annotator and target by annotator name and target text, not_a_statement).

    `names` maps annotator ids to names; `preds` maps the current chunk's prediction ids to rows
    (for the pre-label an event points at); `conflicts` the chunk's statements whose sentiment an
    annotator gave differently under two targets (`sentiment_conflicts` counts the sentiment items
    yielded with one); `documents` (with `with_documents`) the chunk's documents' (title, url,
    published) by sha256.
    """

    def __init__(self, conn: Connection, tasks: tuple[str, ...] = TASKS, gold_only: bool = False,
                 chunk: int = CHUNK, collect: bool = False, with_documents: bool = False):
        for task in tasks:
            if task not in TASKS:
                raise WorkbenchError(f"unknown task: {task!r}")
        self.conn, self.tasks, self.gold_only, self.chunk = conn, tasks, gold_only, max(1, chunk)
        self.collect = collect  # collect young cycles after each chunk (for callers that pause the GC)
        self.names: dict[int, str] = dict(conn.execute(select(Annotator.id, Annotator.name)).all())
        self.targets: dict[int, str] = dict(conn.execute(select(Target.id, Target.text)).all())
        self._name_rank = {i: r for r, i in enumerate(sorted(self.names, key=self.names.__getitem__))}
        self._target_rank = {i: r for r, i in enumerate(sorted(self.targets, key=self.targets.__getitem__))}
        self.preds: dict[int, Any] = {}
        self.with_documents = with_documents
        self.documents: dict[str, tuple] = {}
        self.conflicts: dict[int, list[str]] = {}
        self.sentiment_conflicts = 0
        # the chunk's corrections and verdicts (db.corrections): the stored row of each corrected statement
        # (yielded with its current values), who added a statement, not-a-statement verdicts (names,
        # agreed), and not-about verdicts by (statement id, target text)
        self.corrected: dict[int, Any] = {}
        self.extracted: dict[int, Any] = {}
        self.added_by: dict[int, str] = {}
        self.verdicts: dict[int, tuple[list[str], bool]] = {}
        self.not_about: dict[tuple[int, str | None], list[str]] = {}

    def __iter__(self) -> Iterator[tuple[Any, list[tuple]]]:
        conn = self.conn
        streaming = conn.execution_options(stream_results=True, yield_per=self.chunk)
        events_q, preds_q, gold_q = events_query(), predictions_query(), gold_query()
        by_id_q, flags_q = predictions_by_id_query(), flags_query()
        not_about_q, added_q = not_about_query(), added_by_query()
        for part in streaming.execute(statements_query()).partitions(self.chunk):
            if self.collect:
                gc.collect(1)
            ids = {"ids": [s[0] for s in part]}
            events = conn.execute(events_q, ids).all()
            by_statement: dict[int, list] = {}
            for e in events:
                group = by_statement.get(e[0])
                if group is None:
                    by_statement[e[0]] = [e]
                else:
                    group.append(e)
            preds: dict[int, Any] = {}
            newest: dict[tuple, Any] = {}
            for p in conn.execute(preds_q, ids).all():
                preds[p[0]] = p
                newest[(p[P_STATEMENT], p[P_TARGET], p[P_TASK])] = p
            shown = {e[E_PRE["stance"]] for e in events} | {e[E_PRE["sentiment"]] for e in events}
            shown.discard(None)
            missing = sorted(shown.difference(preds))
            for at in range(0, len(missing), 1000):
                for p in conn.execute(by_id_q, {"ids": missing[at:at + 1000]}).all():
                    preds[p[0]] = p
            golds = {(g[0], g[1], g[2]): g for g in conn.execute(gold_q, ids).all()}
            flags: dict[int, dict[tuple, Any]] = {}
            for f in conn.execute(flags_q, ids).all():  # oldest first: the newest per (annotator, target) wins
                flags.setdefault(f[F_STATEMENT], {})[(f[F_ANNOTATOR], f[F_TARGET])] = f
            self.preds = preds
            self.conflicts = sentiment_conflicts(events, self.names) if "sentiment" in self.tasks else {}
            if self.with_documents:
                shas = sorted({s[2] for s in part})
                self.documents = {sha: _document_info(title, meta)
                                  for sha, title, meta in conn.execute(documents_query(), {"shas": shas}).all()}
            self._read_corrections(ids, not_about_q, added_q)
            not_about_targets: dict[int, set] = {}
            for sid, target in self.not_about:
                not_about_targets.setdefault(sid, set()).add(target)
            for s in part:
                items = self._items(s[0], by_statement.get(s[0], ()), golds, newest, flags.get(s[0], {}),
                                    not_about_targets.get(s[0], ()))
                if items:
                    yield self._current(s), items

    def _read_corrections(self, ids: dict, not_about_q, added_q) -> None:
        conn, names = self.conn, self.names
        self.corrected = current_corrections(conn, ids["ids"])
        self.extracted = {}
        self.verdicts = not_statement_verdicts(conn, ids["ids"])
        self.added_by = {sid: names[annotator] for sid, annotator in conn.execute(added_q, ids).all()}
        not_about: dict[tuple, set] = {}
        for sid, tid, annotator in conn.execute(not_about_q, ids).all():
            not_about.setdefault((sid, self.targets.get(tid)), set()).add(names[annotator])
        self.not_about = {key: sorted(found) for key, found in not_about.items()}

    def _current(self, s):
        """The statement row with its current (corrected) values; the stored one kept in `extracted`."""
        fixed = self.corrected.get(s[0])
        if fixed is None:
            return s
        self.extracted[s[0]] = s
        return (s[0], s[1], s[2], fixed.start, fixed.end, fixed.text, fixed.speaker, fixed.speaker_role,
                fixed.speaker_type, s[9], s[10], fixed.speaker_id)

    def _newest_per_annotator(self, events: dict) -> list:
        if len(events) == 1:
            return list(events.values())
        rank = self._name_rank
        return sorted(events.values(), key=lambda e: rank[e[E_ANNOTATOR]])

    def _sorted_flags(self, flags) -> list:
        if not flags:
            return _NO_FLAGS
        if len(flags) < 2:
            return list(flags)
        names, targets = self._name_rank, self._target_rank
        return sorted(flags, key=lambda f: (names[f[F_ANNOTATOR]], targets.get(f[F_TARGET], -1)))

    def _items(self, sid: int, events, golds: dict, newest: dict, flags: dict, not_about=()) -> list[tuple]:
        items = []
        verdict = sid in self.verdicts
        not_statement = verdict or (
            bool(flags) and any(NOT_A_STATEMENT in reason_list(f[F_REASONS]) for f in flags.values()))
        gold_only = self.gold_only
        if gold_only and not_statement:
            return items
        if "stance" in self.tasks:
            groups: dict[Any, dict] = {}
            for e in events:
                if e[E_STANCE] is not None:
                    group = groups.get(e[E_TARGET])
                    if group is None:
                        groups[e[E_TARGET]] = {e[E_ANNOTATOR]: e}
                    else:
                        group[e[E_ANNOTATOR]] = e  # oldest first: the newest wins
            flags_by_target: dict[Any, list] = {}
            if not_about:  # an item judged not about its target, labelled by no one, still has its row
                text_ids = {text: tid for tid, text in self.targets.items()}
                for text in not_about:
                    groups.setdefault(text_ids.get(text), {})
            if flags:
                for f in flags.values():
                    if f[F_TARGET] is not None:
                        flags_by_target.setdefault(f[F_TARGET], []).append(f)
                        groups.setdefault(f[F_TARGET], {})  # a flagged item no one labelled still has its row
            order = groups if len(groups) < 2 else sorted(groups, key=lambda t: self._target_rank.get(t, -1))
            for tid in order:
                gold = golds.get((sid, tid, "stance"))
                if gold_only and gold is None:
                    continue
                items.append(("stance", self.targets.get(tid), self._newest_per_annotator(groups[tid]), gold,
                              newest.get((sid, tid, "stance")),
                              self._sorted_flags(flags_by_target.get(tid)) if flags else _NO_FLAGS,
                              not_statement))
        if "sentiment" in self.tasks:
            group = {}
            for e in events:
                if e[E_SENTIMENT] is not None:
                    group[e[E_ANNOTATOR]] = e
            gold = golds.get((sid, None, "sentiment"))
            if (group or flags or verdict) and not (gold_only and gold is None):
                items.append(("sentiment", None, self._newest_per_annotator(group), gold,
                              newest.get((sid, None, "sentiment")), self._sorted_flags(flags.values()),
                              not_statement))
                if sid in self.conflicts:
                    self.sentiment_conflicts += 1
        return items
