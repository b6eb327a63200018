"""Judging a trained model on dev sets: the logits the application will see, per-set reports, temperature.

Shared by the training API (training.py) and the relatedness stages (train_relatedness.py); heavy
imports (numpy, torch through the trainer) happen inside the functions.
"""

from __future__ import annotations


def dev_report(labels, logits, gold: list[str], temperature: float, semeval: bool = False) -> dict:
    """Metrics on a dev set: argmax labels, ECE before/after temperature, F_avg for SemEval."""
    import numpy as np

    from .metrics import classification_report, ece, f_avg, softmax

    idx = {lab: i for i, lab in enumerate(labels)}
    gold_idx = np.array([idx[g] for g in gold], dtype=int)
    pred = [labels[i] for i in np.asarray(logits).argmax(axis=1)] if len(gold) else []
    rep = classification_report(gold, pred, tuple(labels))
    rep["ece_uncalibrated"] = ece(softmax(logits, 1.0), gold_idx) if len(gold) else 0.0
    rep["ece"] = ece(softmax(logits, temperature), gold_idx) if len(gold) else 0.0
    if semeval:
        rep["f_avg"] = f_avg(rep)
    return rep


def calibrate(labels, logits, gold: list[str]) -> tuple[float, float]:
    """Temperature on all dev logits, plus an honest 2-fold cross-fitted ECE."""
    import numpy as np

    from .metrics import ece, fit_temperature, softmax

    idx = {lab: i for i, lab in enumerate(labels)}
    g = np.array([idx[x] for x in gold], dtype=int)
    t = fit_temperature(logits, g)
    a, b = np.arange(len(g)) % 2 == 0, np.arange(len(g)) % 2 == 1
    cross = []
    for fit, test in ((a, b), (b, a)):
        if fit.sum() and test.sum():
            cross.append(ece(softmax(logits[test], fit_temperature(logits[fit], g[fit])), g[test]) * test.mean())
    return t, float(sum(cross)) if cross else 0.0


def model_logits(model, tokenizer, examples, max_length: int, relatedness=None, block: dict | None = None):
    """The logits the application will see: the cross-encoder's, combined with relatedness if the model has it."""
    from .relatedness import apply
    from .trainer import predict_logits

    logits = predict_logits(model, tokenizer, examples, max_length)
    return apply(relatedness, block, logits, [e.text for e in examples], [e.target for e in examples])


def dev_metrics_and_temperature(labels, devs: dict, logits_of) -> tuple[float, float, dict]:
    """Temperature (fitted on all dev logits), its cross-fitted ECE, and a report per dev set."""
    import numpy as np

    logits = {name: logits_of(ex) for name, ex in devs.items() if ex}
    all_logits = np.concatenate([logits[n] for n in logits]) if logits else np.zeros((0, len(labels)))
    all_gold = [e.label for n in logits for e in devs[n]]
    temperature, ece_cross = calibrate(labels, all_logits, all_gold) if all_gold else (1.0, 0.0)
    from .recipes import dev_primary_metric

    reports = {
        name: dev_report(labels, logits[name], [e.label for e in devs[name]], temperature,
                         semeval=dev_primary_metric(name) == "f_avg")
        for name in logits
    }
    return temperature, ece_cross, reports
