"""The annotation queue: which (statement, target) item an annotator sees next.

Everything here is scoped to ONE annotator: no query reads another annotator's labels, and a
blind queue never reads predictions at all. What annotators established about the statement
itself is shared (db.corrections): a statement agreed not to be one leaves every queue, and items
show the corrected span and speaker.

An item is done for an annotator when they hold a standing (not undone) label or flag on it;
a standing skip sends it to the end (the "skipped" phase, oldest skip first).

Orders:
- ``document``: reading order (document, start, end, target), paged with a keyset cursor on the
  ``uq_statement_span`` index so a page costs the same at item 10 and item 100 000;
- ``uncertainty``: smallest margin (top-1 minus top-2 probability) of the latest stance and
  sentiment predictions first, items without predictions last; computed once per session;
- ``random``: a keyed hash of (annotator, statement, target): stable across restarts.

Scope (QueueFilters): by default a (statement, target) pair is queued only when it is related: its newest
relatedness score is at or above the target's threshold (the gate's own verdict where the target has none;
a keyword of the target in the statement or its paragraph scores 1.0), or it has no score yet (nothing is
hidden before `prelabel` ran); `all_pairs` queues every pair.  A target scoped to documents (a glob) is
queued in those only.  Filters on document, speaker, speaker type, the model's label and confidence narrow
it further.  A blind queue never reads predictions, so it applies no relatedness gate and refuses the
prediction filters.  In a target under an assignment plan (`workbench assign`, db/assignment.py) only the items
assigned to this annotator are queued.  `workbench queue` prints exactly what this module yields.
"""
from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, NamedTuple

from sqlalchemy import and_, exists, false, func, or_, select, tuple_
from sqlalchemy.orm import Session, aliased

from db.assignment_scope import assigned_scope
from db.errors import StorageError
from db.corrections import current_corrections, out_of_queue
from db.decisions import standing_labels, stands
# filters and suggestions live in db/queue_filters.py; re-exported for the modules that import them from here
from db.queue_filters import (QueueFilters, Suggestion, filter_conditions, label_task,  # noqa: F401
                              latest_prediction, matching_documents, model_label, newest_suggestions,
                              within_confidence)
from db.schema import Decision, Document, Prediction, Statement, Target
from vocabulary import RELATEDNESS_TASK, UNRELATED

ORDERS = ("document", "uncertainty", "random")
DONE_ACTIONS = ("label", "flag", "not_about")


SCAN = 256  # rows read per step when a filter is checked in Python (--max-confidence)


class ItemKey(NamedTuple):
    statement_id: int
    target_id: int


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
    target_description: str | None = None
    relatedness: float | None = None  # the newest relatedness score of the pair (None: not scored, or blind)
    corrected: tuple[str, ...] = ()  # "span", "speaker": shown as corrected (db.corrections), not as extracted
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Progress:
    done: int
    total: int


def _standing(annotator_id: int, actions: Sequence[str], statement_col, target_col):
    """EXISTS a standing event of this annotator, with one of `actions`, on the outer item."""
    d = aliased(Decision)
    return exists().where(d.annotator_id == annotator_id, d.statement_id == statement_col,
                          d.target_id == target_col, d.action.in_(actions), stands(d))


class AnnotationQueue:
    """Pages of item keys for one annotator over some targets, in one order."""

    def __init__(self, annotator_id: int, annotator_name: str, target_ids: Sequence[int],
                 order: str = "document", blind: bool = False, filters: QueueFilters | None = None,
                 respect_assignments: bool = True):
        filters = filters or QueueFilters()
        if blind and filters.reads_predictions:
            raise StorageError("--label and --max-confidence read model predictions; they cannot be used with --blind")
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
        self.filters = filters
        self._conditions: list | None = None
        self._wrap_pending = False  # a search jump moved the cursor: the head comes back after the end
        self.respect_assignments = respect_assignments  # False: the pairs `assign` deals out (db/assignment.py)

    # -- scope -----------------------------------------------------------------------------

    def scope(self, session: Session) -> list:
        """SQL conditions on Statement (S) and Target (T) rows: which pairs this queue holds at all."""
        if self._conditions is None:
            self._conditions = self._build_scope(session)
        return self._conditions

    def _build_scope(self, session: Session) -> list:
        S, T, f = Statement, Target, self.filters
        out = filter_conditions(session, f, T.id)
        # statements agreed not to be statements, this annotator's own such verdicts, withdrawn additions
        out.append(S.id.not_in(out_of_queue(self.annotator_id)))
        targets = session.execute(select(T.id, T.documents).where(T.id.in_(self.target_ids))).all()
        globs = {tid: glob for tid, glob in targets if glob}
        if globs:
            sources = session.execute(select(Document.id, Document.source)).all()
            unscoped = [t for t in self.target_ids if t not in globs]
            out.append(or_(T.id.in_(unscoped) if unscoped else false(),
                           *(and_(T.id == t, S.document_id.in_(matching_documents(sources, g)))
                             for t, g in globs.items())))
        if not f.all_pairs and not self.blind:
            out.append(~exists(latest_prediction(RELATEDNESS_TASK, S.id, T.id).where(or_(
                and_(T.threshold.is_(None), Prediction.label == UNRELATED),
                and_(T.threshold.is_not(None), Prediction.score < T.threshold)))))
        if self.respect_assignments:  # a target under an assignment plan: only the items assigned to me
            out.extend(assigned_scope(session, self.annotator_id, self.target_ids, S.id, T.id))
        return out

    def _confident(self, session: Session, keys: list[ItemKey]) -> list[ItemKey]:
        return within_confidence(session, keys, self.filters.max_confidence)

    def jump_to(self, key: ItemKey, document_id: int, start: int, end: int) -> None:
        """Go on from `key` (a search result the annotator picked): the queue continues after it, and the
        items before it (and the ones buffered) come back once the end is reached."""
        if self.order == "document":
            self._wrap_pending = True
            self._cursor = (document_id, start, end, key.target_id)
            self._main_done = False
            return
        if self._ordered is None:
            return
        try:
            self._pos = self._ordered.index(key) + 1
        except ValueError:
            return
        self._wrap_pending = True
        self._main_done = False

    def revisit(self) -> None:
        """Items appeared (a statement an annotator added): read the queue again, also before the
        cursor, once the rest is done (as after a search jump)."""
        if self.order == "document":
            self._wrap_pending, self._main_done = True, False
        else:
            self._ordered, self._pos, self._main_done = None, 0, False

    # -- keys ------------------------------------------------------------------------------

    def next_keys(self, session: Session, n: int, exclude: Iterable[ItemKey] = ()) -> list[ItemKey]:
        """Up to n keys not done by this annotator; skipped ones once the rest run out."""
        exclude = set(exclude)
        keys: list[ItemKey] = []
        if not self._main_done:
            page = self._main_page(session, n, exclude)
            if len(page) < n and self._wrap_pending:  # after a search jump: back to the head once
                self._wrap_pending, self._cursor, self._pos = False, None, 0
                page += self._main_page(session, n - len(page), exclude | set(page))
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
        done = self._drop_done(session, out)
        if len(done) < len(out) and self._pos < len(self._ordered):
            done += self._main_page(session, n - len(done), exclude | set(done))
        return done

    def _document_page(self, session: Session, n: int, exclude: set[ItemKey]) -> list[ItemKey]:
        out: list[ItemKey] = []
        # excluded keys (the UI's buffer) sit just ahead of the cursor; more of them, or rows --max-confidence
        # drops, are read in further steps
        step = n + min(len(exclude), SCAN)
        if self.filters.max_confidence is not None:  # read ahead, as some rows will be dropped; not too far
            step = max(step, min(SCAN, 4 * n + 16))
        while len(out) < n:
            rows = self._document_rows(session, step)
            if not rows:
                break
            scanned: list[ItemKey] = []
            for sid, tid, d, s, e in rows:
                self._cursor = (d, s, e, tid)
                if ItemKey(sid, tid) not in exclude:
                    scanned.append(ItemKey(sid, tid))
            for key in self._confident(session, scanned):
                out.append(key)
                if len(out) == n:
                    # later rows of this step were read but not taken: go back to the last one taken
                    row = next(r for r in rows if (r[0], r[1]) == key)
                    self._cursor = (row[2], row[3], row[4], row[1])
                    return out
            if len(rows) < step:
                break
        return out

    def _document_rows(self, session: Session, limit: int) -> list:
        """The next `limit` open pairs in scope after the cursor, in reading order."""
        S, T = Statement, Target
        base = (select(S.id, T.id, S.document_id, S.start, S.end).select_from(S)
                .join(T, T.id.in_(self.target_ids))
                .where(~_standing(self.annotator_id, DONE_ACTIONS + ("skip",), S.id, T.id), *self.scope(session))
                .order_by(S.document_id, S.start, S.end, T.id).limit(limit))
        if self._cursor is None:
            return session.execute(base).all()
        # two range queries, each one index range scan: the rest of the cursor's statement,
        # then the statements after it (a row-value range on uq_statement_span)
        d, s, e, t = self._cursor
        rows = session.execute(base.where(S.document_id == d, S.start == s, S.end == e, T.id > t)).all()
        if len(rows) < limit:
            rows += session.execute(base.where(tuple_(S.document_id, S.start, S.end) > tuple_(d, s, e))
                                    .limit(limit - len(rows))).all()
        return rows

    def _all_open_keys(self, session: Session) -> list[ItemKey]:
        S, T, D = Statement, Target, Decision
        # the annotator's own handled items are few next to the corpus: filter them in Python
        handled = {ItemKey(s, t) for s, t in session.execute(
            select(D.statement_id, D.target_id).where(
                D.annotator_id == self.annotator_id, D.target_id.in_(self.target_ids),
                D.action.in_(DONE_ACTIONS + ("skip",)), stands(D)))}
        rows = session.execute(select(S.id, T.id).select_from(S).join(T, T.id.in_(self.target_ids))
                               .where(*self.scope(session)))
        return self._confident(session, [key for key in map(ItemKey._make, rows) if key not in handled])

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
        D, S, T = Decision, Statement, Target
        rows = session.execute(
            select(D.statement_id, D.target_id, func.max(D.id).label("last"))
            .join(S, S.id == D.statement_id).join(T, T.id == D.target_id)
            .where(D.annotator_id == self.annotator_id, D.action == "skip", D.target_id.in_(self.target_ids),
                   stands(D), ~_standing(self.annotator_id, DONE_ACTIONS, D.statement_id, D.target_id),
                   *self.scope(session))
            .group_by(D.statement_id, D.target_id).order_by("last").limit(n + len(exclude)))
        out = [ItemKey(s, t) for s, t, _ in rows if ItemKey(s, t) not in exclude]
        return self._confident(session, out)[:n]

    def _drop_done(self, session: Session, keys: list[ItemKey]) -> list[ItemKey]:
        if not keys:
            return keys
        D = Decision
        done = {ItemKey(s, t) for s, t in session.execute(
            select(D.statement_id, D.target_id).where(
                D.annotator_id == self.annotator_id, D.statement_id.in_({k.statement_id for k in keys}),
                D.action.in_(DONE_ACTIONS + ("skip",)), stands(D)))}
        return [k for k in keys if k not in done]

    def search(self, session: Session, text: str, limit: int = 50) -> list[ItemKey]:
        """Open items whose statement text, speaker or document title contains `text`."""
        S, T = Statement, Target
        pattern = f"%{text.strip()}%"
        rows = session.execute(
            select(S.id, T.id).select_from(S).join(Document, Document.id == S.document_id)
            .join(T, T.id.in_(self.target_ids))
            .where(or_(S.text.ilike(pattern), S.speaker.ilike(pattern), Document.title.ilike(pattern)))
            .where(~_standing(self.annotator_id, DONE_ACTIONS, S.id, T.id), *self.scope(session))
            .order_by(S.document_id, S.start, S.end, T.id).limit(limit))
        return self._confident(session, [ItemKey(s, t) for s, t in rows])

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
        targets = {tid: (text, description) for tid, text, description in session.execute(
            select(Target.id, Target.text, Target.description).where(Target.id.in_({k.target_id for k in keys})))}
        docs = self._documents(session, {row.document_id for row in stmts.values()})
        suggestions = {} if self.blind else self._suggestions(session, keys)
        relatedness = {} if self.blind else self._relatedness(session, keys)
        own = self._own_sentiments(session, sids)
        skipped = self._skipped(session, sids)
        corrections = current_corrections(session, sids)
        items = []
        for key in keys:
            row = stmts.get(key.statement_id)
            if row is None or key.target_id not in targets:
                continue
            title, source, text = docs[row.document_id]
            fixed = corrections.get(key.statement_id)
            if fixed is not None:  # what annotators corrected, shown instead of what was extracted
                row = SimpleNamespace(**{**row._asdict(), "start": fixed.start, "end": fixed.end, "text": fixed.text,
                                         "speaker": fixed.speaker, "speaker_role": fixed.speaker_role,
                                         "speaker_type": fixed.speaker_type})
            items.append(QueueItem(
                key=key, target_text=targets[key.target_id][0], target_description=targets[key.target_id][1],
                relatedness=relatedness.get(key), document_id=row.document_id, document_title=title,
                document_source=source, document_text=text, start=row.start, end=row.end, text=row.text,
                speaker=row.speaker, speaker_role=row.speaker_role, speaker_type=row.speaker_type, kind=row.kind,
                cue=row.cue, stance=suggestions.get((key.statement_id, "stance", key.target_id)),
                sentiment=suggestions.get((key.statement_id, "sentiment", None)),
                own_sentiment=own.get(key.statement_id), skipped_before=key in skipped,
                corrected=() if fixed is None else tuple(
                    name for name, done in (("span", fixed.span_fixed), ("speaker", fixed.speaker_fixed)) if done)))
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
        return newest_suggestions(session, keys)

    def _relatedness(self, session: Session, keys: Sequence[ItemKey]) -> dict[ItemKey, float]:
        P = Prediction
        out: dict[ItemKey, float] = {}
        wanted = set(keys)
        for sid, tid, score in session.execute(
                select(P.statement_id, P.target_id, P.score).where(
                    P.statement_id.in_({k.statement_id for k in keys}), P.task == RELATEDNESS_TASK).order_by(P.id)):
            if (sid, tid) in wanted and score is not None:
                out[ItemKey(sid, tid)] = float(score)  # newest wins
        return out

    def _own_sentiments(self, session: Session, sids: set[int]) -> dict[int, str]:
        current = standing_labels(self.annotator_id, "sentiment", sids)
        return {d.statement_id: d.sentiment for d in session.scalars(current)}

    def _skipped(self, session: Session, sids: set[int]) -> set[ItemKey]:
        D = Decision
        rows = session.execute(
            select(D.statement_id, D.target_id).where(
                D.annotator_id == self.annotator_id, D.statement_id.in_(sids), D.action == "skip", stands(D)))
        return {ItemKey(s, t) for s, t in rows}

    # -- progress --------------------------------------------------------------------------

    def progress(self, session: Session) -> Progress:
        D, S, T = Decision, Statement, Target
        scope = self.scope(session)
        if scope:  # pairs in scope (--max-confidence, checked in Python, is not counted here)
            total = session.scalar(select(func.count()).select_from(S).join(T, T.id.in_(self.target_ids))
                                   .where(*scope)) or 0
        else:
            total = (session.scalar(select(func.count()).select_from(S)) or 0) * len(self.target_ids)
        done_items = (select(D.statement_id, D.target_id)
                      .join(S, S.id == D.statement_id).join(T, T.id == D.target_id).where(
            D.annotator_id == self.annotator_id, D.target_id.in_(self.target_ids), D.action.in_(DONE_ACTIONS),
            stands(D), *scope).distinct().subquery())
        done = session.scalar(select(func.count()).select_from(done_items)) or 0
        return Progress(done=done, total=total)
