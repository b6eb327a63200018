"""Gold labels: the queues of items to adjudicate or review, over the adjudication event log.

The log itself (set / undo events, the gold verdicts `not_a_statement` and `not_about`) is db/gold.py's;
its names are re-exported here for the callers that import them from this module.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.decisions import standing_labels, stands
from db.schema import (
    Annotator,
    Decision,
    Document,
    Statement,
    Target,
)
from db.gold import (  # noqa: F401 (the gold log, re-exported for db/'s callers)
    _check,
    gold_values,
    gold_stands,
    standing_adjudications,
    standing_gold,
    standing_gold_by,
    gold_label,
    gold_labels,
    gold_excluded_statements,
    statements_excluded,
    standing_gold_events,
    set_gold,
    undo_gold,
)
# GOLD_VERDICTS and their words are the vocabulary's; re-exported here for db/'s callers.
from vocabulary import GOLD_VERDICTS, LABELS_BY_TASK, NOT_A_STATEMENT, NOT_ABOUT, TASKS  # noqa: F401


# -- the adjudication and review queues ---------------------------------------------------

@dataclass(frozen=True)
class AnnotatorView:
    annotator: str
    label: str | None  # the task's label, or "not_about" (the annotator's verdict), or None (only flagged)
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
    gold_by: str | None = None
    gold_note: str | None = None

    @property
    def key(self) -> tuple[int, int | None]:
        return (self.statement_id, self.target_id)

    @property
    def disagreement(self) -> bool:
        return len({v.label for v in self.views if v.label is not None}) > 1

    def majority(self) -> str | None:
        """The label most annotators gave (a verdict counts as one), None on a tie or with no labels."""
        counts: dict[str, int] = defaultdict(int)
        for view in self.views:
            if view.label is not None:
                counts[view.label] += 1
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        if not ranked or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
            return None
        return ranked[0][0]


def _standing_flags(session: Session, task: str) -> dict[tuple[int, int | None], list[Decision]]:
    """Flag events not withdrawn, keyed by item (statement-level for sentiment)."""
    rows = session.scalars(select(Decision).where(Decision.action == "flag", stands())
                           .order_by(Decision.id))
    flags: dict[tuple[int, int | None], list[Decision]] = defaultdict(list)
    for row in rows:
        flags[(row.statement_id, row.target_id if task == "stance" else None)].append(row)
    return flags


def _current_views(session: Session, task: str, names: dict[int, str]) -> dict[tuple, dict[str, Decision]]:
    """Each annotator's current event per item: the newest standing label of the task or, for stance, a
    standing `not_about` verdict when it is newer."""
    labels: dict[tuple[int, int | None], dict[str, Decision]] = defaultdict(dict)
    for row in session.scalars(standing_labels(None, task)):
        labels[(row.statement_id, row.target_id if task == "stance" else None)][names[row.annotator_id]] = row
    if task == "stance":
        for row in session.scalars(select(Decision).where(Decision.action == NOT_ABOUT,
                                                          stands()).order_by(Decision.id)):
            current = labels[(row.statement_id, row.target_id)].get(names[row.annotator_id])
            if current is None or current.id < row.id:
                labels[(row.statement_id, row.target_id)][names[row.annotator_id]] = row
    return labels


def _in_scope(session: Session, task: str, keys: set, filters, target_ids) -> set:
    """The keys that pass the queue filters (db.queue's, shared with annotation) and the target choice."""
    from db.queue import filter_conditions, within_confidence

    if target_ids is not None:
        chosen = set(target_ids)
        keys = {k for k in keys if k[1] in chosen}
    if filters is None or not keys:
        return keys
    conditions = filter_conditions(session, filters, Target.id if task == "stance" else None)
    if conditions:
        statement_ids, passing = sorted({k[0] for k in keys}), set()
        for at in range(0, len(statement_ids), 500):
            chunk = statement_ids[at:at + 500]
            if task == "stance":
                query = select(Statement.id, Target.id).join(Target, Target.id.in_(sorted({k[1] for k in keys})))
                passing |= {tuple(r) for r in session.execute(query.where(Statement.id.in_(chunk), *conditions))}
            else:
                query = select(Statement.id).where(Statement.id.in_(chunk), *conditions)
                passing |= {(sid, None) for sid in session.scalars(query)}
        keys = keys & passing
    return set(within_confidence(session, sorted(keys, key=lambda k: (k[0], k[1] or 0)), filters.max_confidence))


def adjudication_queue(session: Session, task: str, *, every_item: bool = False, include_flagged: bool = False,
                       include_adjudicated: bool = False, filters=None,
                       target_ids: list[int] | None = None) -> list[QueueItem]:
    """Items to adjudicate (annotators' current labels differ; optionally flagged items) or, with
    `every_item`, to review: every item someone labelled, marked not about its target, flagged or adjudicated.

    Items with a standing gold label are left out unless include_adjudicated. Ordered by document and offset so
    the queue reads like the corpus. `filters` (db.queue.QueueFilters): document glob, speaker, speaker type,
    the model's label and its confidence narrow the queue as they narrow the annotation queue (relatedness does
    not apply: these items were annotated already). `target_ids`: stance items of those targets only.
    """
    _check(task, 0 if task == "stance" else None)
    label_col = "stance" if task == "stance" else "sentiment"
    names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
    labels = _current_views(session, task, names)
    flags = _standing_flags(session, task) if include_flagged or every_item else {}
    gold = standing_gold_events(session, task)

    def label_of(decision: Decision) -> str:
        return NOT_ABOUT if decision.action == NOT_ABOUT else getattr(decision, label_col)

    if every_item:
        wanted = set(labels) | set(flags) | set(gold)
    else:
        wanted = {key for key, by_name in labels.items() if len({label_of(d) for d in by_name.values()}) > 1}
        wanted |= set(flags)
    if not include_adjudicated:
        wanted = {k for k in wanted if k not in gold}
    wanted = _in_scope(session, task, wanted, filters, target_ids)
    if not wanted:
        return []

    statements = {}
    for stmt, source in session.execute(select(Statement, Document.source).join(Document)
                                        .where(Statement.id.in_({k[0] for k in wanted}))):
        statements[stmt.id] = (stmt, source)
    target_ids_wanted = {k[1] for k in wanted if k[1] is not None}
    targets = dict(session.execute(select(Target.id, Target.text).where(Target.id.in_(target_ids_wanted))).all()) \
        if target_ids_wanted else {}
    items = []
    for key in wanted:
        if key[0] not in statements:
            continue
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
            views.append(AnnotatorView(annotator=name, label=label_of(decision) if decision else None,
                                       reason_codes=reasons, note=" / ".join(notes) or None,
                                       flagged=flag is not None))
        standing = gold.get(key)
        items.append(QueueItem(statement_id=stmt.id, target_id=key[1], task=task, doc=source, start=stmt.start,
                               end=stmt.end, text=stmt.text, speaker=stmt.speaker,
                               target=targets.get(key[1]) if key[1] is not None else None, views=views,
                               gold=standing[0] if standing else None, flagged=key in flags,
                               gold_by=standing[1] if standing else None, gold_note=standing[2] if standing else None))
    items.sort(key=lambda i: (i.doc, i.start, i.end, i.target or ""))
    return items


def disagreement_queue(session: Session, task: str, include_flagged: bool = False,
                       include_adjudicated: bool = False, filters=None) -> list[QueueItem]:
    """Items where annotators' current labels differ (and, optionally, flagged items)."""
    return adjudication_queue(session, task, include_flagged=include_flagged,
                              include_adjudicated=include_adjudicated, filters=filters)


def display_item(session: Session, statement_id: int, target_id: int | None):
    """What the screen shows beside the labels (db.queue.QueueItem: document text for the paragraph
    context, speaker, target and its description, the model's newest stance and sentiment suggestions);
    None when the statement is gone."""
    from db.queue import ItemKey, QueueItem as DisplayItem, newest_suggestions

    S = Statement
    row = session.execute(
        select(S.document_id, S.start, S.end, S.text, S.speaker, S.speaker_role, S.speaker_type, S.kind, S.cue,
               Document.title, Document.source, Document.text.label("document_text"))
        .join(Document).where(S.id == statement_id)).first()
    if row is None:
        return None
    target = session.execute(select(Target.text, Target.description).where(Target.id == target_id)).first() \
        if target_id is not None else None
    found = newest_suggestions(session, [(statement_id, target_id)])
    return DisplayItem(
        key=ItemKey(statement_id, target_id), target_text=target[0] if target else None,
        target_description=target[1] if target else None, document_id=row.document_id, document_title=row.title,
        document_source=row.source, document_text=row.document_text, start=row.start, end=row.end, text=row.text,
        speaker=row.speaker, speaker_role=row.speaker_role, speaker_type=row.speaker_type, kind=row.kind,
        cue=row.cue, stance=found.get((statement_id, "stance", target_id)),
        sentiment=found.get((statement_id, "sentiment", None)))
