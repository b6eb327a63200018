"""Gold labels: the adjudication event log.

Like decisions, adjudications are events. Choosing a gold label appends a "set" event; undo
appends an "undo" event that supersedes it (the previous standing choice, if any, shows
again). Nothing is updated or deleted. The gold label of an item is a query over the log.

Besides the task's labels, a gold "label" can be a verdict that the item is no example of the
task at all (GOLD_VERDICTS): `not_a_statement` (the span is no statement: gold exports and
training leave the statement out, as they do for a not-a-statement flag) or, for stance,
`not_about` (the statement is not about the target: exported with that verdict, never as a
stance label, and left out of training).

The queues of items to adjudicate or review are db/adjudication.py's (they read db/queue.py, which
reads db/corrections.py, which reads this log: the log is below all three).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from db.errors import StorageError
from db.plaintext import clean_text
from db.schema import Adjudication, Annotator
from vocabulary import GOLD_VERDICTS, LABELS_BY_TASK, NOT_A_STATEMENT, TASKS


def gold_values(task: str) -> tuple[str, ...]:
    """What a gold event of `task` may hold: the task's labels, then its exclude verdicts."""
    return LABELS_BY_TASK[task] + GOLD_VERDICTS[task]


def _check(task: str, target_id: int | None, label: str | None = None) -> None:
    if task not in TASKS:
        raise StorageError(f"unknown task: {task!r} (expected one of {', '.join(TASKS)})")
    if label is not None and label not in gold_values(task):
        raise StorageError(f"unknown {task} label: {label!r} (expected one of {', '.join(gold_values(task))})")
    if task == "stance" and target_id is None:
        raise StorageError("a stance gold label needs a target")
    if task == "sentiment" and target_id is not None:
        raise StorageError("a sentiment gold label belongs to the statement, not a target")


def gold_stands(row=Adjudication) -> ColumnElement[bool]:
    """The undo rule for gold labels, written once: a "set" event stands unless an undo event withdraws it."""
    undo = aliased(Adjudication)
    return ~exists(select(undo.id).where(undo.action == "undo", undo.supersedes_id == row.id))


def standing_adjudications(task: str | None = None) -> Select:
    """The standing gold event per (statement, target, task): the newest "set" not undone."""
    conditions = [Adjudication.action == "set", gold_stands()]
    if task is not None:
        conditions.append(Adjudication.task == task)
    rank = func.row_number().over(
        partition_by=(Adjudication.statement_id, Adjudication.target_id, Adjudication.task),
        order_by=Adjudication.id.desc()).label("rank")
    ranked = select(Adjudication.id, rank).where(and_(*conditions)).subquery()
    return select(Adjudication).join(ranked, ranked.c.id == Adjudication.id).where(ranked.c.rank == 1)


def standing_gold(session: Session, statement_id: int, target_id: int | None, task: str) -> Adjudication | None:
    query = select(Adjudication).where(
        Adjudication.statement_id == statement_id, Adjudication.task == task, Adjudication.action == "set",
        gold_stands())
    query = query.where(Adjudication.target_id.is_(None) if target_id is None else Adjudication.target_id == target_id)
    return session.scalars(query.order_by(Adjudication.id.desc()).limit(1)).first()


def standing_gold_by(session: Session, statement_id: int, target_id: int | None,
                     task: str) -> tuple[str, str, str | None] | None:
    """(label, adjudicator name, note) of the item's standing gold, None when none stands."""
    row = standing_gold(session, statement_id, target_id, task)
    if row is None:
        return None
    return row.label, session.get(Annotator, row.adjudicator_id).name, row.note


def gold_label(session: Session, statement_id: int, target_id: int | None, task: str) -> str | None:
    row = standing_gold(session, statement_id, target_id, task)
    return row.label if row is not None else None


def gold_labels(session: Session, task: str) -> dict[tuple[int, int | None], str]:
    """{(statement_id, target_id): gold label} for every adjudicated item of a task."""
    return {(a.statement_id, a.target_id): a.label for a in session.scalars(standing_adjudications(task))}


def gold_excluded_statements() -> Select:
    """Ids of the statements whose standing gold (any task, any target) is the verdict `not_a_statement`."""
    standing = standing_adjudications().subquery()
    return select(standing.c.statement_id).where(standing.c.label == NOT_A_STATEMENT).distinct()


def statements_excluded(session: Session) -> set[int]:
    """Statements whose standing gold (any task, any target) is the verdict `not_a_statement`."""
    return set(session.scalars(gold_excluded_statements()))


def standing_gold_events(session: Session, task: str) -> dict[tuple[int, int | None], tuple[str, str, str | None]]:
    """{(statement_id, target_id): (label, adjudicator name, note)} for every adjudicated item of a task."""
    names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
    return {(a.statement_id, a.target_id): (a.label, names.get(a.adjudicator_id, "?"), a.note)
            for a in session.scalars(standing_adjudications(task))}


def set_gold(session: Session, adjudicator: Annotator, statement_id: int, target_id: int | None, task: str,
             label: str, note: str | None = None, created_at: datetime | None = None) -> Adjudication:
    """Append a gold-label choice (a label or an exclude verdict) for an item; `note` is its rationale;
    `created_at` where history is copied (an import keeps the time the export row says the gold label
    was chosen), else now."""
    _check(task, target_id, label)
    if note is not None:  # typed in the UI or imported: printed later in reports and exports
        note = clean_text(note).strip() or None
    row = Adjudication(statement_id=statement_id, target_id=target_id, task=task, label=label,
                       adjudicator_id=adjudicator.id, action="set", note=note)
    if created_at is not None:
        row.created_at = created_at
    session.add(row)
    session.flush()
    return row


def undo_gold(session: Session, adjudicator: Annotator, statement_id: int, target_id: int | None,
              task: str) -> Adjudication | None:
    """Withdraw the item's standing gold choice by appending an undo event; returns what it withdrew."""
    _check(task, target_id)
    standing = standing_gold(session, statement_id, target_id, task)
    if standing is None:
        return None
    session.add(Adjudication(statement_id=statement_id, target_id=target_id, task=task, label=None,
                             adjudicator_id=adjudicator.id, action="undo", supersedes_id=standing.id))
    session.flush()
    return standing
