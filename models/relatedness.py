"""Is the statement about the target at all?  A bi-encoder signal for stance.

The cross-encoder (LoRA + head) learns *which way* a statement leans; it is
poor at noticing that a statement does not concern the target, which is the
commonest reason a (statement, target) pair is neutral: an article quotes ten
people about three things.  The base encoder was trained by its authors for
exactly that judgement (semantic similarity of sentences), so its cosine
between the mean-pooled embeddings of statement and target is kept untouched
(no LoRA) and turned into an *unrelatedness* feature, relu(tau - cosine):
zero for every pair that is plausibly about the target, so those keep the
cross-encoder's judgement, and growing as the pair drifts apart.  A small
multinomial logistic layer (the "combiner") folds it in:

    final_logits = W @ [cross_logits..., relu(tau - cosine)] + b

tau is the 95th percentile of the cosine of pairs known to be unrelated (a
comment with a topic from another article), W and b are fitted on examples
the cross-encoder never trained on (recipes.py); neither looks at dev.  The
combiner is a few numbers in config.json.
"""

from __future__ import annotations

import numpy as np

from .encoder import mean_pooled

FEATURES = "logits+unrelatedness"
UNRELATED_PERCENTILE = 95


class RelatednessEncoder:
    """Mean-pooled, L2-normalised embeddings of the *base* encoder, as it was trained."""

    def __init__(self, base_dir, tokenizer, device, max_length: int = 128, int8_on_cpu: bool = False,
                 student_path=None, keep_fp32: tuple[str, ...] | list[str] = ()):
        if student_path is not None:  # the first layers of base_dir, distilled (student.py)
            from .student import load_student

            self._model = load_student(base_dir, student_path)
        else:
            from .encoder import load_base_encoder

            self._model = load_base_encoder(base_dir)
        self._model = self._model.to(device).eval()
        if int8_on_cpu and getattr(device, "type", str(device)) == "cpu":
            # opt-in (stance 2.0.0-2.0.1 shipped it; the benchmarks compare it): one activation scale per batch
            # makes a pair's cosine depend on its batch neighbours (bench/batch_invariance.py), hence fp32 by default
            from .modeling import quantize

            self._model = quantize(self._model, keep_fp32=keep_fp32)
        self._tokenizer = tokenizer
        self._device = device
        self.max_length = int(max_length)

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """One row per text (duplicates are encoded once), length-sorted batches."""
        import torch

        # ties broken by the text itself: which texts share a batch must not depend on the hash seed, since
        # dynamic int8 scales activations per batch (run-to-run label flips on near-ties otherwise)
        unique = sorted(set(texts), key=lambda t: (len(t), t))
        if not unique:
            return np.zeros((0, 0), dtype=np.float32)
        vecs: dict[str, np.ndarray] = {}
        with torch.inference_mode():
            for s in range(0, len(unique), batch_size):
                chunk = unique[s : s + batch_size]
                b = self._tokenizer(chunk, padding=True, truncation=True, max_length=self.max_length,
                                    return_tensors="pt")
                b = {k: v.to(self._device) for k, v in b.items()}
                vecs.update(zip(chunk, mean_pooled(self._model, b).float().cpu().numpy()))
        return np.stack([vecs[t] for t in texts])

    def cosine(self, texts: list[str], targets: list[str | None], batch_size: int = 64) -> np.ndarray:
        """Cosine of each (text, target); 1.0 where there is no target (sentence-level: nothing to be off-topic from)."""
        n = len(texts)
        out = np.ones(n, dtype=np.float32)
        have = [i for i in range(n) if targets[i]]
        if have:
            emb = self.embed([texts[i] for i in have] + [targets[i] for i in have], batch_size)
            a, b = emb[: len(have)], emb[len(have) :]
            out[have] = (a * b).sum(axis=1)
        return out


def load_relatedness(block: dict, tokenizer, device, base_path=None, int8_on_cpu: bool | None = None,
                     model_dir=None, base_name: str | None = None) -> RelatednessEncoder:
    """The encoder a model's `relatedness` config block asks for: the verified weights of the
    base encoder it names (`encoder`, with that base's own tokenizer), else of the model's own
    base (base_name, as its config names it; `tokenizer` is that base's), or the distilled
    student stored in model_dir that the block names."""
    from pathlib import Path

    from .encoder import base_encoder_dir, load_tokenizer
    from .errors import ModelError

    int8 = block.get("int8_on_cpu", False) if int8_on_cpu is None else int8_on_cpu
    student = block.get("student")
    if student and model_dir is None:
        raise ModelError("this model's relatedness pass needs its model directory (a distilled student)")
    path = Path(model_dir) / student["file"] if student else None
    own = block.get("encoder")
    base_dir = base_encoder_dir(base_path, own or base_name)[0]
    if own and own != base_name:
        tokenizer = load_tokenizer(base_dir)
    return RelatednessEncoder(base_dir, tokenizer, device, block.get("max_length", 128), int8,
                              student_path=path, keep_fp32=block.get("int8_keep_fp32", ()))


def apply(relatedness: RelatednessEncoder | None, block: dict | None, logits: np.ndarray, texts: list[str],
          targets: list[str | None], batch_size: int = 64) -> np.ndarray:
    """The logits the application sees: the cross-encoder's, combined with relatedness if the model has it."""
    if relatedness is None or not block or not len(logits):
        return logits
    return combine(logits, relatedness.cosine(texts, targets, batch_size), block["combiner"])


def features(logits: np.ndarray, cosine: np.ndarray, tau: float) -> np.ndarray:
    unrelated = np.maximum(0.0, tau - np.asarray(cosine, dtype=np.float64))
    return np.concatenate([np.asarray(logits, dtype=np.float64), unrelated[:, None]], 1)


def unrelated_threshold(unrelated_cosines: np.ndarray) -> float:
    """tau: below it a pair looks like the known-unrelated ones (their 95th percentile cosine)."""
    if len(unrelated_cosines) == 0:
        raise ValueError("no known-unrelated pairs to set the relatedness threshold from")
    return round(float(np.percentile(unrelated_cosines, UNRELATED_PERCENTILE)), 3)


def combine(logits: np.ndarray, cosine: np.ndarray, combiner: dict) -> np.ndarray:
    w = np.asarray(combiner["weight"], dtype=np.float64)
    b = np.asarray(combiner["bias"], dtype=np.float64)
    return features(logits, cosine, combiner["tau"]) @ w.T + b


def fit_combiner(logits: np.ndarray, cosine: np.ndarray, gold_idx: np.ndarray, tau: float, l2: float = 1e-3,
                 class_weight: np.ndarray | None = None) -> dict:
    """Multinomial logistic regression (full batch L-BFGS, small L2), initialised at the identity on the logits."""
    import torch

    x = torch.tensor(features(logits, cosine, tau), dtype=torch.float64)
    y = torch.tensor(np.asarray(gold_idx), dtype=torch.long)
    k = logits.shape[1]
    w = torch.zeros((k, x.shape[1]), dtype=torch.float64)
    w[:, :k] = torch.eye(k, dtype=torch.float64)
    w.requires_grad_(True)
    b = torch.zeros(k, dtype=torch.float64, requires_grad=True)
    cw = None if class_weight is None else torch.tensor(class_weight, dtype=torch.float64)
    opt = torch.optim.LBFGS([w, b], max_iter=500, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w.T + b, y, weight=cw) + l2 * (w**2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return {"features": FEATURES, "tau": float(tau), "weight": w.detach().tolist(), "bias": b.detach().tolist()}


def combiner_from(logits: np.ndarray, cosine: np.ndarray, combiner_set, labels) -> tuple[dict, np.ndarray]:
    """The combiner for these logits and cosines of combiner_set.examples (a data.CombinerSet), and the label counts.

    tau comes from the known-unrelated pairs' cosines; classes are weighted to balance, so
    the combiner's bias does not learn this set's label mix.
    """
    examples = combiner_set.examples
    idx = {lab: i for i, lab in enumerate(labels)}
    gold = np.array([idx[e.label] for e in examples], dtype=int)
    counts = np.bincount(gold, minlength=len(labels)).astype(float)
    weight = len(gold) / (len(labels) * np.maximum(counts, 1.0))
    unrelated = {(e.text, e.target) for e in combiner_set.unrelated}
    tau = unrelated_threshold(np.asarray(cosine)[[(e.text, e.target) in unrelated for e in examples]])
    return fit_combiner(logits, cosine, gold, tau, class_weight=weight), counts
