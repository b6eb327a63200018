"""Is a (statement, target) pair worth an annotator's time?  A calibrated relatedness gate.

The stance model already measures how close a statement is to its target (relatedness.py:
the MiniLM cosine between mean-pooled embeddings).  The gate turns that into a probability
the queue can threshold: a logistic regression on three numbers per pair,

- the cosine of the statement and the target,
- the best cosine of the statement's *paragraph* and the target (a quote such as "We will
  not leave until the job is done" is about the operation its paragraph names),
- the share of the target's content words (crude stems: a prefix) found in the statement
  or its paragraph,

fitted on related / unrelated pairs (train_relatedness_gate.py).  Being a logistic model on
a held-out fit, its output is a calibrated P(related); the default threshold was chosen on
dev for >= 95 % recall of related pairs.  The whole model is a few numbers in gate.json.

Everything here works on plain strings; torch is imported only when the encoder loads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

GATE_DIR = Path(__file__).resolve().parent / "weights" / "relatedness"
GATE_FILE = "gate.json"
FEATURES = ("cos_statement", "cos_context", "content_overlap")
MAX_LENGTH = 256  # word pieces per text: MiniLM's own limit; paragraphs and posts run longer than quotes

STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between both but
by can could did do does doing down during each few for from further had has have having he her here hers herself
him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once only or
other our ours ourselves out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours yourself yourselves us also s t new one two said says say mr mrs ms
""".split())
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
STEM = 5  # characters a stem keeps: 'Kazakhstan' / 'Kazakh', 'peacekeeping' / 'peacekeepers' meet


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text or "")]


def stems(text: str) -> set[str]:
    """Content-word stems: no stopwords, no one-letter words, cut to STEM characters."""
    return {w[:STEM] for w in words(text) if w not in STOPWORDS and len(w) > 1}


def content_overlap(target: str, texts: Sequence[str]) -> float:
    """Share of the target's content stems that occur in any of `texts` (0 for a target without any)."""
    wanted = stems(target)
    if not wanted:
        return 0.0
    found = set().union(*(stems(t) for t in texts)) if texts else set()
    return len(wanted & found) / len(wanted)


def keyword_match(keywords: Sequence[str], texts: Sequence[str]) -> bool:
    """Does any keyword (alias) occur in the texts as whole words, case-insensitively?"""
    haystacks = [" " + " ".join(words(t)) + " " for t in texts]
    for keyword in keywords:
        needle = " ".join(words(keyword))
        if needle and any(f" {needle} " in h for h in haystacks):
            return True
    return False


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -40, 40)))


def feature_matrix(cos_statement: np.ndarray, cos_context: np.ndarray, overlap: np.ndarray) -> np.ndarray:
    return np.stack([np.asarray(cos_statement, float), np.asarray(cos_context, float),
                     np.asarray(overlap, float)], axis=1)


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-3, iterations: int = 50,
                 sample_weight: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """Logistic regression by Newton's method (a handful of features: exact and dependency-free).
    `sample_weight`: how many pairs each row counts as (default 1 each)."""
    n, d = x.shape
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    xb = np.concatenate([x, np.ones((n, 1))], 1)
    w = np.zeros(d + 1)
    reg = np.full(d + 1, l2 * sw.sum())
    reg[-1] = 0.0  # the intercept is not shrunk
    for _ in range(iterations):
        p = sigmoid(xb @ w)
        grad = xb.T @ (sw * (p - y)) + reg * w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + np.diag(reg)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w[:-1], float(w[-1])


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (ties count a half): the Mann-Whitney statistic."""
    scores, labels = np.asarray(scores, float), np.asarray(labels).astype(bool)
    pos, neg = labels.sum(), (~labels).sum()
    if pos == 0 or neg == 0:
        return float("nan")
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):  # average ranks over ties
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return float((ranks[labels].sum() - pos * (pos + 1) / 2) / (pos * neg))


def gate_metrics(probabilities: np.ndarray, related: np.ndarray, threshold: float) -> dict:
    """n, recall_related, filtered_unrelated (share of unrelated pairs kept out at `threshold`: one number, or one
    per pair where targets have thresholds of their own), auc."""
    p, y = np.asarray(probabilities, float), np.asarray(related).astype(bool)
    kept = p >= threshold
    return {"n": int(len(y)),
            "recall_related": float(kept[y].mean()) if y.any() else float("nan"),
            "filtered_unrelated": float((~kept[~y]).mean()) if (~y).any() else float("nan"),
            "auc": roc_auc(p, y)}


def threshold_for_recall(probabilities: np.ndarray, related: np.ndarray, recall: float) -> float:
    """The highest threshold that keeps at least `recall` of the related pairs."""
    p = np.sort(np.asarray(probabilities, float)[np.asarray(related).astype(bool)])
    if not len(p):
        raise ValueError("no related pairs to choose a threshold on")
    k = int(np.floor((1.0 - recall) * len(p)))  # pairs below the threshold we may lose
    return float(p[min(k, len(p) - 1)])


@dataclass(frozen=True)
class GateParams:
    name: str
    version: str
    weight: tuple[float, ...]
    bias: float
    threshold: float
    encoder: str
    max_length: int = MAX_LENGTH
    # raised thresholds of single targets (target text -> P), from annotators' verdicts (relatedness_refit.py)
    target_thresholds: tuple[tuple[str, float], ...] = ()

    def probability(self, features: np.ndarray) -> np.ndarray:
        return sigmoid(np.asarray(features, float) @ np.asarray(self.weight) + self.bias)

    def threshold_for(self, target: str) -> float:
        """The target's own threshold where a refit chose one, else the default."""
        return dict(self.target_thresholds).get(target, self.threshold)


def load_params(path: str | Path | None = None) -> GateParams:
    from .errors import ModelError

    path = Path(path) if path is not None else GATE_DIR / GATE_FILE
    if path.is_dir():
        path = path / GATE_FILE
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
        per_target = tuple(sorted((str(t), float(v)) for t, v in (cfg.get("target_thresholds") or {}).items()))
        return GateParams(cfg["name"], cfg["version"], tuple(float(v) for v in cfg["weight"]), float(cfg["bias"]),
                          float(cfg["threshold"]), cfg["encoder"], int(cfg.get("max_length", MAX_LENGTH)), per_target)
    except FileNotFoundError:
        raise ModelError(f"relatedness gate not found: {path}") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"unusable relatedness gate {path}: {exc}".splitlines()[0]) from None


class RelatednessGate:
    """P(related) per (statement, paragraph, target); `name`/`version` go with every stored score."""

    precision = "fp32"  # the MiniLM pass and the regression: no bf16/int8 path here

    def __init__(self, params: GateParams, embed):
        self.params = params
        self.name, self.version, self.threshold = params.name, params.version, params.threshold
        self._embed = embed  # list[str] -> L2-normalised rows

    def threshold_for(self, target: str) -> float:
        return self.params.threshold_for(target)

    def features(self, statements: Sequence[str], targets: Sequence[str],
                 contexts: Sequence[str | None] | None = None) -> np.ndarray:
        contexts = list(contexts) if contexts is not None else [None] * len(statements)
        context_texts = [c if c else s for s, c in zip(statements, contexts)]
        if not len(statements):
            return np.zeros((0, len(FEATURES)))
        emb = self._embed(list(statements) + context_texts + list(targets))
        n = len(statements)
        s, c, t = emb[:n], emb[n:2 * n], emb[2 * n:]
        cos_s = (s * t).sum(1)
        cos_c = np.maximum(cos_s, (c * t).sum(1))  # a statement is as related as its context, at least
        overlap = np.array([content_overlap(tg, [st, ct]) for st, ct, tg in zip(statements, context_texts, targets)])
        return feature_matrix(cos_s, cos_c, overlap)

    def score(self, statements: Sequence[str], targets: Sequence[str],
              contexts: Sequence[str | None] | None = None) -> np.ndarray:
        return self.params.probability(self.features(statements, targets, contexts))


def load_gate(path: str | Path | None = None, base_path=None) -> RelatednessGate:
    """The shipped gate (or the one at `path`) on its verified base encoder."""
    from .encoder import base_encoder_dir, load_tokenizer, pick_device, set_cpu_threads
    from .relatedness import RelatednessEncoder

    params = load_params(path)
    base_dir = base_encoder_dir(base_path, params.encoder)[0]
    set_cpu_threads()
    encoder = RelatednessEncoder(base_dir, load_tokenizer(base_dir), pick_device(), params.max_length)
    return RelatednessGate(params, encoder.embed)


def read_relatedness_csv(path) -> tuple[list[str], list[str], np.ndarray]:
    """A CSV with columns text, target, related (1/0): texts, targets and the 0/1 labels."""
    from .data import _csv_rows, _need_file
    from .errors import DataError

    path = _need_file(path)
    texts, targets, related = [], [], []
    for lineno, row in _csv_rows(path, ("text", "target", "related")):
        value = (row["related"] or "").strip()
        if value not in ("0", "1"):
            raise DataError(f"{path}:{lineno}: related must be 1 or 0, got {value!r}")
        if not (row["text"] or "").strip() or not (row["target"] or "").strip():
            raise DataError(f"{path}:{lineno}: empty text or target")
        texts.append(row["text"])
        targets.append(row["target"])
        related.append(int(value))
    if not texts:
        raise DataError(f"{path}: no rows")
    return texts, targets, np.array(related)


def evaluate_csv(path, gate: RelatednessGate | None = None, batch: int = 512, on_progress=None) -> dict:
    """n, recall_related, filtered_unrelated (at the gate's default threshold), auc; plus threshold and model."""
    texts, targets, related = read_relatedness_csv(path)  # a bad file is refused before the model loads
    gate = gate or load_gate()
    scores = []
    for at in range(0, len(texts), batch):
        scores.append(gate.score(texts[at:at + batch], targets[at:at + batch]))
        if on_progress:
            on_progress(len(texts[at:at + batch]))
    thresholds = np.array([gate.threshold_for(t) for t in targets]) if hasattr(gate, "threshold_for") else gate.threshold
    report = gate_metrics(np.concatenate(scores), related, thresholds)
    return {**report, "threshold": gate.threshold, "model": f"{gate.name} {gate.version}"}
