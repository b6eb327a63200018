"""What the adjudication and review screens ask of the database — plain, blocking calls.

The screens call these only from thread workers. Every call is its own short transaction:
reads go through the read-only engine (they never take the write lock), and a gold choice
is durable when `set_gold` returns; while another program holds the write lock it is
retried until it commits (`on_wait` told each time), so a choice is never dropped.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from db.adjudication import (QueueItem, adjudication_queue, display_item, gold_values, set_gold,
                             standing_gold_by, undo_gold)
from db.engine import readonly, transaction, write_retrying
from db.errors import StorageError
from db.queue import QueueFilters
from db.queue import QueueItem as DisplayItem
from db.repository import find_target, get_or_create_annotator

MODES = ("adjudicate", "review")


@dataclass(frozen=True)
class Gold:
    """An item's standing gold after a write: label (or verdict), adjudicator, note; all None when none stands."""

    label: str | None
    by: str | None = None
    note: str | None = None


class AdjudicationBackend:
    """`mode` "adjudicate": items annotators disagree on (and flagged ones with include_flagged);
    "review": every item someone labelled, flagged or adjudicated. `adjudicator` is the name the gold
    events are recorded under (the lead's, in review)."""

    def __init__(self, engine, adjudicator: str, task: str = "stance", *, mode: str = "adjudicate",
                 include_flagged: bool = False, filters: QueueFilters | None = None, target: str | None = None):
        if mode not in MODES:
            raise StorageError(f"unknown mode {mode!r} (expected one of {', '.join(MODES)})")
        if task not in ("stance", "sentiment"):
            raise StorageError(f"unknown task {task!r} (expected stance or sentiment)")
        if target is not None and task != "stance":
            raise StorageError("--target applies to stance only (sentiment belongs to the statement)")
        self.engine = engine
        self.reader = readonly(engine)
        self.adjudicator = adjudicator
        self.task = task
        self.mode = mode
        self.include_flagged = include_flagged
        self.filters = filters
        self.target = target
        self.labels = gold_values(task)  # the task's labels, then its verdicts

    def start(self) -> list[QueueItem]:
        """The queue: open items first (document order), then those with a gold label already, so a
        choice can be revisited."""
        from db.migrate import ensure_current

        ensure_current(self.engine)
        return self.items()

    def items(self) -> list[QueueItem]:
        with transaction(self.reader) as session:
            target_ids = [find_target(session, self.target).id] if self.target is not None else None
            items = adjudication_queue(session, self.task, every_item=self.mode == "review",
                                       include_flagged=self.include_flagged, include_adjudicated=True,
                                       filters=self.filters, target_ids=target_ids)
        items.sort(key=lambda i: i.gold is not None)  # stable: document order within each part
        return items

    def details(self, item: QueueItem) -> DisplayItem | None:
        """The document text (paragraph context), speaker, target description and model suggestions."""
        with transaction(self.reader) as session:
            return display_item(session, item.statement_id, item.target_id)

    def set_gold(self, item: QueueItem, label: str, note: str | None,
                 on_wait: Callable[[float], None] | None = None) -> Gold:
        def write(session) -> Gold:
            who = get_or_create_annotator(session, self.adjudicator)
            row = set_gold(session, who, item.statement_id, item.target_id, self.task, label, note)
            return Gold(row.label, self.adjudicator, row.note)
        return write_retrying(self.engine, write, on_wait)

    def undo_gold(self, item: QueueItem, on_wait: Callable[[float], None] | None = None) -> Gold:
        """Withdraw the standing gold; returns the one that stands now (an earlier choice, or none)."""
        def write(session) -> Gold:
            who = get_or_create_annotator(session, self.adjudicator)
            undo_gold(session, who, item.statement_id, item.target_id, self.task)
            now = standing_gold_by(session, item.statement_id, item.target_id, self.task)
            return Gold(None) if now is None else Gold(*now)
        return write_retrying(self.engine, write, on_wait)
