"""Evaluate a classifier on a labelled file (NewsMTSC JSONL, VAST CSV, SemEval/TweetEval dir)."""

from __future__ import annotations

from .data import FORMAT_TASK, read
from .errors import DataError


def evaluate_file(task: str, fmt: str, path, split: str | None = None, classifier=None, batch_size: int = 32,
                  model_path=None) -> dict:
    """Read path as fmt, predict with classifier (default: the model in model_path, else the shipped
    model for task), score. The file is read before any model is loaded: a bad file fails fast.

    Returns n, macro_f1, accuracy, per_class, confusion, ece (calibrated
    probabilities) and, for semeval, f_avg = mean of F1(favor), F1(against).
    """
    if fmt not in FORMAT_TASK:
        raise DataError(f"unknown data format {fmt!r} (expected newsmtsc, vast, vast_train, semeval or news)")
    if FORMAT_TASK[fmt] != task:
        raise DataError(f"format {fmt!r} holds {FORMAT_TASK[fmt]} labels, not {task}")
    examples = read(fmt, path, split)
    if not examples:
        raise DataError(f"{path}: no examples")
    if classifier is None:
        from .classifiers import load_classifier

        classifier = load_classifier(task, model_path)
    import numpy as np

    from .metrics import classification_report, ece

    labels = tuple(classifier.labels)
    preds = classifier.predict([e.text for e in examples], [e.target for e in examples], batch_size=batch_size)
    gold = [e.label for e in examples]
    report = classification_report(gold, [p.label for p in preds], labels)
    probs = np.array([[p.probabilities[lab] for lab in labels] for p in preds])
    report["ece"] = ece(probs, np.array([labels.index(g) for g in gold]))
    if fmt == "semeval":
        report["f_avg"] = (report["per_class"]["favor"]["f1"] + report["per_class"]["against"]["f1"]) / 2
    report["model"] = {"name": classifier.name, "version": classifier.version}
    return report
