"""Does the stance relatedness combiner's fitting set matter?  Refit it on other sets, score the nine dev sets.

    python bench/combiner_sets.py

The shipped stance model's cross-encoder logits and MiniLM cosines are computed once for the shipped combiner set
(models/recipes.py stance_multi_combiner_data), for 400 left-over training rows each of SemEval, Perspectrum and
IBM ArgKP (rows the capped multi-corpus sample did not train on, in no dev set, not in the combiner set), and for
every dev set; then the combiner (a logistic layer over [logits, unrelatedness]) is refitted on each candidate set
and the selection score (mean over the dev sets of each one's primary metric) printed, with the cross-encoder
alone and the shipped combiner as baselines.  Needs the shared data dir; ~20 min on 2 cores.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

EXTRA_ROWS = 400  # left-over training rows per corpus added to a candidate combiner set


def main() -> int:
    from models.classifiers import load_classifier
    from models.data import CombinerSet
    from models.errors import DataError
    from models.metrics import classification_report, f_avg
    from models.recipes import (ARGUMENT_SPLITS, data_root, dev_primary_metric, read_flat_stance, read_semeval,
                                selection_score, stance_multi_combiner_data, stance_multi_data)
    from models.relatedness import combine, combiner_from

    try:
        trained, devs, _ = stance_multi_data(13)
        base = stance_multi_combiner_data(13, trained)
    except DataError as exc:
        print(f"skipped: {exc}")
        return 0
    clf = load_classifier("stance")
    labels = list(clf.labels)
    root = data_root()
    taken = {e.text.strip() for rows in (trained, base.examples, *devs.values()) for e in rows}

    def leftovers(name, rows):
        rows = [e for e in rows if e.text.strip() not in taken]
        random.Random(f"13:combiner-extra:{name}").shuffle(rows)
        return rows[:EXTRA_ROWS]

    extras = {"semeval": leftovers("semeval", read_semeval(root / "semeval2016_stance", "train"))}
    for name, (train_rel, _) in ARGUMENT_SPLITS.items():
        extras[name] = leftovers(name, read_flat_stance(root / train_rel))
    print(f"combiner set {len(base.examples)}; extra rows {({k: len(v) for k, v in extras.items()})}", flush=True)

    def logits_and_cosines(examples):
        texts, targets = [e.text for e in examples], [e.target for e in examples]
        return clf.cross_logits(texts, targets), clf.cosines(texts, targets)

    t0 = time.perf_counter()
    cached = {"base": logits_and_cosines(base.examples)} | {k: logits_and_cosines(v) for k, v in extras.items()}
    dev_cached = {name: logits_and_cosines(ex) for name, ex in devs.items()}
    print(f"cross-encoder and cosines computed in {time.perf_counter() - t0:.0f} s", flush=True)

    def score(tag, combiner):
        reports = {}
        for name, ex in devs.items():
            logits, cosine = dev_cached[name]
            final = combine(logits, cosine, combiner) if combiner else logits
            rep = classification_report([e.label for e in ex], [labels[i] for i in final.argmax(1)], labels)
            rep["f_avg"] = f_avg(rep)
            reports[name] = rep
        per_set = " ".join(f"{n}={r[dev_primary_metric(n)]:.3f}" for n, r in reports.items())
        print(f"{tag:26s} selection {selection_score(reports):.3f}  {per_set}", flush=True)

    def refit(parts):
        examples = list(base.examples) + [e for p in parts for e in extras[p]]
        logits = np.concatenate([cached[p][0] for p in ("base", *parts)])
        cosine = np.concatenate([cached[p][1] for p in ("base", *parts)])
        return combiner_from(logits, cosine, CombinerSet(examples, base.unrelated), labels)[0]

    score("cross-encoder alone", None)
    score("shipped combiner", clf.config["relatedness"]["combiner"])
    score("refit: shipped set", refit(()))
    score("refit: + SemEval", refit(("semeval",)))
    score("refit: + all three", refit(tuple(extras)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
