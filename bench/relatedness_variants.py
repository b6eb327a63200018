"""Which relatedness signal does a stance model need?  Dev metrics per signal (not part of the tests).

    python bench/relatedness_variants.py [--model DIR] [--signals 6:mean:128,0:maxsim:128,...]

The relatedness pass (models/relatedness.py) is about half of stance's predict time when
every statement is distinct.  This refits the combiner, with training's own code, on each
cheaper signal and prints the dev metrics, next to the cross-encoder alone.  A signal is
LAYERS:POOLING:MAX_LENGTH over the base encoder, fp32, special tokens dropped:
  mean   cosine of the mean-pooled token states of statement and target
  maxsim mean over target tokens of their best cosine with a statement token (lexical-ish)
`shipped` is the model's own pass as its config says (all layers, mean with [CLS]/[SEP], int8);
`encoder:DIR` is that same pass (int8) over another encoder saved in DIR (e.g. a distilled one).
Cross-encoder logits come from the model as the application loads it (its own int8 choice).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

DEFAULT_SIGNALS = "shipped,6:mean:128,6:mean:64,2:mean:128,0:mean:128,0:maxsim:128,2:maxsim:128,6:maxsim:128"


def token_states(model, tokenizer, texts: list[str], layers: int, max_length: int) -> dict[str, np.ndarray]:
    """text -> L2-normalised token states after `layers` layers, [CLS]/[SEP] dropped."""
    import torch

    out = {}
    unique = sorted(set(texts), key=lambda t: (len(t), t))
    with torch.inference_mode():
        for s in range(0, len(unique), 64):
            chunk = unique[s : s + 64]
            b = tokenizer(chunk, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
            hidden = model(**b, output_hidden_states=True).hidden_states[layers]
            for j, text in enumerate(chunk):
                n = int(b["attention_mask"][j].sum())
                out[text] = torch.nn.functional.normalize(hidden[j, 1 : n - 1], dim=-1).numpy()
    return out


def similarity(states: dict[str, np.ndarray], texts: list[str], targets: list[str], pooling: str) -> np.ndarray:
    sims = []
    for text, target in zip(texts, targets):
        a, b = states[text], states[target]
        if not len(a) or not len(b):
            sims.append(0.0)
        elif pooling == "maxsim":
            sims.append(float((b @ a.T).max(1).mean()))
        else:
            ma, mb = a.mean(0), b.mean(0)
            sims.append(float(ma @ mb / (np.linalg.norm(ma) * np.linalg.norm(mb) + 1e-9)))
    return np.asarray(sims)


def dev_scores(labels, devs, logits_of) -> dict[str, float]:
    from models.metrics import classification_report, f_avg

    out = {}
    for name, examples in devs.items():
        pred = [labels[i] for i in logits_of(name).argmax(1)]
        rep = classification_report([e.label for e in examples], pred, labels)
        out[name] = rep["macro_f1"]
        if "semeval" in name:
            out["semeval_f_avg"] = f_avg(rep)
    out["score"] = np.mean([out["vast_dev"], out["semeval_f_avg"], out["gwsd_dev"], out["emergent_dev"]])
    return out


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--model", default=None, help="stance model dir (default: the shipped one)")
    p.add_argument("--seed", type=int, default=13, help="the recipe seed the model was trained with")
    p.add_argument("--signals", default=DEFAULT_SIGNALS)
    args = p.parse_args()
    import torch
    from transformers import AutoModel

    from models.classifiers import load_classifier
    from models.encoder import base_encoder_dir, set_cpu_threads
    from models.recipes import recipe_data
    from models.relatedness import combine, combiner_from

    set_cpu_threads()
    clf = load_classifier("stance", args.model)
    _, devs, _, combiner_set = recipe_data("stance", args.seed)
    sets = {"combiner": combiner_set.examples, **devs}
    t0 = time.perf_counter()
    cross = {n: clf.cross_logits([e.text for e in ex], [e.target for e in ex]) for n, ex in sets.items()}
    print(f"{clf.name} {clf.version} ({clf.path}); cross-encoder logits in {time.perf_counter() - t0:.0f} s")
    labels = clf.labels
    base = AutoModel.from_pretrained(str(base_encoder_dir(None)[0]), local_files_only=True,
                                     dtype=torch.float32).eval()

    def report(name: str, scores: dict) -> None:
        cols = " ".join(f"{k} {v:.3f}" for k, v in scores.items())
        print(f"{name:22s} {cols}", flush=True)

    report("cross-encoder alone", dev_scores(labels, devs, lambda n: cross[n]))
    all_texts = [t for exs in sets.values() for e in exs for t in (e.text, e.target)]
    for signal in args.signals.split(","):
        if signal == "shipped" or signal.startswith("encoder:"):
            from models.relatedness import RelatednessEncoder

            rel = clf if signal == "shipped" else RelatednessEncoder(
                signal.split(":", 1)[1], clf._tokenizer, clf._device, 128, int8_on_cpu=True)
            cosine = rel.cosines if signal == "shipped" else rel.cosine
            sim = {n: cosine([e.text for e in exs], [e.target for e in exs]) for n, exs in sets.items()}
        else:
            layers, pooling, max_length = signal.split(":")
            states = token_states(base, clf._tokenizer, all_texts, int(layers), int(max_length))
            sim = {n: similarity(states, [e.text for e in exs], [e.target for e in exs], pooling)
                   for n, exs in sets.items()}
        combiner, _ = combiner_from(cross["combiner"], sim["combiner"], combiner_set, labels)
        scores = dev_scores(labels, devs, lambda n: combine(cross[n], sim[n], combiner))
        report(f"{signal} (tau {combiner['tau']:.2f})", scores)


if __name__ == "__main__":
    main()
