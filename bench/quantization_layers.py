"""Which Linear layers can take dynamic int8? Dev macro-F1 and speed with groups of layers quantized.

    python bench/quantization_layers.py [--task sentiment] [--model DIR] [--n 400] [--scheme per_channel]

Not in `make bench` (an experiment). Each row quantizes one group of the merged fp32 model's
Linear layers and leaves the rest fp32; the head stays fp32 except in `all`. This is how the
feed-forward output layers of MPNet were found to be the ones int8 breaks (sentiment 2.0.0's
quantization_keep_fp32; bench/results/sentiment_mpnet_2026-11-29.md). Needs the shared data dir.
"""

from __future__ import annotations

import argparse
import copy
import re
import time


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--task", choices=["sentiment", "stance"], default="sentiment")
    p.add_argument("--model", default=None, help="model dir (default: the shipped one)")
    p.add_argument("--n", type=int, default=400, help="first N examples of each dev set")
    p.add_argument("--scheme", choices=["per_tensor", "per_channel"], default="per_channel")
    args = p.parse_args()
    import torch
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig, quantize_dynamic

    from models.classifiers import load_classifier
    from models.metrics import classification_report
    from models.recipes import sentiment_data, stance_data

    torch.set_num_threads(2)
    qconfig = per_channel_dynamic_qconfig if args.scheme == "per_channel" else default_dynamic_qconfig
    _, devs, _ = (sentiment_data if args.task == "sentiment" else stance_data)(13)
    clf = load_classifier(args.task, args.model, quantize=False, relatedness_int8=False)
    fp32 = clf._model
    linear = [n for n, m in fp32.named_modules() if isinstance(m, torch.nn.Linear)]
    body = [n for n in linear if not n.startswith("classifier")]
    ffn_out = re.compile(r"layer\.\d+\.output\.dense$")
    groups = {
        "fp32": [],
        "all": linear,
        "all-but-head": body,
        "attention-only": [n for n in body if ".attention." in n],
        "ffn-in-only": [n for n in body if "intermediate" in n],
        "all-but-ffn-out": [n for n in body if not ffn_out.search(n)],
    }
    for group, names in groups.items():
        clf._model = fp32 if not names else quantize_dynamic(
            copy.deepcopy(fp32), {n: qconfig for n in names}, dtype=torch.qint8)
        for dev_name, examples in devs.items():
            ex = examples[: args.n]
            t = time.perf_counter()
            preds = clf.predict([e.text for e in ex], [e.target for e in ex])
            dt = time.perf_counter() - t
            rep = classification_report([e.label for e in ex], [q.label for q in preds], clf.labels)
            print(f"{group:16s} {dev_name:13s} n={len(ex):5d} macro-F1 {rep['macro_f1']:.3f} "
                  f"{len(ex) / dt:6.1f} ex/s  ({len(names)} of {len(linear)} Linear layers int8)", flush=True)


if __name__ == "__main__":
    main()
