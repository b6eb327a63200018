"""Dev metrics of the shipped models, fp32 vs dynamic int8 per tensor / per channel (macro-F1, F_avg, ECE, speed),
or fp32 vs bf16 matmuls (--precision fp32 bf16: the judgement behind a config's "cpu_bf16").

    python bench/bench_models_eval.py [--limit N] [--task stance|sentiment] [--model DIR] [--keep-fp32 REGEX ...]
                                      [--read-length N] [--precision fp32 bf16]

Dev splits are the ones the models were *not* trained on (see models/recipes.py):
sentiment = sentence-grouped 15 % slice of NewsMTSC train (seed 13);
stance = VAST dev + SemEval-2016 val + the held-out 15 % of GWSD and Emergent.  Needs the shared data dir.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np


def with_config(model: str | None, task: str, changes: dict) -> str:
    """A temporary copy of the model dir whose config has `changes` (the weights are not touched)."""
    import json
    import shutil
    import tempfile
    from pathlib import Path

    from models.classifiers import shipped_dir

    copy = Path(tempfile.mkdtemp(prefix="model_variant_")) / "model"
    shutil.copytree(Path(model) if model else shipped_dir(task), copy)
    cfg = json.loads((copy / "config.json").read_text(encoding="utf-8"))
    cfg.update(changes)
    (copy / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
    print(f"config changed: {json.dumps(changes)}")
    return str(copy)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--limit", type=int, default=None, help="first N examples of each dev set")
    p.add_argument("--task", choices=["stance", "sentiment"], default=None)
    p.add_argument("--no-quantized", action="store_true")
    p.add_argument("--model", default=None, help="a model dir to judge instead of the shipped one (needs --task)")
    p.add_argument("--keep-fp32", nargs="+", default=None, metavar="REGEX",
                   help="judge int8 with these Linear layers left fp32 instead of the config's quantization_keep_fp32")
    p.add_argument("--read-length", type=int, default=None, metavar="N",
                   help="judge the model reading N word pieces instead of its config's max_length (same combiner)")
    p.add_argument("--precision", nargs="+", choices=["fp32", "bf16"], default=None,
                   help="judge these matmul precisions (packed MPNet forward, no int8) instead of the int8 schemes")
    args = p.parse_args()
    from models.classifiers import load_classifier
    from models.errors import DataError
    from models.metrics import classification_report, ece
    from models.recipes import sentiment_data, stance_data

    if args.model and not args.task:
        p.error("--model needs --task")
    changes = {k: v for k, v in (("quantization_keep_fp32", args.keep_fp32), ("max_length", args.read_length))
               if v is not None}
    if changes:
        if not args.task:
            p.error("--keep-fp32 and --read-length need --task")
        args.model = with_config(args.model, args.task, changes)
    tasks = [args.task] if args.task else ["sentiment", "stance"]
    for task in tasks:
        try:
            _, devs, _ = (sentiment_data if task == "sentiment" else stance_data)(13)
        except DataError as exc:
            print(f"skipped: {exc}")
            return 0
        # both int8 schemes, whatever the config ships: the card's choice is made from these rows
        variants = [("fp32", False, None)] + ([] if args.no_quantized else [
            ("int8", "per_tensor", None), ("int8-channel", "per_channel", None)])
        if task == "stance" and not args.no_quantized:  # the relatedness pass alone in fp32 (int8 where the card says so)
            variants.append(("fp32+rel-fp32", False, False))
        if args.precision:
            variants = [(prec, False, None) for prec in args.precision]
        for vname, q, rel_q in variants:
            clf = load_classifier(task, args.model, quantize=q, relatedness_int8=rel_q,
                                  precision="bf16" if vname == "bf16" else "fp32")
            for name, ex in devs.items():
                ex = ex[: args.limit] if args.limit else ex
                t = time.perf_counter()
                preds = clf.predict([e.text for e in ex], [e.target for e in ex])
                dt = time.perf_counter() - t
                gold = [e.label for e in ex]
                rep = classification_report(gold, [p.label for p in preds], clf.labels)
                probs = np.array([[p.probabilities[lab] for lab in clf.labels] for p in preds])
                e = ece(probs, np.array([clf.labels.index(g) for g in gold]))
                favg = ""
                if "semeval" in name:
                    favg = f" F_avg {(rep['per_class']['favor']['f1'] + rep['per_class']['against']['f1']) / 2:.3f}"
                print(f"{task:9s} {vname:13s} {name:13s} n={rep['n']:5d} macro-F1 {rep['macro_f1']:.3f} "
                      f"acc {rep['accuracy']:.3f}{favg} ECE {e:.3f}  {len(ex) / dt:6.1f} ex/s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
