"""Statements from the database → classifiers → predictions in the database.

The classifiers are passed in (a dict task → object with name, version and
predict(texts, targets, batch_size)), so tests and the UI can supply their own; by
default the active model versions are loaded from models/.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from db.engine import Engine, readonly, transaction
from db.repository import (PredictionItem, RelatednessItem, add_predictions, document_texts,
                           items_missing_predictions, items_missing_relatedness)
from vocabulary import RELATED, RELATEDNESS_TASK, SENTIMENT, STANCE, UNRELATED

# the order the models load and predict in (and so the order their prediction rows get ids): sentiment first
TASKS = (SENTIMENT, STANCE)
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


class Gate(Protocol):
    """What prelabel needs of the relatedness gate (models.relatedness_gate.RelatednessGate; its optional
    threshold_for(target) gives a target's own threshold)."""
    name: str
    version: str
    threshold: float

    def score(self, statements: list[str], targets: list[str], contexts: list[str | None]) -> Any: ...


def load_gate(models_dir: str | None = None) -> Gate:
    """The active relatedness gate: the shipped one unless `train --task relatedness` or `models use` chose another."""
    from models.registry import active_version
    from models.relatedness_gate import load_gate as load

    active = active_version(models_dir, RELATEDNESS_TASK) if models_dir else None
    return load(active["path"] if active else None)


def pending_relatedness(engine: Engine, gate: Gate) -> list[RelatednessItem]:
    with transaction(engine) as session:
        return items_missing_relatedness(session, gate.name, gate.version)


def relatedness_rows(gate: Gate, items: list[RelatednessItem], texts: Mapping[int, str]):
    """(item, label, probabilities, score) per pair: score is the gate's P(related), or 1.0 where one of the
    target's keywords occurs in the statement or its paragraph (the queue then keeps the pair whatever the model)."""
    from models.relatedness_gate import keyword_match
    from workbench.passages import paragraph

    contexts = [paragraph(texts[i.document_id], i.start, i.end) for i in items]
    probabilities = gate.score([i.text for i in items], [i.target for i in items], contexts)
    threshold_for = getattr(gate, "threshold_for", lambda target: gate.threshold)  # a refit raises some targets'
    for item, context, p in zip(items, contexts, probabilities, strict=True):
        p = float(p)
        score = 1.0 if item.aliases and keyword_match(item.aliases, [item.text, context]) else p
        yield (PredictionItem(item.statement_id, item.target_id, item.text, item.target),
               RELATED if score >= threshold_for(item.target) else UNRELATED,
               {RELATED: p, UNRELATED: 1.0 - p}, score)


def prelabel_relatedness(engine: Engine, gate: Gate, items: list[RelatednessItem] | None = None,
                         on_progress: Callable[[int], None] | None = None) -> int:
    """Score every (statement, target) pair this gate version has not scored yet; returns how many."""
    items = pending_relatedness(engine, gate) if items is None else items
    written = 0
    for begin in range(0, len(items), CHUNK):
        chunk = items[begin:begin + CHUNK]
        with transaction(engine) as session:
            texts = document_texts(session, {i.document_id for i in chunk})
        rows = list(relatedness_rows(gate, chunk, texts))
        with transaction(engine) as session:
            written += add_predictions(session, RELATEDNESS_TASK, gate.name, gate.version, rows,
                                       precision=getattr(gate, "precision", None))
        if on_progress:
            on_progress(len(chunk))
    return written
