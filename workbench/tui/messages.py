"""Typed messages that worker threads post to the annotation screen."""
from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from db.queue import ItemKey, Progress, QueueItem, Suggestion


@dataclass
class Started(Message):
    """The database answered: who, what, how far; `problem` explains an empty session."""

    annotator: str
    targets: list[str]
    progress: Progress
    guidelines: str
    problem: str | None = None


@dataclass
class StartFailed(Message):
    message: str


@dataclass
class ItemsLoaded(Message):
    items: list[QueueItem]
    exhausted: bool  # the queue had fewer than asked for
    epoch: int = 0   # the queue position they were read from (a search jump starts a new one)


@dataclass
class DecisionSaved(Message):
    decision_id: int
    action: str
    key: ItemKey
    counts_as_done: bool
    sentiment: str | None = None


@dataclass
class WriteWaiting(Message):
    """Another program holds the database's write lock; the save in flight is retried, not dropped."""

    waited_s: float


@dataclass
class Undone(Message):
    item: QueueItem | None  # the withdrawn item, reloaded; None when there was nothing to undo
    action: str | None = None


@dataclass
class PredictionsReady(Message):
    suggestions: dict[ItemKey, tuple[Suggestion | None, Suggestion | None]] = field(default_factory=dict)


@dataclass
class PredictorFailed(Message):
    message: str


@dataclass
class SearchResults(Message):
    query: str
    items: list[QueueItem]


@dataclass
class DbError(Message):
    """A write or read failed; nothing moved on."""

    message: str


@dataclass
class TrainingProgress(Message):
    text: str


@dataclass
class TrainingDone(Message):
    text: str  # what was trained, or why nothing was
    trained: bool = False  # at least one new version is active


@dataclass
class CorrectionSaved(Message):
    """A span or speaker correction, or an added statement, is committed; the item stays on screen."""

    action: str
    key: ItemKey
    item: QueueItem | None  # the item reloaded with its corrected values (None: an added statement)
    text: str


@dataclass
class PeopleLoaded(Message):
    """The people an article names, read to pick a speaker; `then` receives the choice."""

    people: list
    then: object  # callable(SpeakerChoice | None)
    current: str | None = None


@dataclass
class ProgressRefreshed(Message):
    """done/total read again: a verdict or an added statement changed what the queue holds."""

    progress: Progress
