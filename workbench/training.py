"""Model in the loop: fine-tune the active model version on the decisions in the database.

    train_from_decisions(engine, "stance", target="climate change")

reads the decision log (adjudicated gold first, else the label the annotators agree on or a
majority of them chose, else a single annotator's label; ties are left out, and so is every
statement someone flagged as not a statement, gold or not: its labels are no example), continues
training the ACTIVE model version of the task (the shipped one unless `workbench models use`
chose another) with `models.training.finetune`, saves the result as a new version under the
models folder (`workbench.modelstore.models_dir_for(engine)`, outside the repository, next to
the database), and activates it only when it beats its parent on the same held-back items
(`activate=None`, the default), always (`activate=True`) or never (`activate=False`).

No textual import here: the TUI calls this from a thread worker. Heavy imports (torch,
transformers) happen inside `models.training.finetune`, so importing this module is cheap.
`progress(done, total, message)` is called from the training thread after every step.
"""
from __future__ import annotations

import json
import re
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from typing import TYPE_CHECKING

from vocabulary import NOT_ABOUT, TASKS
from workbench.errors import WorkbenchError

if TYPE_CHECKING:
    from db.engine import Engine

MIN_EXAMPLES = 10  # below this the held-back dev slice is 1-2 items and the update is noise
DEV_FRACTION = 0.2
STAGING = ".staging"  # three levels deep inside the models folder: never listed as a version

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class TrainingItem:
    statement_id: int
    target_id: int | None
    text: str
    target: str | None
    label: str
    source: str  # gold | agreed | majority | single


@dataclass
class TrainingSet:
    task: str
    target: str | None
    items: list[TrainingItem] = field(default_factory=list)
    tied: int = 0  # items whose annotators split evenly and that have no gold label: left out
    not_a_statement: int = 0  # labelled items of statements flagged "not a statement": left out

    def counts(self) -> dict[str, int]:
        by_source = Counter(i.source for i in self.items)
        return {"gold": by_source["gold"], "agreed": by_source["agreed"], "majority": by_source["majority"],
                "single": by_source["single"], "tied_skipped": self.tied}

    def label_counts(self) -> dict[str, int]:
        return dict(sorted(Counter(i.label for i in self.items).items()))


def _resolve(votes: Counter) -> tuple[str | None, str]:
    """(label, source) from annotators' current labels; (None, "tied") when no label wins."""
    ranked = votes.most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, "tied"
    label, n = ranked[0]
    total = sum(votes.values())
    if total == 1:
        return label, "single"
    return label, "agreed" if n == total else "majority"


def collect_training_set(engine: Engine, task: str, target: str | int | None = None) -> TrainingSet:
    """The labelled items of a task (one stance target, or all) resolved to one label each."""
    from db.adjudication import gold_labels
    from db.corrections import current_corrections, statements_not_a_statement
    from db.decisions import current_labels
    from db.engine import readonly, transaction
    from db.lookup import statement_texts, target_texts
    from db.repository import find_target

    if task not in TASKS:
        raise WorkbenchError(f"unknown task {task!r} (expected stance or sentiment)")
    if target is not None and task != "stance":
        raise WorkbenchError("--target applies to stance only (sentiment belongs to the statement)")
    label_col = "stance" if task == "stance" else "sentiment"
    with transaction(readonly(engine)) as session:
        target_row = find_target(session, target) if target is not None else None
        target_id = target_row.id if target_row is not None else None
        votes: dict[tuple[int, int | None], Counter] = {}
        for decision in current_labels(session, task):
            key = (decision.statement_id, decision.target_id if task == "stance" else None)
            if target_id is not None and key[1] != target_id:
                continue
            votes.setdefault(key, Counter())[getattr(decision, label_col)] += 1
        gold = {k: v for k, v in gold_labels(session, task).items()
                if target_id is None or k[1] == target_id}
        # an item the adjudicator judged not about its target is no example of a stance: left out
        verdicts = {k for k, v in gold.items() if v == NOT_ABOUT}
        keys = sorted((set(votes) | set(gold)) - verdicts, key=lambda k: (k[0], k[1] or 0))
        # flagged not a statement, a standing not-a-statement verdict, or the adjudicator's gold verdict
        not_statements = statements_not_a_statement(session)
        n_keys = len(keys)
        keys = [k for k in keys if k[0] not in not_statements]
        not_a_statement = n_keys - len(keys)
        texts = statement_texts(session, (k[0] for k in keys))
        ids = sorted(texts)
        for begin in range(0, len(ids), 500):  # corrected spans: the text annotators labelled
            texts.update((sid, fixed.text) for sid, fixed in current_corrections(session, ids[begin:begin + 500]).items())
        targets = target_texts(session) if task == "stance" else {}
    result = TrainingSet(task=task, target=target_row.text if target_row is not None else None,
                         not_a_statement=not_a_statement)
    for key in keys:
        if key in gold:
            label, source = gold[key], "gold"
        else:
            label, source = _resolve(votes[key])
            if label is None:
                result.tied += 1
                continue
        result.items.append(TrainingItem(statement_id=key[0], target_id=key[1], text=texts[key[0]],
                                         target=targets.get(key[1]) if key[1] is not None else None,
                                         label=label, source=source))
    return result


def _describe(task: str, target: str | None) -> str:
    return f"{task} (target {target!r})" if target is not None else task


def _check_enough(training_set: TrainingSet) -> None:
    what = _describe(training_set.task, training_set.target)
    n = len(training_set.items)
    if n == 0 and training_set.tied == 0 and training_set.not_a_statement == 0:
        raise WorkbenchError(f"no {what} decisions in the database yet: label some items first (workbench annotate)")
    if n < MIN_EXAMPLES:
        tied = f", {training_set.tied} tied item(s) left out" if training_set.tied else ""
        if training_set.not_a_statement:
            tied += f", {training_set.not_a_statement} item(s) flagged not a statement left out"
        raise WorkbenchError(f"too few {what} examples: {n} usable{tied}; fine-tuning needs at least {MIN_EXAMPLES} "
                             f"({MIN_EXAMPLES - n} more)")


def _dir_name(version: str) -> str:
    return re.sub(r"[^A-Za-z0-9._+-]", "_", version)


def _write_config(model_dir: Path, cfg: dict) -> None:
    tmp = model_dir / "config.json.tmp"
    tmp.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(model_dir / "config.json")


COMPARED_METRIC = "macro_f1"


def activation_decision(new_metrics: dict, parent_metrics: dict, activate: bool | None) -> dict[str, Any]:
    """Whether the new version replaces its parent: strictly better held-back macro-F1, unless forced.

    A tie keeps the parent (no evidence the update helps); no held-back items means no
    comparison, so the parent stays unless `activate` is True.
    """
    new = (new_metrics or {}).get("heldback", {}).get(COMPARED_METRIC)
    parent = (parent_metrics or {}).get("heldback", {}).get(COMPARED_METRIC)
    better = None if new is None or parent is None else new > parent
    shown = None if better is None else (f"{COMPARED_METRIC} {new:.3f} > {parent:.3f}" if better
                                         else f"{COMPARED_METRIC} {new:.3f} ≤ {parent:.3f}")
    return decide_activation(COMPARED_METRIC, new, parent, better, shown, activate)


def decide_activation(metric: str, new: Any, parent: Any, better: bool | None, shown: str | None,
                      activate: bool | None) -> dict[str, Any]:
    """The activation rule every task shares: strictly better on the held-back items, unless forced.
    `shown` is the comparison in words ("macro_f1 0.700 > 0.650")."""
    if activate is True:
        reason = "activated because --activate was given"
    elif activate is False:
        reason = "not activated because --no-activate was given"
    elif better is None:
        reason = "not activated: no held-back items to compare the new version with its parent on"
    elif better:
        reason = f"activated: better than the parent on the held-back items ({shown})"
    else:
        reason = f"not activated: not better than the parent on the held-back items ({shown}); --activate to use it anyway"
    return {"metric": metric, "new": new, "parent": parent, "better": better,
            "activated": activate is True or (activate is None and bool(better)), "reason": reason}


def train_from_decisions(engine: Engine, task: str, target: str | int | None = None, models_dir: str | None = None,
                         seed: int = 13, epochs: int | None = None, progress: Progress | None = None,
                         activate: bool | None = None) -> dict[str, Any]:
    """Fine-tune the active `task` model on the database's decisions; save a new version, activate it if better.

    Returns a summary: name, version, parent, path, training_set_sha256, dev_metrics (on the
    held-back 20 % of the examples), parent_dev_metrics (the parent on the same items),
    activation (both numbers and the decision), counts by label source, whether it was activated, seconds.
    Raises WorkbenchError (one line) when there is nothing or too little to train on, for an
    unknown target, or when there is no active model to start from.
    """
    from models.data import Example
    from models.registry import active_version, list_versions, set_active
    from models.training import finetune
    from workbench.modelstore import models_dir_for

    started = time.monotonic()
    training_set = collect_training_set(engine, task, target)
    _check_enough(training_set)
    store = Path(models_dir or models_dir_for(engine))
    parent = active_version(store, task)
    if parent is None:
        raise WorkbenchError(f"no active {task} model to start from: the shipped weights (models/weights/{task}) are "
                             f"missing and no version was activated (workbench models use VERSION)")
    examples = [Example(i.text, i.target, i.label) for i in training_set.items]

    staging_root = store / STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{task}-", dir=staging_root))
    try:
        meta = finetune(task, examples, staging / "model", parent=parent["path"], seed=seed, epochs=epochs,
                        progress=progress, dev_fraction=DEV_FRACTION)
        version = meta["version"]
        taken = {e["version"] for e in list_versions(store) if e["task"] == task}
        if version in taken:  # same second, same training set: keep versions unique
            n = 2
            while f"{version}.{n}" in taken:
                n += 1
            version = f"{version}.{n}"
        meta["version"] = version
        meta["parent"] = {**meta["parent"], "name": parent["name"], "shipped": parent["shipped"]}
        meta["decisions"] = {
            "database": engine.url.render_as_string(hide_password=True),
            "target": training_set.target,
            "n_examples": len(examples),
            "sources": training_set.counts(),
            "labels": training_set.label_counts(),
        }
        _write_config(staging / "model", meta)
        final = store / task / _dir_name(version)
        final.parent.mkdir(parents=True, exist_ok=True)
        (staging / "model").replace(final)  # atomic: a version appears complete or not at all
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    activation = activation_decision(meta["dev_metrics"], meta.get("parent_dev_metrics", {}), activate)
    if activation["activated"]:
        set_active(store, task, version)
    return {
        "task": task,
        "target": training_set.target,
        "name": meta["name"],
        "version": version,
        "parent": parent["version"],
        "parent_shipped": parent["shipped"],
        "path": str(final),
        "models_dir": str(store),
        "training_set_sha256": meta["training_set_sha256"],
        "n_examples": len(examples),
        "n_train": meta["training"]["n_train"],
        "n_dev": meta["training"]["n_dev"],
        "epochs": meta["training"]["epochs"],
        "sources": training_set.counts(),
        "not_a_statement_skipped": training_set.not_a_statement,
        "labels": training_set.label_counts(),
        "dev_metrics": meta["dev_metrics"],
        "parent_dev_metrics": meta.get("parent_dev_metrics", {}),
        "activation": activation,
        "activated": activation["activated"],
        "seconds": round(time.monotonic() - started, 1),
    }
