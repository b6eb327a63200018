"""Does a pair's label depend on which other pairs share its batch?

    python bench/batch_invariance.py [--task stance|sentiment] [--n 400] [--batch-sizes 8 32 64]

For each variant of the shipped model (as shipped; classifier fp32; stance: relatedness pass fp32 too; fp32
matmuls where the config allows bf16),
predicts the first n pairs of each dev set alone (batch 1: no padding, no neighbours) and then in
length-sorted batches of each size, and prints the share of labels that differ from batch 1, the
largest probability difference and the macro-F1 at each size.  Dynamic int8 computes one activation
scale per input tensor, i.e. per batch, so int8 layers make predictions batch-dependent; fp32 differs
only by rounding, and bf16 by a rounding step wherever a last-bit difference upstream crosses one (the packed
forward is built so that none does: models/packed.py).  Needs the shared data dir.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def variants(task: str, cfg: dict) -> list[tuple[str, object, object, object]]:
    """(name, quantize, relatedness_int8, precision) rows; None = as the config says."""
    rows = [("as shipped", None, None, None)]
    if cfg.get("quantized"):
        rows.append(("classifier fp32", False, None, None))
    if task == "stance" and cfg.get("relatedness", {}).get("int8_on_cpu"):
        rows.append(("all fp32", False, False, None))
    if cfg.get("cpu_bf16"):
        rows.append(("fp32 matmuls", None, None, "fp32"))
    return rows


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--task", choices=["stance", "sentiment"], default=None)
    p.add_argument("--n", type=int, default=400, help="first N pairs of each dev set")
    p.add_argument("--batch-sizes", type=int, nargs="+", default=[8, 32, 64])
    p.add_argument("--model", default=None, help="a model dir instead of the shipped one (needs --task)")
    args = p.parse_args()
    from models.classifiers import load_classifier, shipped_dir
    from models.errors import DataError
    from models.modeling import read_config
    from models.metrics import classification_report
    from models.recipes import sentiment_data, stance_data

    if args.model and not args.task:
        p.error("--model needs --task")
    for task in [args.task] if args.task else ["sentiment", "stance"]:
        try:
            _, devs, _ = (sentiment_data if task == "sentiment" else stance_data)(13)
        except DataError as exc:
            print(f"skipped: {exc}")
            return 0
        pairs = [e for ex in devs.values() for e in ex[: args.n]]
        texts, targets, gold = [e.text for e in pairs], [e.target for e in pairs], [e.label for e in pairs]
        cfg = read_config(args.model or shipped_dir(task))  # the variants come from it; no model load needed
        print(f"{task}: {len(pairs)} dev pairs ({', '.join(devs)}: first {args.n} each); labels vs batch 1")
        for name, quantize, rel_int8, precision in variants(task, cfg):
            clf = load_classifier(task, args.model, quantize=quantize, relatedness_int8=rel_int8, precision=precision)
            name = f"{name} ({clf.precision})"

            def run(bs):
                t = time.perf_counter()
                preds = clf.predict(texts, targets, batch_size=bs)
                probs = np.array([[q.probabilities[lab] for lab in clf.labels] for q in preds])
                return [q.label for q in preds], probs, len(pairs) / (time.perf_counter() - t)

            ref_labels, ref_probs, speed = run(1)
            f1 = classification_report(gold, ref_labels, clf.labels)["macro_f1"]
            print(f"  {name:23s} batch  1: macro-F1 {f1:.4f}  {speed:6.1f} pairs/s")
            for bs in args.batch_sizes:
                labels, probs, speed = run(bs)
                flips = sum(a != b for a, b in zip(labels, ref_labels))
                f1 = classification_report(gold, labels, clf.labels)["macro_f1"]
                print(f"  {name:23s} batch {bs:2d}: macro-F1 {f1:.4f}  labels changed {flips:4d} "
                      f"({flips / len(pairs):6.2%})  max |dp| {np.abs(probs - ref_probs).max():.4f}  "
                      f"{speed:6.1f} pairs/s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
