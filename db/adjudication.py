"""Gold labels: the adjudication event log and the queue of items annotators disagree on.

Like decisions, adjudications are events. Choosing a gold label appends a "set" event; undo
appends an "undo" event that supersedes it (the previous standing choice, if any, shows
again). Nothing is updated or deleted. The gold label of an item is a query over the log.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import Session, aliased

from db.decisions import standing_labels, stands
from db.errors import StorageError
from db.schema import (
    LABELS_BY_TASK,
    TASKS,
    Adjudication,
    Annotator,
    Decision,
    Document,
    Statement,
    Target,
)


def _check(task: str, target_id: int | None, label: str | None = None) -> None:
    if task not in TASKS:
        raise StorageError(f"unknown task: {task!r} (expected one of {', '.join(TASKS)})")
    if label is not None and label not in LABELS_BY_TASK[task]:
        raise StorageError(f"unknown {task} label: {label!r} (expected one of {', '.join(LABELS_BY_TASK[task])})")
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


def gold_label(session: Session, statement_id: int, target_id: int | None, task: str) -> str | None:
    row = standing_gold(session, statement_id, target_id, task)
    return row.label if row is not None else None


def gold_labels(session: Session, task: str) -> dict[tuple[int, int | None], str]:
    """{(statement_id, target_id): gold label} for every adjudicated item of a task."""
    return {(a.statement_id, a.target_id): a.label for a in session.scalars(standing_adjudications(task))}


def set_gold(session: Session, adjudicator: Annotator, statement_id: int, target_id: int | None, task: str,
             label: str, note: str | None = None, created_at: datetime | None = None) -> Adjudication:
    """Append a gold-label choice for an item; `created_at` where history is copied (an import keeps
    the time the export row says the gold label was chosen), else now."""
    _check(task, target_id, label)
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


# -- the adjudication queue ----------------------------------------------------------------

def _statement_passes(filters, statement: Statement, source: str) -> bool:
    import fnmatch

    if filters.document and not fnmatch.fnmatchcase(source, filters.document):
        return False
    if filters.speaker and filters.speaker.strip().lower() not in (statement.speaker or "").lower():
        return False
    return not filters.speaker_type or statement.speaker_type == filters.speaker_type


@dataclass(frozen=True)
class AnnotatorView:
    annotator: str
    label: str | None
    reason_codes: tuple[str, ...] = ()
    note: str | None = None
    flagged: bool = False


@dataclass
class QueueItem:
    statement_id: int
    target_id: int | None
    task: str
    doc: str
    start: int
    end: int
    text: str
    speaker: str | None
    target: str | None
    views: list[AnnotatorView] = field(default_factory=list)
    gold: str | None = None
    flagged: bool = False

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.statement_id, self.target_id)

    @property
    def disagreement(self) -> bool:
        return len({v.label for v in self.views if v.label is not None}) > 1


def _standing_flags(session: Session, task: str) -> dict[tuple[int, int | None], list[Decision]]:
    """Flag events not withdrawn, keyed by item (statement-level for sentiment)."""
    rows = session.scalars(select(Decision).where(Decision.action == "flag", stands())
                           .order_by(Decision.id))
    flags: dict[tuple[int, int | None], list[Decision]] = defaultdict(list)
    for row in rows:
        flags[(row.statement_id, row.target_id if task == "stance" else None)].append(row)
    return flags


def disagreement_queue(session: Session, task: str, include_flagged: bool = False,
                       include_adjudicated: bool = False, filters=None) -> list[QueueItem]:
    """Items where annotators' current labels differ (and, optionally, flagged items).

    Items that already have a standing gold label are left out unless include_adjudicated.
    Ordered by document and offset so the queue reads like the corpus. `filters` (db.queue.QueueFilters): its
    document glob, speaker and speaker type narrow the queue (the annotation queue's prediction filters do not
    apply: gold is about what annotators said).
    """
    _check(task, 0 if task == "stance" else None)
    label_col = "stance" if task == "stance" else "sentiment"
    names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
    labels: dict[tuple[int, int | None], dict[str, Decision]] = defaultdict(dict)
    for row in session.scalars(standing_labels(None, task)):
        key = (row.statement_id, row.target_id if task == "stance" else None)
        labels[key][names[row.annotator_id]] = row
    flags = _standing_flags(session, task) if include_flagged else {}
    gold = gold_labels(session, task)

    wanted: set[tuple[int, int | None]] = set()
    for key, by_name in labels.items():
        if len({getattr(d, label_col) for d in by_name.values()}) > 1:
            wanted.add(key)
    wanted |= set(flags)
    if not include_adjudicated:
        wanted = {k for k in wanted if k not in gold}
    if not wanted:
        return []

    statement_ids = {k[0] for k in wanted}
    statements = {}
    for stmt, source in session.execute(
            select(Statement, Document.source).join(Document).where(Statement.id.in_(statement_ids))):
        statements[stmt.id] = (stmt, source)
    target_ids = {k[1] for k in wanted if k[1] is not None}
    targets = dict(session.execute(select(Target.id, Target.text).where(Target.id.in_(target_ids))).all()) \
        if target_ids else {}

    if filters is not None:
        wanted = {k for k in wanted if _statement_passes(filters, *statements[k[0]])}
    items = []
    for key in wanted:
        stmt, source = statements[key[0]]
        flagged_by = {names[f.annotator_id]: f for f in flags.get(key, [])}
        views = []
        for name in sorted(set(labels.get(key, {})) | set(flagged_by)):
            decision = labels.get(key, {}).get(name)
            flag = flagged_by.get(name)
            reasons = tuple(decision.reason_codes or ()) if decision is not None else ()
            if flag is not None:
                reasons = tuple(dict.fromkeys(reasons + tuple(flag.reason_codes or ())))
            notes = [n for n in ((decision.note if decision else None), (flag.note if flag else None)) if n]
            views.append(AnnotatorView(annotator=name, label=getattr(decision, label_col) if decision else None,
                                       reason_codes=reasons, note=" / ".join(notes) or None,
                                       flagged=flag is not None))
        items.append(QueueItem(statement_id=stmt.id, target_id=key[1], task=task, doc=source, start=stmt.start,
                               end=stmt.end, text=stmt.text, speaker=stmt.speaker,
                               target=targets.get(key[1]) if key[1] is not None else None, views=views,
                               gold=gold.get(key), flagged=key in flags))
    items.sort(key=lambda i: (i.doc, i.start, i.end, i.target or ""))
    return items
