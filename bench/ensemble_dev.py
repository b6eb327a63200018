"""Would an ensemble of stance models help?  Dev macro-F1 of each model dir and of the average of
their calibrated probabilities (every model as it would ship: combiner and temperature applied).

    python bench/ensemble_dev.py [--precision fp32|bf16] [--limit N] DIR_OR_shipped [DIR ...]

Dev sets as bench/bench_models_eval.py (none of the models trained on them).  A model dir is what
`python -m models.train --task stance --out DIR` writes; "shipped" is models/weights/stance.
The cost side is not measured here: members that differ only in their top k LoRA layers share the
frozen layers below, so a two-member ensemble runs roughly 1 + k/12 forwards.  Needs the shared data dir.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def report(gold: list[str], probs: np.ndarray, labels: list[str]) -> dict:
    from models.metrics import classification_report

    return classification_report(gold, [labels[i] for i in probs.argmax(1)], labels)


def f_scores(gold: list[str], probs: np.ndarray, labels: list[str], semeval: bool) -> str:
    rep = report(gold, probs, labels)
    out = f"macro-F1 {rep['macro_f1']:.3f}"
    if semeval:
        out += f" F_avg {(rep['per_class']['favor']['f1'] + rep['per_class']['against']['f1']) / 2:.3f}"
    return out


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("models", nargs="+", help='model dirs; "shipped" for models/weights/stance')
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--limit", type=int, default=None, help="first N examples of each dev set")
    args = p.parse_args()
    from models.classifiers import load_classifier
    from models.errors import DataError
    from models.recipes import stance_data

    try:
        _, devs, _ = stance_data(13)
    except DataError as exc:
        print(f"skipped: {exc}")
        return 0
    devs = {name: ex[: args.limit] if args.limit else ex for name, ex in devs.items()}
    probs: dict[str, list[np.ndarray]] = {name: [] for name in devs}
    labels: list[str] | None = None
    for model in args.models:
        clf = load_classifier("stance", None if model == "shipped" else model, precision=args.precision)
        if labels is not None and clf.labels != labels:
            print(f"{model}: labels {clf.labels} differ from {labels}", file=sys.stderr)
            return 2
        labels = clf.labels
        for name, ex in devs.items():
            t = time.perf_counter()
            preds = clf.predict([e.text for e in ex], [e.target for e in ex])
            dt = time.perf_counter() - t
            probs[name].append(np.array([[pr.probabilities[lab] for lab in labels] for pr in preds]))
            print(f"{clf.name} {clf.version} ({model}) {name:13s} n={len(ex):5d} "
                  f"{f_scores([e.label for e in ex], probs[name][-1], labels, 'semeval' in name)} "
                  f"{len(ex) / dt:6.1f} ex/s", flush=True)
    assert labels is not None
    for name, ex in devs.items():
        gold = [e.label for e in ex]
        best = max(report(gold, q, labels)["macro_f1"] for q in probs[name])
        mean = np.mean(probs[name], axis=0)
        print(f"ensemble of {len(args.models)} {name:13s} n={len(ex):5d} "
              f"{f_scores(gold, mean, labels, 'semeval' in name)} (best member macro-F1 {best:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
