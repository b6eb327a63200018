"""Statements from the database → classifiers → predictions in the database.

The classifiers are passed in (a dict task → object with name, version and
predict(texts, targets, batch_size)), so tests and the UI can supply their own; by
default the active model versions are loaded from models/.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from sqlalchemy import Engine

from db.engine import readonly, transaction
from db.repository import PredictionItem, add_predictions, items_missing_predictions

TASKS = ("sentiment", "stance")
CHUNK = 512  # items per write transaction: progress stays live and memory flat
# said before loading: the first load unpacks the sentiment model's base (438 MB), which takes seconds
LOADING_MODELS = "loading the pre-labelling models (the first time also unpacks the MPNet base, ~440 MB)…"


class Predictor(Protocol):
    """What prelabel needs of a model; an optional `precision` attribute ("fp32", "bf16", "int8") is stored too."""
    name: str
    version: str

    def predict(self, texts: list[str], targets: list[str | None], batch_size: int = 32) -> list[Any]: ...


def load_classifiers(models_dir: str | None = None) -> dict[str, Predictor]:
    """The active version of each task's model (the shipped one unless `models use` chose another)."""
    from models.classifiers import load_classifier
    from models.registry import active_version

    loaded = {}
    for task in TASKS:
        active = active_version(models_dir, task) if models_dir else None
        loaded[task] = load_classifier(task, active["path"] if active else None)
    return loaded


def pending(engine: Engine, classifiers: Mapping[str, Predictor],
            statement_ids: set[int] | None = None) -> dict[str, list[PredictionItem]]:
    with transaction(readonly(engine)) as session:  # a read: never waits for another program's write lock
        todo = {task: items_missing_predictions(session, task, clf.name, clf.version)
                for task, clf in classifiers.items()}
    if statement_ids is not None:
        todo = {task: [i for i in items if i.statement_id in statement_ids] for task, items in todo.items()}
    return todo


def prelabel(engine: Engine, classifiers: Mapping[str, Predictor], batch_size: int = 32,
             statement_ids: set[int] | None = None,
             on_start: Callable[[int], None] | None = None,
             on_progress: Callable[[int], None] | None = None) -> dict[str, int]:
    """Predict every (statement, target) the given model versions have not predicted yet."""
    todo = pending(engine, classifiers, statement_ids)
    if on_start:
        on_start(sum(len(items) for items in todo.values()))
    written: dict[str, int] = {}
    for task, items in todo.items():
        clf = classifiers[task]
        written[task] = 0
        for begin in range(0, len(items), CHUNK):
            chunk = items[begin:begin + CHUNK]
            results = clf.predict([i.text for i in chunk], [i.target for i in chunk], batch_size=batch_size)
            with transaction(engine) as session:
                written[task] += add_predictions(
                    session, task, clf.name, clf.version,
                    ((item, r.label, r.probabilities) for item, r in zip(chunk, results, strict=True)),
                    precision=getattr(clf, "precision", None))
            if on_progress:
                on_progress(len(chunk))
    return written
