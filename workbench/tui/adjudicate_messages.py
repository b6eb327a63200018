"""Typed messages that the adjudication / review screen's thread workers post back to it."""
from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from db.adjudication import QueueItem
from db.queue import QueueItem as DisplayItem
from workbench.tui.adjudicate_backend import Gold


@dataclass
class QueueLoaded(Message):
    items: list[QueueItem]


@dataclass
class QueueFailed(Message):
    """The queue could not be read (schema, a bad --target, the database): shown, nothing else runs."""

    message: str


@dataclass
class DetailsLoaded(Message):
    key: tuple[int, int | None]
    display: DisplayItem | None  # None: the statement is gone


@dataclass
class DetailsFailed(Message):
    key: tuple[int, int | None]
    message: str


@dataclass
class GoldChanged(Message):
    """A gold choice or its undo is committed; `gold` is what stands on the item now."""

    key: tuple[int, int | None]
    gold: Gold
    advance: bool  # a new choice moves on to the next open item; an undo stays


@dataclass
class WriteFailed(Message):
    """The write did not happen; nothing moved on."""

    message: str


@dataclass
class WriteWaiting(Message):
    """Another program holds the write lock; the choice in flight is retried, not dropped."""

    waited_s: float
