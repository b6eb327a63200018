"""The decision log: append events, undo by appending, and read current labels from it."""
from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, func, insert, select
from sqlalchemy.exc import StatementError
from sqlalchemy.orm import Session, aliased

from db.errors import StorageError, first_line
from db.plaintext import clean_text
from db.schema import Annotator, Decision, utcnow
# NOT_A_STATEMENT: the flag reason that says a span is not a statement at all (its labels are no example of
# anything, so gold exports and training leave the statement out); re-exported here for db/'s callers.
from vocabulary import (  # noqa: F401
    CORRECTION_ACTIONS,
    DECISION_ACTIONS,
    NOT_A_STATEMENT,
    NOT_ABOUT,
    REASON_CODES,
    SENTIMENT_LABELS,
    STANCE_LABELS,
    TASKS,
)

UNDOABLE = ("label", "skip", "flag", NOT_ABOUT) + CORRECTION_ACTIONS


@dataclass(frozen=True)
class NewDecision:
    statement_id: int
    target_id: int | None
    action: str = "label"
    stance: str | None = None
    sentiment: str | None = None
    stance_prediction_id: int | None = None
    sentiment_prediction_id: int | None = None
    accepted_as_is: bool | None = None
    suggestions_shown: bool = True
    duration_ms: int | None = None
    reason_codes: tuple[str, ...] = ()
    note: str | None = None
    order_mode: str | None = None
    source: str = "ui"
    created_at: datetime | None = None


def validate(decision: NewDecision) -> None:
    if decision.action not in DECISION_ACTIONS or decision.action == "undo":
        raise StorageError(f"unknown decision action: {decision.action!r}")
    if decision.action in CORRECTION_ACTIONS:
        raise StorageError(f"{decision.action} is a correction: db.corrections records it")
    if decision.stance is not None and decision.stance not in STANCE_LABELS:
        raise StorageError(f"unknown stance label: {decision.stance!r} (expected one of {', '.join(STANCE_LABELS)})")
    if decision.sentiment is not None and decision.sentiment not in SENTIMENT_LABELS:
        raise StorageError(
            f"unknown sentiment label: {decision.sentiment!r} (expected one of {', '.join(SENTIMENT_LABELS)})")
    if decision.action == "not_about" and (decision.target_id is None or decision.stance is not None):
        raise StorageError("'not about this target' needs a target and carries no stance")
    if decision.stance is not None and decision.target_id is None:
        raise StorageError("a stance label needs a target")
    unknown = set(decision.reason_codes) - set(REASON_CODES)
    if unknown:
        raise StorageError(f"unknown reason code(s): {', '.join(sorted(unknown))}")
    if decision.action == "label" and decision.stance is None and decision.sentiment is None:
        raise StorageError("a label decision needs a stance or a sentiment")


def record(session: Session, annotator: Annotator, decision: NewDecision) -> Decision:
    """Append one event. The caller's transaction commit is the acknowledgement."""
    validate(decision)
    fields = {k: v for k, v in decision.__dict__.items() if v is not None or k in ("stance", "sentiment")}
    fields["reason_codes"] = list(decision.reason_codes)
    if decision.note is not None:  # typed or pasted in the UI, or from a file: printed later
        fields["note"] = clean_text(decision.note)
    if decision.created_at is None:
        fields.pop("created_at", None)
    row = Decision(annotator_id=annotator.id, **fields)
    session.add(row)
    session.flush()
    return row


def withdrawn_by_undo(row=Decision) -> Select:
    """The undo events that withdraw `row` (Decision or an alias of it); use with exists()."""
    undo = aliased(Decision)
    return select(undo.id).where(undo.action == "undo", undo.supersedes_id == row.id)


def stands(row=Decision) -> ColumnElement[bool]:
    """The undo rule, written once: an event stands unless an undo event withdraws it.

    Every query of the log that asks what stands (current labels, flags, skips, done items,
    counts) puts this condition on `row` (Decision or an alias of it)."""
    return ~exists(withdrawn_by_undo(row))


def last_undoable(session: Session, annotator: Annotator) -> Decision | None:
    return session.scalars(
        select(Decision).where(Decision.annotator_id == annotator.id, Decision.action.in_(UNDOABLE),
                               stands())
        .order_by(Decision.id.desc()).limit(1)).first()


def undo_last(session: Session, annotator: Annotator) -> Decision | None:
    """Withdraw this annotator's latest standing event; returns the event withdrawn, or None."""
    last = last_undoable(session, annotator)
    if last is None:
        return None
    session.add(Decision(annotator_id=annotator.id, statement_id=last.statement_id, target_id=last.target_id,
                         action="undo", supersedes_id=last.id, source="ui"))
    session.flush()
    return last


def standing_labels(annotator_id: int | None = None, task: str | None = None,
                    statement_ids: Collection[int] | None = None) -> Select:
    """Each annotator's current label event per item: the newest label event not undone.
    THE current-label query: agreement, training, adjudication, the queue and import read labels through it.

    For stance the item is (statement, target); sentiment belongs to the statement, so its
    current value is the newest standing event that set a sentiment, whatever the target.
    `statement_ids` narrows it to some statements (cheap: each item's events are all on one statement).
    Returns rows of (Decision) ordered by nothing in particular.
    """
    conditions = [Decision.action == "label", stands()]
    if annotator_id is not None:
        conditions.append(Decision.annotator_id == annotator_id)
    if statement_ids is not None:
        conditions.append(Decision.statement_id.in_(set(statement_ids)))
    if task == "stance":
        partition = (Decision.annotator_id, Decision.statement_id, Decision.target_id)
        conditions.append(Decision.stance.is_not(None))
    elif task == "sentiment":
        partition = (Decision.annotator_id, Decision.statement_id)
        conditions.append(Decision.sentiment.is_not(None))
    else:
        partition = (Decision.annotator_id, Decision.statement_id, Decision.target_id)
    rank = func.row_number().over(partition_by=partition, order_by=Decision.id.desc()).label("rank")
    ranked = select(Decision.id, rank).where(and_(*conditions)).subquery()
    return select(Decision).join(ranked, ranked.c.id == Decision.id).where(ranked.c.rank == 1)


def statements_flagged(session: Session, reason: str = NOT_A_STATEMENT) -> set[int]:
    """Statements with a standing flag (any annotator, any target) that gives `reason`.
    Flags are few, and reason codes are JSON (no portable SQL containment test): filtered here."""
    rows = session.execute(select(Decision.statement_id, Decision.reason_codes)
                           .where(Decision.action == "flag", stands()))
    return {statement_id for statement_id, codes in rows if reason in (codes or ())}


def standing_flag(session: Session, annotator_id: int, statement_id: int,
                  target_id: int | None) -> tuple[tuple[str, ...], str | None] | None:
    """(reason codes, note) of the annotator's newest standing flag on the item, or None."""
    query = select(Decision.reason_codes, Decision.note).where(
        Decision.annotator_id == annotator_id, Decision.statement_id == statement_id, Decision.action == "flag",
        Decision.target_id.is_(None) if target_id is None else Decision.target_id == target_id, stands())
    found = session.execute(query.order_by(Decision.id.desc()).limit(1)).first()
    return None if found is None else (tuple(found[0] or ()), found[1])


def current_labels(session: Session, task: str, annotator_id: int | None = None) -> Iterable[Decision]:
    yield from session.scalars(standing_labels(annotator_id, task).execution_options(yield_per=2000))


Content = tuple  # (label, note, reason codes as a tuple) of a standing label


class RowRefused(StorageError):
    """The database refused one of a batch's rows (a value it cannot store); `origin` says which
    (what the caller passed with it to `record`, e.g. a file's line number)."""

    def __init__(self, origin: object, reason: str):
        super().__init__(reason)
        self.origin = origin


class DecisionBatch:
    """Many decisions appended in the caller's one transaction, fast (a file import): rows are
    inserted a chunk at a time with one executemany instead of an ORM flush each, and "what
    stands" for an (annotator, item, task) is answered from memory where it can be.

    `standing(...)` answers as `standing_labels` defines it: the newest label event no undo
    withdrew, per (statement, target) for stance and per statement for sentiment. A label
    appended through the batch is the newest for its item (nothing here appends undos), so it
    is remembered and answers later questions at once. Otherwise the first questions about an
    annotator are one indexed query each; past `preload_after` of them the annotator's standing
    labels are all read in one pass, so a big import costs one scan per annotator, not a query
    per line, and a small one never reads more than it asks about.
    """

    def __init__(self, session: Session, chunk: int = 5_000, preload_after: int = 200):
        self.session = session
        self.chunk = chunk
        self.preload_after = preload_after
        self.written = 0
        self._rows: list[dict] = []
        self._origins: list[object] = []
        self._known: dict[tuple, Content | None] = {}  # (task, annotator, statement[, target]) → content
        self._loaded: set[int] = set()           # annotators whose standing labels are all in _known
        self._asked: dict[int, int] = {}
        self._one_item = {task: self._one_item_query(task) for task in TASKS}

    @staticmethod
    def _key(task: str, annotator_id: int, statement_id: int, target_id: int | None) -> tuple:
        return (task, annotator_id, statement_id, target_id) if task == "stance" else (task, annotator_id, statement_id)

    @staticmethod
    def _one_item_query(task: str) -> Select:
        column = Decision.stance if task == "stance" else Decision.sentiment
        query = select(column, Decision.note, Decision.reason_codes).where(
            Decision.annotator_id == bindparam("annotator_id"), Decision.statement_id == bindparam("statement_id"),
            Decision.action == "label", column.is_not(None), stands())
        if task == "stance":
            query = query.where(Decision.target_id == bindparam("target_id"))
        return query.order_by(Decision.id.desc()).limit(1)

    def standing(self, annotator_id: int, statement_id: int, target_id: int | None, task: str) -> Content | None:
        key = self._key(task, annotator_id, statement_id, target_id)
        if key in self._known or annotator_id in self._loaded:
            return self._known.get(key)
        asked = self._asked[annotator_id] = self._asked.get(annotator_id, 0) + 1
        if asked > self.preload_after:
            self._preload(annotator_id)
            return self._known.get(key)
        found = self.session.execute(self._one_item[task], {
            "annotator_id": annotator_id, "statement_id": statement_id, "target_id": target_id}).first()
        content = self._known[key] = None if found is None else (found[0], found[1], tuple(found[2] or ()))
        return content

    def _preload(self, annotator_id: int) -> None:
        """Every standing label of one annotator, in one pass over their label events (oldest first,
        so the newest per item is the one left)."""
        self.flush()
        rows = self.session.execute(
            select(Decision.statement_id, Decision.target_id, Decision.stance, Decision.sentiment, Decision.note,
                   Decision.reason_codes)
            .where(Decision.annotator_id == annotator_id, Decision.action == "label", stands())
            .order_by(Decision.id).execution_options(yield_per=5_000))
        known = self._known
        for statement_id, target_id, stance, sentiment, note, codes in rows:
            said = (note, tuple(codes or ()))
            if stance is not None:
                known[("stance", annotator_id, statement_id, target_id)] = (stance, *said)
            if sentiment is not None:
                known[("sentiment", annotator_id, statement_id)] = (sentiment, *said)
        self._loaded.add(annotator_id)

    def record(self, annotator: Annotator, decision: NewDecision, origin: object = None) -> None:
        """Append one event (validated now, inserted at the next chunk or `flush`; a row the database
        refuses then raises RowRefused with its `origin`)."""
        validate(decision)
        self._origins.append(origin)
        self._rows.append({
            "statement_id": decision.statement_id, "target_id": decision.target_id, "annotator_id": annotator.id,
            "action": decision.action, "stance": decision.stance, "sentiment": decision.sentiment,
            "stance_prediction_id": decision.stance_prediction_id,
            "sentiment_prediction_id": decision.sentiment_prediction_id, "accepted_as_is": decision.accepted_as_is,
            "suggestions_shown": decision.suggestions_shown, "duration_ms": decision.duration_ms,
            "reason_codes": list(decision.reason_codes), "note": decision.note, "order_mode": decision.order_mode,
            "source": decision.source, "created_at": decision.created_at or utcnow()})
        if decision.action == "label":
            said = (decision.note, tuple(decision.reason_codes))
            for task, label in (("stance", decision.stance), ("sentiment", decision.sentiment)):
                if label is not None:
                    self._known[self._key(task, annotator.id, decision.statement_id, decision.target_id)] = (label, *said)
        if len(self._rows) >= self.chunk:
            self.flush()

    def flush(self) -> None:
        if not self._rows:
            return
        rows, origins, self._rows, self._origins = self._rows, self._origins, [], []
        # the table, not the ORM class: the ORM's bulk insert splits rows by which values are None
        table = insert(Decision.__table__)
        try:
            with self.session.begin_nested():
                self.session.execute(table, rows)
        except (StatementError, OverflowError):
            # find the row to blame, one at a time (only on this failure path); the caller's
            # transaction is then rolled back whole
            for row, origin in zip(rows, origins):
                try:
                    with self.session.begin_nested():
                        self.session.execute(table, [row])
                except (StatementError, OverflowError) as exc:
                    raise RowRefused(origin, first_line(exc)) from None
            raise
        self.written += len(rows)
