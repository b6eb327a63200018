"""The decision log: append events, undo by appending, and read current labels from it."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from db.errors import StorageError
from db.schema import (
    DECISION_ACTIONS,
    REASON_CODES,
    SENTIMENT_LABELS,
    STANCE_LABELS,
    Annotator,
    Decision,
)

UNDOABLE = ("label", "skip", "flag", "not_about")


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


def last_undoable(session: Session, annotator: Annotator) -> Decision | None:
    return session.scalars(
        select(Decision).where(Decision.annotator_id == annotator.id, Decision.action.in_(UNDOABLE),
                               ~exists(withdrawn_by_undo()))
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


def standing_labels(annotator_id: int | None = None, task: str | None = None) -> Select:
    """Each annotator's current label event per item: the newest label event not undone.

    For stance the item is (statement, target); sentiment belongs to the statement, so its
    current value is the newest standing event that set a sentiment, whatever the target.
    Returns rows of (Decision) ordered by nothing in particular.
    """
    conditions = [Decision.action == "label", ~exists(withdrawn_by_undo())]
    if annotator_id is not None:
        conditions.append(Decision.annotator_id == annotator_id)
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


def current_labels(session: Session, task: str, annotator_id: int | None = None) -> Iterable[Decision]:
    yield from session.scalars(standing_labels(annotator_id, task).execution_options(yield_per=2000))
