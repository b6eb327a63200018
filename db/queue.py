"""The annotation queue: which (statement, target) item an annotator sees next.

Everything here is scoped to ONE annotator: no query reads another annotator's decisions,
and a blind queue never reads predictions at all.

An item is done for an annotator when they hold a standing (not undone) label or flag on it;
a standing skip sends it to the end (the "skipped" phase, oldest skip first).

Orders:
- ``document``: reading order (document, start, end, target), paged with a keyset cursor on the
  ``uq_statement_span`` index so a page costs the same at item 10 and item 100 000;
- ``uncertainty``: smallest margin (top-1 minus top-2 probability) of the latest stance and
  sentiment predictions first, items without predictions last; computed once per session;
- ``random``: a keyed hash of (annotator, statement, target): stable across restarts.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import exists, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from db.errors import StorageError
from db.decisions import withdrawn_by_undo
from db.schema import Decision, Document, Prediction, Statement, Target

ORDERS = ("document", "uncertainty", "random")
DONE_ACTIONS = ("label", "flag")


class ItemKey(NamedTuple):
    statement_id: int
    target_id: int


def model_label(name: str, version: str, precision: str | None) -> str:
    """'mpnet-lora-stance 2.1.1 · bf16': the precision where it was recorded (a near-tie can differ by it)."""
    return f"{name} {version}" + (f" · {precision}" if precision else "")


@dataclass(frozen=True)
class Suggestion:
    prediction_id: int
    label: str
    probabilities: dict[str, float]
    model: str  # what the UI shows: model_label(name, version, precision)

    @property
    def confidence(self) -> float:
        return float(self.probabilities.get(self.label, 0.0))


@dataclass
class QueueItem:
    """Everything the screen needs to show one item; offsets index ``document_text``."""

    key: ItemKey
    target_text: str
    document_id: int
    document_title: str | None
    document_source: str
    document_text: str
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_role: str | None
    speaker_type: str
    kind: str
    cue: str | None
    stance: Suggestion | None = None
    sentiment: Suggestion | None = None
    own_sentiment: str | None = None  # this annotator's standing sentiment for the statement
    skipped_before: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


def _standing(annotator_id: int, actions: Sequence[str], statement_col, target_col):
    """EXISTS a standing event of this annotator, with one of `actions`, on the outer item."""
    d = aliased(Decision)
    return exists().where(d.annotator_id == annotator_id, d.statement_id == statement_col,
                          d.target_id == target_col, d.action.in_(actions), ~_withdrawn(d))


def _withdrawn(row):
    return exists(withdrawn_by_undo(row))


class AnnotationQueue:
    """Pages of item keys for one annotator over some targets, in one order."""

    def __init__(self, annotator_id: int, annotator_name: str, target_ids: Sequence[int],
                 order: str = "document", blind: bool = False):
        if order not in ORDERS:
            raise StorageError(f"unknown order {order!r} (expected one of {', '.join(ORDERS)})")
        if order == "uncertainty" and blind:
            raise StorageError("--order uncertainty reads model predictions; it cannot be used with --blind")
        if not target_ids:
            raise StorageError("no targets to annotate")
        self.annotator_id = annotator_id
        self.annotator_name = annotator_name
        self.target_ids = tuple(target_ids)
        self.order = order
        self.blind = blind
        self._cursor: tuple[int, int, int, int] | None = None
        self._main_done = False
        self._ordered: list[ItemKey] | None = None
        self._pos = 0
        self._docs: OrderedDict[int, str] = OrderedDict()

    # -- keys ------------------------------------------------------------------------------

    def next_keys(self, session: Session, n: int, exclude: Iterable[ItemKey] = ()) -> list[ItemKey]:
        """Up to n keys not done by this annotator; skipped ones once the rest run out."""
        exclude = set(exclude)
        keys: list[ItemKey] = []
        if not self._main_done:
            page = self._main_page(session, n, exclude)
            keys.extend(page)
            if len(page) < n:
                self._main_done = True
        if len(keys) < n:
            keys.extend(self._skipped_page(session, n - len(keys), exclude | set(keys)))
        return keys

    def _main_page(self, session: Session, n: int, exclude: set[ItemKey]) -> list[ItemKey]:
        if self.order == "document":
            return self._document_page(session, n, exclude)
        if self._ordered is None:
            self._ordered = self._build_order(session)
        out: list[ItemKey] = []
        while self._pos < len(self._ordered) and len(out) < n:
            key = self._ordered[self._pos]
            self._pos += 1
            if key not in exclude:
                out.append(key)
        # the list was built at session start; drop what got done since (another terminal)
        return self._drop_done(session, out)

    def _document_page(self, session: Session, n: int, exclude: set[ItemKey]) -> list[ItemKey]:
        S, T = Statement, Target
        base = (select(S.id, T.id, S.document_id, S.start, S.end).select_from(S)
                .join(T, T.id.in_(self.target_ids))
                .where(~_standing(self.annotator_id, DONE_ACTIONS + ("skip",), S.id, T.id))
                .order_by(S.document_id, S.start, S.end, T.id).limit(n + len(exclude)))
        queries = [base]
        if self._cursor is not None:
            # two range queries, each one index range scan: the rest of the cursor's statement,
            # then the statements after it (a row-value range on uq_statement_span)
            d, s, e, t = self._cursor
            queries = [base.where(S.document_id == d, S.start == s, S.end == e, T.id > t),
                       base.where(tuple_(S.document_id, S.start, S.end) > tuple_(d, s, e))]
        out: list[ItemKey] = []
        for query in queries:
            for sid, tid, d, s, e in session.execute(query):
                self._cursor = (d, s, e, tid)
                if ItemKey(sid, tid) not in exclude:
                    out.append(ItemKey(sid, tid))
                if len(out) == n:
                    return out
        return out

    def _all_open_keys(self, session: Session) -> list[ItemKey]:
        S, T, D = Statement, Target, Decision
        # the annotator's own handled items are few next to the corpus: filter them in Python
        handled = {ItemKey(s, t) for s, t in session.execute(
            select(D.statement_id, D.target_id).where(
                D.annotator_id == self.annotator_id, D.target_id.in_(self.target_ids),
                D.action.in_(DONE_ACTIONS + ("skip",)), ~_withdrawn(D)))}
        rows = session.execute(select(S.id, T.id).select_from(S).join(T, T.id.in_(self.target_ids)))
        return [key for key in map(ItemKey._make, rows) if key not in handled]

    def _build_order(self, session: Session) -> list[ItemKey]:
        keys = self._all_open_keys(session)
        if self.order == "random":
            salt = self.annotator_name.encode()

            def rank(key: ItemKey) -> bytes:
                return hashlib.blake2b(b"%d:%d" % key, digest_size=8, key=salt[:64]).digest()

            return sorted(keys, key=rank)
        margins = self.margins(session)
        return sorted(keys, key=lambda k: (margins.get(k, 2.0), k))

    def margins(self, session: Session) -> dict[ItemKey, float]:
        """min(stance margin, sentiment margin) of the latest predictions, per item in scope."""
        if self.blind:
            raise StorageError("a blind queue never reads predictions")
        P = Prediction
        latest = (select(func.max(P.id).label("id")).where(or_(P.target_id.in_(self.target_ids), P.target_id.is_(None)))
                  .group_by(P.statement_id, P.task, P.target_id).subquery())
        stance: dict[ItemKey, float] = {}
        sentiment: dict[int, float] = {}
        for sid, tid, task, margin in session.execute(
                select(P.statement_id, P.target_id, P.task, P.margin).join(latest, latest.c.id == P.id)):
            margin = 2.0 if margin is None else margin
            if task == "stance" and tid is not None:
                stance[ItemKey(sid, tid)] = margin
            elif task == "sentiment":
                sentiment[sid] = margin
        out = {}
        for key, m in stance.items():
            out[key] = min(m, sentiment.get(key.statement_id, m))
        for t in self.target_ids:
            for sid, m in sentiment.items():
                out.setdefault(ItemKey(sid, t), m)
        return out

    def _skipped_page(self, session: Session, n: int, exclude: set[ItemKey]) -> list[ItemKey]:
        D = Decision
        rows = session.execute(
            select(D.statement_id, D.target_id, func.max(D.id).label("last"))
            .where(D.annotator_id == self.annotator_id, D.action == "skip", D.target_id.in_(self.target_ids),
                   ~_withdrawn(D), ~_standing(self.annotator_id, DONE_ACTIONS, D.statement_id, D.target_id))
            .group_by(D.statement_id, D.target_id).order_by("last").limit(n + len(exclude)))
        out = [ItemKey(s, t) for s, t, _ in rows if ItemKey(s, t) not in exclude]
        return out[:n]

    def _drop_done(self, session: Session, keys: list[ItemKey]) -> list[ItemKey]:
        if not keys:
            return keys
        D = Decision
        done = {ItemKey(s, t) for s, t in session.execute(
            select(D.statement_id, D.target_id).where(
                D.annotator_id == self.annotator_id, D.statement_id.in_({k.statement_id for k in keys}),
                D.action.in_(DONE_ACTIONS + ("skip",)), ~_withdrawn(D)))}
        return [k for k in keys if k not in done]

    def search(self, session: Session, text: str, limit: int = 50) -> list[ItemKey]:
        """Open items whose statement text, speaker or document title contains `text`."""
        S, T = Statement, Target
        pattern = f"%{text.strip()}%"
        rows = session.execute(
            select(S.id, T.id).select_from(S).join(Document, Document.id == S.document_id)
            .join(T, T.id.in_(self.target_ids))
            .where(or_(S.text.ilike(pattern), S.speaker.ilike(pattern), Document.title.ilike(pattern)))
            .where(~_standing(self.annotator_id, DONE_ACTIONS, S.id, T.id))
            .order_by(S.document_id, S.start, S.end, T.id).limit(limit))
        return [ItemKey(s, t) for s, t in rows]

    # -- items -----------------------------------------------------------------------------

    def load(self, session: Session, keys: Sequence[ItemKey]) -> list[QueueItem]:
        """Display data for keys, in the same order; keys whose statement vanished are dropped."""
        if not keys:
            return []
        sids = {k.statement_id for k in keys}
        S = Statement
        stmts = {row.id: row for row in session.execute(
            select(S.id, S.document_id, S.start, S.end, S.text, S.speaker, S.speaker_role, S.speaker_type,
                   S.kind, S.cue).where(S.id.in_(sids)))}
        targets = dict(session.execute(select(Target.id, Target.text).where(Target.id.in_({k.target_id for k in keys}))).all())
        docs = self._documents(session, {row.document_id for row in stmts.values()})
        suggestions = {} if self.blind else self._suggestions(session, keys)
        own = self._own_sentiments(session, sids)
        skipped = self._skipped(session, sids)
        items = []
        for key in keys:
            row = stmts.get(key.statement_id)
            if row is None or key.target_id not in targets:
                continue
            title, source, text = docs[row.document_id]
            items.append(QueueItem(
                key=key, target_text=targets[key.target_id], document_id=row.document_id, document_title=title,
                document_source=source, document_text=text, start=row.start, end=row.end, text=row.text,
                speaker=row.speaker, speaker_role=row.speaker_role, speaker_type=row.speaker_type, kind=row.kind,
                cue=row.cue, stance=suggestions.get((key.statement_id, "stance", key.target_id)),
                sentiment=suggestions.get((key.statement_id, "sentiment", None)),
                own_sentiment=own.get(key.statement_id), skipped_before=key in skipped))
        return items

    def _documents(self, session: Session, doc_ids: set[int]) -> dict[int, tuple[str | None, str, str]]:
        missing = [d for d in doc_ids if d not in self._docs]
        if missing:
            for did, title, source, text in session.execute(
                    select(Document.id, Document.title, Document.source, Document.text).where(Document.id.in_(missing))):
                self._docs[did] = (title, source, text)
                while len(self._docs) > 64:
                    self._docs.popitem(last=False)
        for d in doc_ids:
            self._docs.move_to_end(d)
        return {d: self._docs[d] for d in doc_ids}

    def _suggestions(self, session: Session, keys: Sequence[ItemKey]) -> dict[tuple, Suggestion]:
        P = Prediction
        wanted = {(k.statement_id, "stance", k.target_id) for k in keys} | {(k.statement_id, "sentiment", None) for k in keys}
        out: dict[tuple, Suggestion] = {}
        rows = session.execute(
            select(P.id, P.statement_id, P.task, P.target_id, P.label, P.probabilities, P.model_name, P.model_version,
                   P.precision)
            .where(P.statement_id.in_({k.statement_id for k in keys})).order_by(P.id))
        for pid, sid, task, tid, label, probs, name, version, precision in rows:
            if (sid, task, tid) in wanted:  # newest wins: rows come in id order
                out[(sid, task, tid)] = Suggestion(pid, label, {k: float(v) for k, v in (probs or {}).items()},
                                                   model_label(name, version, precision))
        return out

    def _own_sentiments(self, session: Session, sids: set[int]) -> dict[int, str]:
        D = Decision
        rows = session.execute(
            select(D.statement_id, D.sentiment).where(
                D.annotator_id == self.annotator_id, D.statement_id.in_(sids), D.action == "label",
                D.sentiment.is_not(None), ~_withdrawn(D)).order_by(D.id))
        return {sid: sentiment for sid, sentiment in rows}

    def _skipped(self, session: Session, sids: set[int]) -> set[ItemKey]:
        D = Decision
        rows = session.execute(
            select(D.statement_id, D.target_id).where(
                D.annotator_id == self.annotator_id, D.statement_id.in_(sids), D.action == "skip", ~_withdrawn(D)))
        return {ItemKey(s, t) for s, t in rows}

    # -- progress --------------------------------------------------------------------------

    def progress(self, session: Session) -> Progress:
        D = Decision
        total = (session.scalar(select(func.count()).select_from(Statement)) or 0) * len(self.target_ids)
        done_items = (select(D.statement_id, D.target_id).where(
            D.annotator_id == self.annotator_id, D.target_id.in_(self.target_ids), D.action.in_(DONE_ACTIONS),
            ~_withdrawn(D)).distinct().subquery())
        done = session.scalar(select(func.count()).select_from(done_items)) or 0
        return Progress(done=done, total=total)
