"""Refit the relatedness gate on annotators' verdicts, mixed with the pairs it was trained on.

The gate (relatedness_gate.py) is a logistic regression on three features per pair, fitted on
46 000 ARC / VAST pairs.  Annotators add in-domain evidence: a pair they marked "not about this
target" is unrelated, a pair they gave a stance label is related.  A few dozen such verdicts
must not undo what the shipped pairs taught, so the refit never sees them alone:

- **weights**: one logistic fit on the ANCHORS (the features of a fixed sample of 2 000 of the
  shipped training pairs, anchors.npz beside gate.json) plus the verdicts, each verdict counting as
  VERDICT_WEIGHT anchor pairs: 40 verdicts are 2 % of the fit (40 contrary ones move the dev AUC
  by under a point, tests/test_relatedness_refit.py), 2 000 consistent ones half of it;
- **default threshold**: the highest that keeps >= 95 % of the related pairs of the anchors' dev
  sample AND of the verdicts' related pairs (the lower of the two), as the shipped one was chosen;
- **per-target thresholds**: a target's threshold is raised, never lowered, to keep >= 95 % of its
  own related verdicts in expectation: with n related pairs (n >= MIN_TARGET_RELATED) it is their
  k-th lowest score, k = floor(0.05 (n + 1)) (a new related pair of that target falls below the
  k-th of n exchangeable scores with probability k / (n + 1) <= 0.05), and only where that keeps out
  at least one of the target's not-about pairs (no evidence of a gain, no change).  Lowering is not
  offered: the annotated pairs are those the queue showed, so related pairs below the old threshold
  were never seen.

Everything here is numbers and plain strings (no database, no encoder): the caller computes the
verdicts' features with the parent gate (RelatednessGate.features).
"""

from __future__ import annotations

import json
import math
import random
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .relatedness_gate import (FEATURES, GATE_DIR, GATE_FILE, GateParams, fit_logistic, gate_metrics,
                               threshold_for_recall)

ANCHORS_FILE = "anchors.npz"
VERDICT_WEIGHT = 1.0  # an anchor stands for 23 of the 46 000 pairs: a verdict already weighs more
TARGET_RECALL = 0.95
MIN_TARGET_RELATED = 19  # the lowest of 19 related scores keeps a 20th with probability 19/20 = 0.95
HELDBACK_FRACTION = 0.2


@dataclass(frozen=True)
class Anchors:
    features: np.ndarray  # (n, len(FEATURES))
    related: np.ndarray   # 0/1
    dev: np.ndarray       # bool: from the gate's dev split (thresholds are chosen on these)


def load_anchors(params: GateParams, gate_dir: str | Path | None = None) -> Anchors:
    """anchors.npz of the gate folder (the shipped one by default), checked against the gate's encoder and features."""
    from .errors import ModelError

    path = Path(gate_dir) if gate_dir is not None else GATE_DIR
    path = path / ANCHORS_FILE if path.is_dir() or path.suffix != ".npz" else path
    try:
        with np.load(path, allow_pickle=False) as stored:
            names = tuple(str(n) for n in stored["feature_names"])
            encoder, max_length = str(stored["encoder"]), int(stored["max_length"])
            anchors = Anchors(np.asarray(stored["features"], float), np.asarray(stored["related"], int),
                              np.asarray(stored["dev"], bool))
    except FileNotFoundError:
        raise ModelError(f"the relatedness gate has no anchor pairs to refit with: {path} is missing "
                         f"(python -m models.train_relatedness_gate --anchors-only writes it)") from None
    except (OSError, KeyError, ValueError) as exc:
        raise ModelError(f"unusable anchor pairs {path}: {exc}".splitlines()[0]) from None
    if names != FEATURES or encoder != params.encoder or max_length != params.max_length:
        raise ModelError(f"anchor pairs {path} were computed with other features or another encoder "
                         f"({encoder}, {max_length}, {', '.join(names)}) than the gate's")
    return anchors


def split_heldback(related: np.ndarray, seed: int, fraction: float = HELDBACK_FRACTION) -> np.ndarray:
    """A seeded, label-stratified held-back mask (a class of one pair stays in the fit)."""
    rng = random.Random(seed)
    held = np.zeros(len(related), bool)
    for label in (0, 1):
        group = [i for i in range(len(related)) if related[i] == label]
        rng.shuffle(group)
        k = int(round(len(group) * fraction)) if len(group) > 1 else 0
        held[group[:k]] = True
    return held


def target_thresholds(scores: np.ndarray, related: np.ndarray, targets: list[str], default: float,
                      recall: float = TARGET_RECALL, min_related: int = MIN_TARGET_RELATED) -> dict[str, float]:
    """Raised thresholds of the targets whose verdicts justify one (see the module's docstring)."""
    scores, related = np.asarray(scores, float), np.asarray(related).astype(bool)
    out: dict[str, float] = {}
    for target in sorted(set(targets)):
        mine = np.array([t == target for t in targets])
        kept = np.sort(scores[mine & related])
        n = len(kept)
        if n < min_related:
            continue
        k = max(1, int(math.floor((1.0 - recall) * (n + 1) + 1e-9)))
        threshold = math.floor(kept[k - 1] * 1e4) / 1e4  # rounded down: the k-th pair stays in
        gained = int((scores[mine & ~related] < threshold).sum())
        if threshold > default and gained > 0:
            out[target] = threshold
    return out


def _pair_thresholds(params: GateParams, targets: list[str]) -> np.ndarray:
    return np.array([params.threshold_for(t) for t in targets], float)


def _metrics(params: GateParams, x: np.ndarray, related: np.ndarray, targets: list[str]) -> dict:
    if not len(related):
        return {"n": 0}
    report = gate_metrics(params.probability(x), related, _pair_thresholds(params, targets))
    return {k: None if isinstance(v, float) and math.isnan(v) else v for k, v in report.items()}  # JSON has no NaN


def refit(parent: GateParams, anchors: Anchors, x: np.ndarray, related: np.ndarray, targets: list[str],
          heldback: np.ndarray, version: str) -> tuple[GateParams, dict]:
    """The refitted gate and its report: dev_metrics / parent_dev_metrics on the held-back verdicts (`heldback`)
    and on the anchors' dev sample (`shipped_dev`), plus what the fit used."""
    x, related, heldback = np.asarray(x, float), np.asarray(related, int), np.asarray(heldback, bool)
    fit = ~heldback
    fit_targets = [t for t, h in zip(targets, heldback) if not h]
    train_anchor = ~anchors.dev
    features = np.concatenate([anchors.features[train_anchor], x[fit]])
    labels = np.concatenate([anchors.related[train_anchor], related[fit]]).astype(float)
    weights = np.concatenate([np.ones(int(train_anchor.sum())), np.full(int(fit.sum()), VERDICT_WEIGHT)])
    weight, bias = fit_logistic(features, labels, sample_weight=weights)
    new = replace(parent, version=version, weight=tuple(float(w) for w in weight), bias=float(bias),
                  target_thresholds=())
    anchor_dev = anchors.dev
    threshold = threshold_for_recall(new.probability(anchors.features[anchor_dev]), anchors.related[anchor_dev],
                                     TARGET_RECALL)
    fit_scores = new.probability(x[fit])
    if related[fit].any():
        threshold = min(threshold, threshold_for_recall(fit_scores, related[fit], TARGET_RECALL))
    threshold = math.floor(threshold * 1e4) / 1e4
    per_target = target_thresholds(fit_scores, related[fit], fit_targets, threshold)
    new = replace(new, threshold=threshold, target_thresholds=tuple(sorted(per_target.items())))
    held_targets = [t for t, h in zip(targets, heldback) if h]
    dev_anchor_targets = [""] * int(anchor_dev.sum())  # anchor pairs have no target of the database
    report = {
        "dev_metrics": {"heldback": _metrics(new, x[heldback], related[heldback], held_targets),
                        "shipped_dev": _metrics(new, anchors.features[anchor_dev], anchors.related[anchor_dev],
                                                dev_anchor_targets)},
        "parent_dev_metrics": {"heldback": _metrics(parent, x[heldback], related[heldback], held_targets),
                               "shipped_dev": _metrics(parent, anchors.features[anchor_dev],
                                                       anchors.related[anchor_dev], dev_anchor_targets)},
        "fit": {"anchor_pairs": int(train_anchor.sum()), "verdict_pairs": int(fit.sum()),
                "verdict_weight": VERDICT_WEIGHT, "heldback_pairs": int(heldback.sum())},
    }
    return new, report


def better(new: dict, parent: dict, recall: float = TARGET_RECALL) -> bool | None:
    """Is `new` better than `parent` on the same held-back pairs?  Recall of related pairs counts up to the
    target recall (0.95) first, then the share of unrelated pairs kept out; equal is not better.
    None when there is nothing to compare on."""
    def key(m: dict) -> tuple[float, ...]:
        parts = []
        r, f = m.get("recall_related"), m.get("filtered_unrelated")
        if r is not None and not math.isnan(r):
            parts.append(min(r, recall))
        if f is not None and not math.isnan(f):
            parts.append(f)
        return tuple(parts)
    a, b = key(new or {}), key(parent or {})
    if not a or len(a) != len(b):
        return None
    return a > b


def save_version(params: GateParams, out_dir: Path, anchors_from: Path, meta: dict) -> None:
    """gate.json (params + meta) and a copy of the anchors into a new folder, which must not exist yet."""
    out_dir.mkdir(parents=True)
    cfg = {"task": "relatedness", "name": params.name, "version": params.version, "encoder": params.encoder,
           "max_length": params.max_length, "features": list(FEATURES), "weight": list(params.weight),
           "bias": params.bias, "threshold": params.threshold,
           "target_thresholds": dict(params.target_thresholds), "target_recall": TARGET_RECALL, **meta}
    tmp = out_dir / (GATE_FILE + ".tmp")
    tmp.write_text(json.dumps(cfg, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out_dir / GATE_FILE)
    source = anchors_from / ANCHORS_FILE if anchors_from.is_dir() else anchors_from
    shutil.copyfile(source, out_dir / ANCHORS_FILE)  # a refit of this version finds its anchors beside it
