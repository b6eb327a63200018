"""Evaluate a classifier on a labelled file (NewsMTSC JSONL, VAST CSV, SemEval/TweetEval dir)."""

from __future__ import annotations

from collections.abc import Callable

from .data import FORMAT_TASK, Example, read
from .errors import DataError

# Predicted a chunk at a time, so that memory stays flat on a big file and progress can be shown.
# Large enough that every dev set is one chunk: the same length-sorted batches as one predict call.
CHUNK = 4096


def read_examples(task: str, fmt: str, path, split: str | None = None) -> list[Example]:
    """The labelled examples of path, or a one-line DataError: before any model is loaded."""
    if fmt not in FORMAT_TASK:
        raise DataError(f"unknown data format {fmt!r} (expected {', '.join(FORMAT_TASK)})")
    if FORMAT_TASK[fmt] != task:
        raise DataError(f"format {fmt!r} holds {FORMAT_TASK[fmt]} labels, not {task}")
    examples = read(fmt, path, split)
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def evaluate_examples(task: str, fmt: str, examples: list[Example], classifier=None, batch_size: int = 32,
                      model_path=None, on_progress: Callable[[int], None] | None = None) -> dict:
    """Predict with classifier (default: the model in model_path, else the shipped model for task), score.

    Returns n, macro_f1, accuracy, per_class, confusion, ece (calibrated probabilities), for
    stance f_avg = mean of F1(favor), F1(against) (SemEval's score; on two-class sets the score), and where the file marks subsets (VAST's
    seen? column) subsets = {name: {n, macro_f1}}. on_progress(n) is called as n more are predicted.
    """
    if classifier is None:
        from .classifiers import load_classifier

        classifier = load_classifier(task, model_path)
    import numpy as np

    from .metrics import classification_report, ece, f_avg

    labels = tuple(classifier.labels)
    preds = []
    for start in range(0, len(examples), CHUNK):
        chunk = examples[start:start + CHUNK]
        preds += classifier.predict([e.text for e in chunk], [e.target for e in chunk], batch_size=batch_size)
        if on_progress is not None:
            on_progress(len(chunk))
    gold = [e.label for e in examples]
    report = classification_report(gold, [p.label for p in preds], labels)
    probs = np.array([[p.probabilities[lab] for lab in labels] for p in preds])
    report["ece"] = ece(probs, np.array([labels.index(g) for g in gold]))
    if task == "stance":  # SemEval's official score; the mean F1 of favor and against on two-class sets
        report["f_avg"] = f_avg(report)
    subsets = sorted({e.subset for e in examples if e.subset})
    if subsets:
        # the way the VAST paper reports: zero-shot topics (unseen in its train split) apart from few-shot ones
        report["subsets"] = {}
        for name in subsets:
            rows = [(g, p.label) for e, g, p in zip(examples, gold, preds) if e.subset == name]
            part = classification_report([g for g, _ in rows], [p for _, p in rows], labels)
            report["subsets"][name] = {"n": part["n"], "macro_f1": part["macro_f1"]}
    report["model"] = {"name": classifier.name, "version": classifier.version}
    return report


def evaluate_file(task: str, fmt: str, path, split: str | None = None, classifier=None, batch_size: int = 32,
                  model_path=None) -> dict:
    """read_examples then evaluate_examples: a bad file fails before any model loads."""
    examples = read_examples(task, fmt, path, split)
    return evaluate_examples(task, fmt, examples, classifier, batch_size, model_path)
