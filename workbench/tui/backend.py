"""What the annotation UI asks of the database and the models — plain, blocking calls.

The UI calls these only from thread workers. Each call is its own short transaction, so a
decision is durable when `save` returns. The predictor factory (task → object with name,
version and predict(texts, targets, batch_size)) is called at most once, lazily, on the
worker that first needs a prediction.
"""
from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any

from db.decisions import NewDecision, record, undo_last
from db.engine import readonly, transaction, write_retrying
from db.errors import StorageError
from db.assignment_scope import nothing_assigned
from db.queue import AnnotationQueue, ItemKey, Progress, QueueFilters, QueueItem, Suggestion, model_label
from db.repository import (
    PredictionItem,
    add_predictions,
    find_target,
    get_or_create_annotator,
    get_setting,
    latest_prediction,
    list_targets,
    statement_count,
)
from workbench.tui.backend_corrections import CorrectionCalls

if TYPE_CHECKING:
    from db.engine import Engine
    from db.repository import Annotator

PredictorFactory = Callable[[], Mapping[str, Any]]
# (task, target text or None, progress(done, total, message)) -> summary with "version"
Trainer = Callable[[str, str | None, Callable[[int, int, str], None]], Mapping[str, Any]]
GUIDELINES_KEY = "guidelines"


def default_guidelines() -> str:
    return resources.files("workbench.tui").joinpath("default_guidelines.md").read_text(encoding="utf-8")


@dataclass(frozen=True)
class StartInfo:
    annotator: str
    targets: list[str]
    progress: Progress
    guidelines: str
    problem: str | None  # why there is nothing to annotate, in words a user can act on


class Backend(CorrectionCalls):
    def __init__(self, engine: Engine, annotator: str, target: str | None = None, order: str = "document",
                 blind: bool = False, predictor_factory: PredictorFactory | None = None,
                 blind_fraction: float = 0.0, trainer: Trainer | None = None,
                 filters: QueueFilters | None = None):
        if not 0.0 <= blind_fraction <= 1.0:
            raise StorageError(f"blind fraction must be between 0 and 1, got {blind_fraction}")
        self.engine = engine
        self.blind_fraction = blind_fraction
        self.trainer = trainer
        self.reader = readonly(engine)
        self.annotator_name = annotator
        self.target = target
        self.order = order
        self.blind = blind
        self.filters = filters or QueueFilters()
        self.epoch = 0  # bumped by a search jump: fetches started before it are stale
        self.predictor_factory = None if blind else predictor_factory
        self.queue: AnnotationQueue | None = None
        self._annotator: Annotator | None = None
        self._predictors: Mapping[str, Any] | None = None
        self._predictor_lock = threading.Lock()
        self._queue_lock = threading.Lock()

    # -- session ---------------------------------------------------------------------------

    def start(self) -> StartInfo:
        from db.migrate import ensure_current

        ensure_current(self.engine)
        with transaction(self.engine) as session:
            self._annotator = get_or_create_annotator(session, self.annotator_name)
            targets = [find_target(session, self.target)] if self.target else list_targets(session)
            guidelines = get_setting(session, GUIDELINES_KEY) or default_guidelines()
            n_statements = statement_count(session)
            target_ids, target_texts = [t.id for t in targets], [t.text for t in targets]
        steps = []
        if n_statements == 0:
            steps += ["workbench ingest FILES...", "workbench extract"]
        if not targets:
            steps.append('workbench targets add "TEXT"')
        problem = None
        if steps:
            what = " and ".join(w for w, missing in (("no statements", n_statements == 0),
                                                    ("no stance targets", not targets)) if missing)
            problem = f"There are {what} in this database yet.\n\nTo get started:\n  " + "\n  ".join(steps)
        progress = Progress(0, 0)
        if problem is None:
            self.queue = AnnotationQueue(self._annotator.id, self.annotator_name, target_ids, self.order, self.blind,
                                         self.filters)
            with transaction(self.reader) as session:
                progress = self.queue.progress(session)
                if nothing_assigned(session, self._annotator.id, target_ids):
                    problem = (f"Nothing is assigned to {self.annotator_name} here.\n\nThe lead shares items out "
                               f"with `workbench assign --annotators NAME,...` (status shows who has what).")
        return StartInfo(self.annotator_name, target_texts, progress, guidelines, problem)

    @property
    def annotator(self) -> Annotator:
        if self._annotator is None:
            raise StorageError("the annotation session has not started")
        return self._annotator

    def hides_suggestions(self, key: ItemKey) -> bool:
        """Blind sessions hide every suggestion; otherwise a fixed random slice of items is blind.

        The slice is a hash of (annotator, item), so an item stays blind across restarts and
        the human-vs-model comparison on it is not biased by the suggestion.
        """
        if self.blind:
            return True
        if self.blind_fraction <= 0.0:
            return False
        digest = hashlib.blake2b(f"{self.annotator_name}|{key.statement_id}|{key.target_id}".encode(),
                                 digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2**64 < self.blind_fraction

    # -- reading ---------------------------------------------------------------------------

    def fetch(self, n: int, exclude: Sequence[ItemKey] = ()) -> tuple[list[QueueItem], bool]:
        """The next n items (display data) and whether the queue ran dry."""
        items, dry, _ = self.fetch_at(n, exclude)
        return items, dry

    def fetch_at(self, n: int, exclude: Sequence[ItemKey] = ()) -> tuple[list[QueueItem], bool, int]:
        """fetch, and the queue epoch the items were read at (a search jump starts a new one)."""
        assert self.queue is not None
        with self._queue_lock, transaction(self.reader) as session:
            keys = self.queue.next_keys(session, n, exclude)
            return self.queue.load(session, keys), len(keys) < n, self.epoch

    def jump(self, item: QueueItem) -> int:
        """Continue the queue after `item` (a search result being labelled); returns the new epoch."""
        assert self.queue is not None
        with self._queue_lock:
            self.queue.jump_to(item.key, item.document_id, item.start, item.end)
            self.epoch += 1
            return self.epoch

    def load(self, keys: Sequence[ItemKey]) -> list[QueueItem]:
        assert self.queue is not None
        with self._queue_lock, transaction(self.reader) as session:
            return self.queue.load(session, keys)

    def search(self, text: str, limit: int = 50) -> list[QueueItem]:
        assert self.queue is not None
        with self._queue_lock, transaction(self.reader) as session:
            return self.queue.load(session, self.queue.search(session, text, limit))

    def progress(self) -> Progress:
        assert self.queue is not None
        with transaction(self.reader) as session:
            return self.queue.progress(session)

    # -- writing ---------------------------------------------------------------------------

    def save(self, decision: NewDecision, on_wait: Callable[[float], None] | None = None) -> int:
        """Append one decision; returns its id once committed. While another program holds the
        write lock the save is retried (with backoff) until it commits, `on_wait(seconds)` told
        each time: a decision is never dropped."""
        return write_retrying(self.engine, lambda session: record(session, self.annotator, decision).id, on_wait)

    def undo(self, on_wait: Callable[[float], None] | None = None) -> tuple[QueueItem | None, str | None]:
        """Withdraw this annotator's latest standing event; the item it was about, reloaded."""
        def withdraw(session) -> tuple[ItemKey, str] | None:
            withdrawn = undo_last(session, self.annotator)
            return None if withdrawn is None else (ItemKey(withdrawn.statement_id, withdrawn.target_id),
                                                   withdrawn.action)
        found = write_retrying(self.engine, withdraw, on_wait)
        if found is None:
            return None, None
        key, action = found
        items = self.load([key]) if self.queue is not None and key.target_id is not None else []
        return (items[0] if items else None), action

    # -- models ----------------------------------------------------------------------------

    def train(self, task: str, target: str | None, progress: Callable[[int, int, str], None]) -> Mapping[str, Any]:
        """Fine-tune on the decisions so far; later predictions come from the new version."""
        if self.trainer is None:
            raise StorageError("training is not available in this session")
        summary = self.trainer(task, target, progress)
        with self._predictor_lock:
            self._predictors = None  # reload lazily: the registry now points at the new version
        return summary

    def predictors(self) -> Mapping[str, Any]:
        with self._predictor_lock:
            if self._predictors is None:
                if self.predictor_factory is None:
                    raise StorageError("no model available")
                self._predictors = self.predictor_factory()
            return self._predictors

    def predict(self, items: Sequence[QueueItem]) -> dict[ItemKey, tuple[Suggestion | None, Suggestion | None]]:
        """Predict what the items lack, store it (with model name and version), return it."""
        if self.blind:
            return {}
        predictors = self.predictors()
        todo = {"stance": [i for i in items if i.stance is None],
                "sentiment": list({i.key.statement_id: i for i in items if i.sentiment is None}.values())}
        for task, task_items in todo.items():
            clf = predictors.get(task)
            if clf is None or not task_items:
                continue
            rows = [PredictionItem(i.key.statement_id, i.key.target_id if task == "stance" else None, i.text,
                                   i.target_text if task == "stance" else None) for i in task_items]
            results = clf.predict([r.text for r in rows], [r.target for r in rows], batch_size=32)
            with transaction(self.engine) as session:
                add_predictions(session, task, clf.name, clf.version,
                                ((r, res.label, res.probabilities) for r, res in zip(rows, results, strict=True)),
                                precision=getattr(clf, "precision", None))
        out = {}
        with transaction(self.reader) as session:
            for item in items:
                out[item.key] = (
                    _suggestion(latest_prediction(session, item.key.statement_id, "stance", item.key.target_id)),
                    _suggestion(latest_prediction(session, item.key.statement_id, "sentiment", None)))
        return out


def _suggestion(pred) -> Suggestion | None:
    if pred is None:
        return None
    return Suggestion(pred.id, pred.label, {k: float(v) for k, v in pred.probabilities.items()},
                      model_label(pred.model_name, pred.model_version, pred.precision))
