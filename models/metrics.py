"""Classification metrics and calibration, in plain numpy.

scikit-learn is only a test dependency, so the application computes its own
(macro-F1, per-class P/R/F1, confusion, ECE, temperature).
"""

from __future__ import annotations

import numpy as np


def classification_report(gold: list[str], pred: list[str], labels: tuple[str, ...]) -> dict:
    idx = {lab: i for i, lab in enumerate(labels)}
    k = len(labels)
    cm = np.zeros((k, k), dtype=int)
    for g, p in zip(gold, pred):
        cm[idx[g], idx[p]] += 1
    per_class = {}
    for i, lab in enumerate(labels):
        tp = cm[i, i]
        fp = cm[:, i].sum() - tp
        fn = cm[i, :].sum() - tp
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per_class[lab] = {"precision": float(prec), "recall": float(rec), "f1": float(f1), "support": int(cm[i].sum())}
    n = int(cm.sum())
    return {
        "n": n,
        "accuracy": float(np.trace(cm) / n) if n else 0.0,
        "macro_f1": float(np.mean([per_class[lab]["f1"] for lab in labels])) if labels else 0.0,
        "per_class": per_class,
        "confusion": {"labels": list(labels), "matrix": cm.tolist()},
    }


def f_avg(report: dict) -> float:
    """SemEval-2016's stance score, also what two-class stance sets are judged on: the mean F1 of favor and against
    in a classification_report."""
    return (report["per_class"]["favor"]["f1"] + report["per_class"]["against"]["f1"]) / 2


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def ece(probs: np.ndarray, gold_idx: np.ndarray, bins: int = 10) -> float:
    """Expected calibration error of the top-class confidence, equal-width bins."""
    probs = np.asarray(probs)
    if len(probs) == 0:
        return 0.0
    conf = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == np.asarray(gold_idx)).astype(float)
    edges = np.linspace(0.0, 1.0, bins + 1)
    total = 0.0
    for lo, hi in zip(edges[:-1], edges[1:]):
        sel = (conf > lo) & (conf <= hi)
        if sel.any():
            total += sel.mean() * abs(conf[sel].mean() - correct[sel].mean())
    return float(total)


def nll(logits: np.ndarray, gold_idx: np.ndarray, temperature: float) -> float:
    p = softmax(logits, temperature)
    return float(-np.mean(np.log(p[np.arange(len(p)), gold_idx] + 1e-12)))


def fit_temperature(logits: np.ndarray, gold_idx: np.ndarray) -> float:
    """Temperature minimising dev NLL; a log-spaced grid then a finer one (1-D, robust, no optimiser)."""
    if len(logits) == 0:
        return 1.0
    grid = np.exp(np.linspace(np.log(0.2), np.log(10.0), 120))
    best = min(grid, key=lambda t: nll(logits, gold_idx, t))
    fine = np.linspace(best * 0.93, best * 1.07, 41)
    return float(min(fine, key=lambda t: nll(logits, gold_idx, t)))
