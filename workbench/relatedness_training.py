"""`workbench train --task relatedness`: refit the relatedness gate on the annotators' verdicts.

A pair an annotator marked "not about this target" (`r`) is an unrelated example; a pair they
gave a stance label is a related one (db/relatedness_verdicts.py resolves several annotators).
The active gate version (the shipped one unless `workbench models use` chose another) computes
the pairs' features (the statement in its paragraph, as `prelabel` scores it); the refit
(models/relatedness_refit.py) mixes them with the gate's own anchor pairs, chooses the default
threshold and raises single targets' thresholds where their verdicts justify it.  The new
version is saved next to the database (`relatedness/<version>/gate.json`) and activated by
the rule stance and sentiment follow (workbench/training.py): only when it beats its parent
on the same held-back verdicts, unless `--activate` / `--no-activate`.  `prelabel` then scores
the pairs with it and the queue reads the newest score.
"""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from db.engine import Engine

from workbench.errors import WorkbenchError
from workbench.training import MIN_EXAMPLES, STAGING, Progress, _dir_name, decide_activation

TASK = "relatedness"
BATCH = 256  # pairs per feature pass: progress stays live, memory flat


def collect_verdicts(engine: Engine):
    """(Verdicts, contexts): the resolved pairs and each statement's paragraph (what the gate scores it in)."""
    from db.engine import readonly, transaction
    from db.relatedness_verdicts import verdict_pairs
    from workbench.passages import paragraph

    with transaction(readonly(engine)) as session:
        verdicts = verdict_pairs(session)
        texts = verdicts.document_texts(session)
    contexts = [paragraph(texts[p.document_id], p.start, p.end) for p in verdicts.pairs]
    return verdicts, contexts


def _check_enough(verdicts) -> None:
    n = len(verdicts.pairs)
    left_out = "".join(f", {k} {what} left out" for k, what in ((verdicts.tied, "tied pair(s)"),
                                                                (verdicts.not_a_statement,
                                                                 "pair(s) of statements flagged not a statement")) if k)
    if n == 0 and not left_out:
        raise WorkbenchError("no relatedness verdicts in the database yet: label items (a stance means related) or "
                             "mark them not about the target (r) in `workbench annotate` first")
    if n < MIN_EXAMPLES:
        raise WorkbenchError(f"too few relatedness verdicts: {n} usable{left_out}; refitting needs at least "
                             f"{MIN_EXAMPLES} ({MIN_EXAMPLES - n} more)")


def _sha(pairs) -> str:
    return hashlib.sha256("\n".join(f"{p.statement_id}\t{p.target_id}\t{p.related}\t{p.text}\t{p.target}"
                                    for p in pairs).encode()).hexdigest()


def train_relatedness(engine: Engine, models_dir: str | None = None, seed: int = 13, progress: Progress | None = None,
                      activate: bool | None = None, load_gate=None) -> dict[str, Any]:
    """Refit the active relatedness gate on the database's verdicts; save a new version, activate it if better.

    `load_gate(path)` loads a gate folder (default models.relatedness_gate.load_gate).  Returns a summary
    like `train_from_decisions`'s: version, parent, path, counts, dev_metrics / parent_dev_metrics (held-back
    verdicts and the anchors' dev sample), thresholds, activation, seconds.
    """
    import numpy as np

    from models.registry import active_version, list_versions, set_active
    from models.relatedness_gate import load_gate as default_load_gate, load_params
    from models.relatedness_refit import load_anchors, refit, save_version, split_heldback
    from models.relatedness_refit import better as refit_better
    from workbench.modelstore import models_dir_for

    started = time.monotonic()
    verdicts, contexts = collect_verdicts(engine)
    _check_enough(verdicts)
    store = Path(models_dir or models_dir_for(engine))
    parent = active_version(store, TASK)
    if parent is None:
        raise WorkbenchError("no active relatedness gate to start from: models/weights/relatedness/gate.json is "
                             "missing and no version was activated (workbench models use VERSION --task relatedness)")
    anchors = load_anchors(load_params(parent["path"]), parent["path"])  # refused before the encoder loads
    gate = (load_gate or default_load_gate)(parent["path"])
    pairs = verdicts.pairs
    chunks = []
    for begin in range(0, len(pairs), BATCH):
        part = slice(begin, begin + BATCH)
        chunks.append(gate.features([p.text for p in pairs[part]], [p.target for p in pairs[part]], contexts[part]))
        if progress:
            progress(min(begin + BATCH, len(pairs)), len(pairs), "scoring the annotated pairs")
    x = np.concatenate(chunks)
    related = np.array([p.related for p in pairs])
    targets = [p.target for p in pairs]
    heldback = split_heldback(related, seed)
    sha = _sha(pairs)
    version = f"{gate.version.split('+')[0]}+ft.{time.strftime('%Y%m%dT%H%M%S')}.{sha[:6]}"
    taken = {e["version"] for e in list_versions(store) if e["task"] == TASK}
    if version in taken:  # same second, same verdicts: keep versions unique
        n = 2
        while f"{version}.{n}" in taken:
            n += 1
        version = f"{version}.{n}"
    new, report = refit(gate.params, anchors, x, related, targets, heldback, version)
    meta = {
        "parent": {"version": gate.version, "name": parent["name"], "path": parent["path"],
                   "shipped": parent["shipped"]},
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "training_set_sha256": sha,
        "dev_metrics": report["dev_metrics"],
        "parent_dev_metrics": report["parent_dev_metrics"],
        "fit": report["fit"],
        "verdicts": {"database": engine.url.render_as_string(hide_password=True), "pairs": len(pairs),
                     "related": int(related.sum()), "not_about": int(len(pairs) - related.sum()),
                     "tied_skipped": verdicts.tied, "not_a_statement_skipped": verdicts.not_a_statement},
    }
    staging_root = store / STAGING
    staging_root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{TASK}-", dir=staging_root))
    try:
        save_version(new, staging / "model", Path(parent["path"]), meta)
        final = store / TASK / _dir_name(version)
        final.parent.mkdir(parents=True, exist_ok=True)
        (staging / "model").replace(final)  # atomic: a version appears complete or not at all
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    held_new, held_parent = report["dev_metrics"]["heldback"], report["parent_dev_metrics"]["heldback"]
    is_better = refit_better(held_new, held_parent)
    activation = decide_activation("recall_related (to 0.95), then filtered_unrelated", held_new, held_parent,
                                   is_better, None if is_better is None else _compare_words(held_new, held_parent,
                                                                                            is_better), activate)
    if activation["activated"]:
        set_active(store, TASK, version)
    return {
        "task": TASK, "name": new.name, "version": version, "parent": gate.version,
        "parent_shipped": parent["shipped"], "path": str(final), "models_dir": str(store),
        "training_set_sha256": sha, "n_examples": len(pairs), "n_train": report["fit"]["verdict_pairs"],
        "n_dev": report["fit"]["heldback_pairs"], "anchor_pairs": report["fit"]["anchor_pairs"],
        "verdict_weight": report["fit"]["verdict_weight"],
        "related": int(related.sum()), "not_about": int(len(pairs) - related.sum()),
        "tied_skipped": verdicts.tied, "not_a_statement_skipped": verdicts.not_a_statement,
        "threshold": new.threshold, "parent_threshold": gate.params.threshold,
        "target_thresholds": dict(new.target_thresholds),
        "dev_metrics": report["dev_metrics"], "parent_dev_metrics": report["parent_dev_metrics"],
        "activation": activation, "activated": activation["activated"],
        "seconds": round(time.monotonic() - started, 1),
    }


def _compare_words(new: dict, parent: dict, is_better: bool) -> str:
    def both(m: dict) -> str:
        return f"recall_related {_num(m.get('recall_related'))}, filtered_unrelated {_num(m.get('filtered_unrelated'))}"
    return f"{both(new)} {'beats' if is_better else 'does not beat'} {both(parent)}"


def _num(value) -> str:
    import math

    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.3f}"
