"""Would an ensemble of stance models help?  Dev macro-F1 of each model dir and of the average of
their calibrated probabilities (every model as it would ship: combiner and temperature applied).

    python bench/ensemble_dev.py [--devs multi|classic] [--precision fp32|bf16] [--limit N] DIR_OR_shipped [DIR ...]

Dev sets: --devs multi (default) every stance corpus's dev slice as the multi-corpus recipe makes them
(models/recipes.py stance_multi_data), with each model's selection score (the mean of every dev set's
primary metric, what stance models are chosen on); --devs classic the four of bench/bench_models_eval.py.
With one model dir this is the per-corpus dev report of that model.  A model dir is what
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


def scored(gold: list[str], probs: np.ndarray, labels: list[str]) -> dict:
    from models.metrics import f_avg

    rep = report(gold, probs, labels)
    rep["f_avg"] = f_avg(rep)
    return rep


def f_scores(name: str, rep: dict) -> str:
    from models.recipes import dev_primary_metric

    primary = dev_primary_metric(name)
    return (f"macro-F1 {rep['macro_f1']:.3f} F_avg {rep['f_avg']:.3f} acc {rep['accuracy']:.3f} "
            f"[{primary} {rep[primary]:.3f}]")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("models", nargs="+", help='model dirs; "shipped" for models/weights/stance')
    p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
    p.add_argument("--limit", type=int, default=None, help="first N examples of each dev set")
    p.add_argument("--devs", choices=["multi", "classic"], default="multi")
    p.add_argument("--grid", action="store_true",
                   help="two models: also print the selection score of w*first + (1-w)*second for w in 0.0..1.0")
    args = p.parse_args()
    from models.classifiers import load_classifier
    from models.errors import DataError
    from models.recipes import selection_score, stance_data, stance_multi_data

    try:
        _, devs, _ = (stance_multi_data if args.devs == "multi" else stance_data)(13)
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
        reports = {}
        for name, ex in devs.items():
            t = time.perf_counter()
            preds = clf.predict([e.text for e in ex], [e.target for e in ex])
            dt = time.perf_counter() - t
            probs[name].append(np.array([[pr.probabilities[lab] for lab in labels] for pr in preds]))
            reports[name] = scored([e.label for e in ex], probs[name][-1], labels)
            print(f"{clf.name} {clf.version} ({model}) {name:20s} n={len(ex):5d} {f_scores(name, reports[name])} "
                  f"{len(ex) / dt:6.1f} ex/s", flush=True)
        print(f"{clf.name} {clf.version} ({model}) selection score (mean of {len(reports)} dev sets): "
              f"{selection_score(reports):.3f}", flush=True)
    assert labels is not None
    if len(args.models) > 1:
        for name, ex in devs.items():
            gold = [e.label for e in ex]
            best = max(report(gold, q, labels)["macro_f1"] for q in probs[name])
            print(f"ensemble of {len(args.models)} {name:20s} n={len(ex):5d} "
                  f"{f_scores(name, scored(gold, np.mean(probs[name], axis=0), labels))} (best member macro-F1 {best:.3f})")
    if args.grid and len(args.models) == 2:
        from models.recipes import dev_primary_metric

        for w in np.linspace(0.0, 1.0, 11):
            reports = {name: scored([e.label for e in ex], w * probs[name][0] + (1 - w) * probs[name][1], labels)
                       for name, ex in devs.items()}
            per_set = " ".join(f"{name}={rep[dev_primary_metric(name)]:.3f}" for name, rep in reports.items())
            print(f"w={w:.1f} selection score {selection_score(reports):.3f}  {per_set}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
