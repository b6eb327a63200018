"""Train learned-1 (learned.py) from PolNeAR train, deterministically, in pure numpy.

    python -m workbench.extract.train_learned --polnear ../shared/data/polnear [--out FILE]

Cue vocabulary: the Cue spans of PolNeAR train (first annotation file of each article), lower
case, one to three words, seen at least --min-cue times. Examples: every reading (learned.py)
in the sentences the rules leave empty; a reading is positive when at least --min-precision of
its characters lie inside gold content and it covers half of some gold statement (what the
scorer counts as found). Model: L2-regularised logistic regression by full-batch gradient
descent from zero weights, features seen at least --min-feature times. Only train is read:
thresholds are chosen on dev with bench/bench_extract.py and passed in here.
"""
import argparse
import collections
import json
import os
import pathlib
import re

import numpy as np

from .cascade import run
from .learned import FORMAT, FUNCTION_WORDS, WEIGHTS, LearnedModel, load

_CUE_TEXT = re.compile(r"[a-z][a-z’'-]*(?: [a-z][a-z’'-]*){0,2}")


def read_split(split: pathlib.Path) -> list[tuple[str, str, list[tuple[int, int]], list[str]]]:
    """(name, text, gold content spans, gold cue texts) per article, first annotation file only
    (as ../shared/tools/polnear_to_gold.py does)."""
    seen, out = set(), []
    for ann in sorted((split / "attributions").glob("*.ann")):
        article = ann.stem.rsplit("_", 1)[0]
        if article in seen:
            continue
        seen.add(article)
        text = (split / "text" / f"{article}.txt").read_text(encoding="utf-8")
        spans, relations = {}, []
        for line in ann.read_text(encoding="utf-8").splitlines():
            if line.startswith("T") and re.match(r"T\d+\t", line):
                tid, meta, *rest = line.split("\t")
                label, offsets = meta.split(" ", 1)
                pieces = [tuple(map(int, p.split())) for p in offsets.split(";")]
                spans[tid] = (label, pieces[0][0], pieces[-1][1], len(pieces))
            elif line.startswith("E") and re.match(r"E\d+\t", line):
                relations.append(dict(a.split(":", 1) for a in line.split("\t", 1)[1].split()))
        contents, cues = [], []
        for rel in relations:
            if rel.get("Content") in spans:
                contents.append(spans[rel["Content"]][1:3])
            cue = spans.get(rel.get("Cue"))
            if cue and cue[3] == 1:
                cues.append(" ".join(text[cue[1]:cue[2]].lower().split()))
        out.append((article, text, contents, cues))
    return out


def cue_vocabulary(articles, min_count: int) -> list[str]:
    """Cue spans that are only function words ('to', 'about', 'in') are left out: the verb that
    carried them was annotated elsewhere, and as cues of their own they fire on every
    preposition."""
    counts = collections.Counter(c for _, _, _, cues in articles for c in cues if _CUE_TEXT.fullmatch(c)
                                 and any(w not in FUNCTION_WORDS for w in c.split()))
    return sorted(c for c, n in counts.items() if n >= min_count)


class _Recorder:
    """Collects every reading learned_candidates() makes; vocab: the cue vocabulary."""

    def __init__(self, cues: set[str]):
        self.vocab, self.rows = LearnedModel(cues, {}, 0.0, 0.5, 0, 0.5), []

    def __call__(self, reading) -> None:
        self.rows.append(reading)


def label(start: int, end: int, golds: list[tuple[int, int]], min_precision: float) -> int:
    """1 when the span lies mostly inside gold content and covers half of a gold statement."""
    if end <= start:
        return 0
    inside = set()
    covers = False
    for gs, ge in golds:
        lo, hi = max(start, gs), min(end, ge)
        if hi > lo:
            inside.update(range(lo, hi))
            covers = covers or (hi - lo) >= 0.5 * (ge - gs)
    return int(covers and len(inside) >= min_precision * (end - start))


def examples(articles, cues: set[str], min_precision: float):
    feats, labels, sizes = [], [], []
    for _, text, golds, _ in articles:
        rec = _Recorder(cues)
        run(text, model=None, record=rec)
        for _, _, _, start, end, _, f in rec.rows:
            s, e = start, end
            while e > s and text[e - 1] in ".!?… ":
                e -= 1
            feats.append(f)
            labels.append(label(s, e, golds, min_precision))
            sizes.append(e - s)
    return feats, labels, sizes


def fit(feats: list[list[str]], labels: list[int], sizes: list[int], min_feature: int, l2: float,
        steps: int, rate: float) -> tuple[dict[str, float], float]:
    """Weights of a logistic regression; each reading counts by its length in characters
    (square-rooted), since the scorer's span precision counts characters."""
    counts = collections.Counter(f for fs in feats for f in set(fs))
    names = sorted(f for f, n in counts.items() if n >= min_feature)
    index = {f: i for i, f in enumerate(names)}
    rows, cols = [], []
    for r, fs in enumerate(feats):
        for c in sorted({index[f] for f in fs if f in index}):
            rows.append(r)
            cols.append(c)
    rows, cols = np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)
    y = np.array(labels, dtype=np.float64)
    weight = np.sqrt(np.array(sizes, dtype=np.float64) + 1.0)
    weight /= weight.mean()
    n = len(y)
    w, b = np.zeros(len(names)), 0.0
    # AdaGrad: each weight's step shrinks with its own squared gradients, so that rare cue
    # words learn as fast as the frequent features (plain gradient descent left them at 0).
    g2w, g2b = np.full(len(names), 1e-8), 1e-8
    for _ in range(steps):
        z = np.zeros(n)
        np.add.at(z, rows, w[cols])
        p = 1.0 / (1.0 + np.exp(-np.clip(z + b, -30, 30)))
        err = (p - y) * weight
        grad = np.zeros(len(names))
        np.add.at(grad, cols, err[rows])
        gw = grad / n + l2 * w
        gb = float(err.mean())
        g2w += gw * gw
        g2b += gb * gb
        w -= rate * gw / np.sqrt(g2w)
        b -= rate * gb / np.sqrt(g2b)
    weights = {f: round(float(v), 4) for f, v in zip(names, w) if abs(v) >= 5e-4}
    return weights, round(b, 4)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--polnear", type=pathlib.Path, required=True, help="PolNeAR data folder (train/ is read)")
    ap.add_argument("--out", type=pathlib.Path, default=WEIGHTS)
    ap.add_argument("--min-cue", type=int, default=5)
    ap.add_argument("--min-positive", type=int, default=3)
    ap.add_argument("--min-feature", type=int, default=10)
    ap.add_argument("--min-precision", type=float, default=0.9)
    ap.add_argument("--l2", type=float, default=3e-3)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--rate", type=float, default=0.5)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--long-words", type=int, default=40)
    ap.add_argument("--long-threshold", type=float, default=0.5)
    args = ap.parse_args(argv)
    articles = read_split(args.polnear / "train")
    cues = cue_vocabulary(articles, args.min_cue)
    feats, labels, sizes = examples(articles, set(cues), args.min_precision)
    # Cues with fewer than --min-positive right readings in train cannot earn a weight that
    # fires, and every sentence holding one costs run time: they leave the vocabulary.
    positives = collections.Counter(f[4:] for fs, y in zip(feats, labels) if y for f in fs
                                    if f.startswith("cue="))
    cues = [c for c in cues if positives[c] >= args.min_positive]
    keep = [i for i, fs in enumerate(feats) if any(f[4:] in set(cues) for f in fs if f.startswith("cue="))]
    feats, labels, sizes = [feats[i] for i in keep], [labels[i] for i in keep], [sizes[i] for i in keep]
    if not labels or not any(labels):
        raise SystemExit(f"train_learned: no training readings (or no positive one) in {args.polnear / 'train'}"
                         " with these settings")
    weights, bias = fit(feats, labels, sizes, args.min_feature, args.l2, args.steps, args.rate)
    model = {"format": FORMAT, "trained_on": "PolNeAR v1.0.0 train (first annotation per article)",
             "examples": len(labels), "positives": int(sum(labels)), "threshold": args.threshold,
             "long_sentence_words": args.long_words, "long_threshold": args.long_threshold,
             "bias": bias, "cues": cues, "weights": dict(sorted(weights.items())),
             "settings": {k: getattr(args, k) for k in ("min_cue", "min_positive", "min_feature", "min_precision",
                                                          "l2", "steps", "rate")}}
    # Written beside the target and renamed over it once it loads: an interrupted or bad run
    # never leaves the extractor a half-written weights file.
    staging = args.out.with_name(f".{args.out.name}.tmp")
    staging.write_text(json.dumps(model, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    try:
        load(staging)
    except ValueError:
        staging.unlink()
        raise
    os.replace(staging, args.out)
    print(f"{len(articles)} articles, {len(cues)} cues, {len(labels)} readings "
          f"({sum(labels)} positive), {len(weights)} weights -> {args.out}")


if __name__ == "__main__":
    main()
