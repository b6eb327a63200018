"""Agreement coefficients on a reliability matrix, vectorised with numpy.

Input everywhere: `codes`, an (items × coders) integer array with category indices
0..K-1 and -1 for "this coder did not label this item". Missing data is handled the way
each coefficient's author defines it:

* percent agreement (Gwet's p_a): mean over items with ≥ 2 ratings of the share of
  agreeing rater pairs;
* Fleiss' κ and Gwet's AC1 follow Gwet (2014, Handbook of Inter-Rater Reliability, ch. 2
  and 4): p_a as above, category prevalences π_k averaged over items with ≥ 1 rating;
  with complete data Fleiss' κ is exactly Fleiss (1971);
* Krippendorff's α uses the coincidence matrix over pairable values (Krippendorff 2011);
* Cohen's κ is per coder pair, over the items both coded.

Every item-level coefficient is a function of per-item sums ("features"): the point
estimate finalises the column sums and the bootstrap finalises resampled sums
(weights @ features), so 1000 replicates cost a few matrix products, not 1000 recomputes.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

MISSING = -1


def count_matrix(codes: np.ndarray, n_categories: int) -> np.ndarray:
    """(items × K) counts: how many coders put each item in each category."""
    codes = np.asarray(codes)
    n_items = codes.shape[0]
    valid = codes >= 0
    rows = np.nonzero(valid)[0]
    flat = rows.astype(np.int64) * n_categories + codes[valid].astype(np.int64)
    return np.bincount(flat, minlength=n_items * n_categories).reshape(n_items, n_categories).astype(np.float64)


def _safe_ratio(num, den):
    num, den = np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = num / den
    return np.where(den == 0, np.nan, out)


def _chance_corrected(pa, pe):
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (pa - pe) / (1.0 - pe)
    return np.where(np.isclose(pe, 1.0), np.nan, out)


# -- per-item features and their finalisers -------------------------------------------------

@dataclass(frozen=True)
class Layout:
    """Column slices of the multi-coder feature matrix."""
    k: int

    @property
    def width(self) -> int:
        return 4 + 3 * self.k + self.k * self.k

    def split(self, sums: np.ndarray) -> dict[str, np.ndarray]:
        k = self.k
        s = np.asarray(sums, dtype=np.float64)
        at = 4
        out = {"n2": s[..., 0], "pa_sum": s[..., 1], "n1": s[..., 2], "unanimous": s[..., 3]}
        out["pi_sum"] = s[..., at:at + k]; at += k
        out["spec_num"] = s[..., at:at + k]; at += k
        out["spec_den"] = s[..., at:at + k]; at += k
        out["coincidence"] = s[..., at:at + k * k].reshape(s.shape[:-1] + (k, k))
        return out


def item_features(counts: np.ndarray) -> np.ndarray:
    """Per-item contributions to every multi-coder coefficient (items × Layout.width)."""
    n, k = counts.shape
    m = counts.sum(axis=1)
    pairable = m >= 2
    rated = m >= 1
    out = np.zeros((n, Layout(k).width))
    pairs = np.where(pairable, m * (m - 1), 1.0)
    agree = (counts * (counts - 1)).sum(axis=1)
    out[:, 0] = pairable
    out[:, 1] = np.where(pairable, agree / pairs, 0.0)
    out[:, 2] = rated
    out[:, 3] = pairable & (counts.max(axis=1) == m)
    at = 4
    out[:, at:at + k] = np.where(rated[:, None], counts / np.where(rated, m, 1.0)[:, None], 0.0); at += k
    out[:, at:at + k] = np.where(pairable[:, None], counts * (counts - 1), 0.0); at += k
    out[:, at:at + k] = np.where(pairable[:, None], counts * (m - 1)[:, None], 0.0); at += k
    # Krippendorff's coincidences: o_ck += (n_ic n_ik - [c == k] n_ic) / (m_i - 1)
    scale = np.where(pairable, 1.0 / np.where(pairable, m - 1, 1.0), 0.0)
    outer = counts[:, :, None] * counts[:, None, :]
    idx = np.arange(k)
    outer[:, idx, idx] -= counts
    out[:, at:at + k * k] = (outer * scale[:, None, None]).reshape(n, k * k)
    return out


def delta_squared(kind: str, marginals: np.ndarray) -> np.ndarray:
    """Krippendorff's difference function for K ordered categories (…, K, K)."""
    marginals = np.asarray(marginals, dtype=np.float64)
    k = marginals.shape[-1]
    if kind == "nominal":
        return np.broadcast_to(1.0 - np.eye(k), marginals.shape[:-1] + (k, k))
    if kind == "ordinal":
        cum = np.cumsum(marginals, axis=-1)
        # sum_{g=c}^{k} n_g - (n_c + n_k) / 2, for c <= k (symmetric)
        lo = np.minimum.outer(np.arange(k), np.arange(k))
        hi = np.maximum.outer(np.arange(k), np.arange(k))
        cum_hi = np.take(cum, hi, axis=-1)
        cum_lo_prev = np.take(cum, lo, axis=-1) - np.take(marginals, lo, axis=-1)
        between = cum_hi - cum_lo_prev
        half = (marginals[..., :, None] + marginals[..., None, :]) / 2.0
        return (between - half) ** 2
    if kind == "interval":
        v = np.arange(k, dtype=np.float64)
        return np.broadcast_to((v[:, None] - v[None, :]) ** 2, marginals.shape[:-1] + (k, k))
    raise ValueError(f"unknown level of measurement: {kind}")


def finalize(sums: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Coefficients from (possibly batched) feature sums."""
    parts = Layout(k).split(sums)
    pa = _safe_ratio(parts["pa_sum"], parts["n2"])
    pi = parts["pi_sum"] / np.where(parts["n1"] == 0, np.nan, parts["n1"])[..., None]
    fleiss_pe = (pi ** 2).sum(axis=-1)
    ac1_pe = (pi * (1 - pi)).sum(axis=-1) / (k - 1)
    res = {
        "percent_agreement": pa,
        "unanimous": _safe_ratio(parts["unanimous"], parts["n2"]),
        "fleiss_kappa": _chance_corrected(pa, fleiss_pe),
        "gwet_ac1": _chance_corrected(pa, ac1_pe),
        "specific_agreement": _safe_ratio(parts["spec_num"], parts["spec_den"]),
    }
    o = parts["coincidence"]
    marg = o.sum(axis=-1)
    total = marg.sum(axis=-1)
    for kind in ("nominal", "ordinal"):
        d2 = delta_squared(kind, marg)
        observed = (o * d2).sum(axis=(-2, -1))
        expected = (marg[..., :, None] * marg[..., None, :] * d2).sum(axis=(-2, -1))
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = 1.0 - (total - 1.0) * observed / expected
        res[f"alpha_{kind}"] = np.where(expected == 0, np.nan, alpha)
    return res


# -- public single-coefficient functions (used by tests and the benchmark) ------------------

def _features(codes: np.ndarray, k: int | None) -> tuple[np.ndarray, int]:
    codes = np.asarray(codes)
    k = int(codes.max()) + 1 if k is None else k
    return item_features(count_matrix(codes, k)), k


def krippendorff_alpha(codes: np.ndarray, k: int | None = None, level: str = "nominal") -> float:
    """Krippendorff's α for nominal or ordinal data (category order = code order)."""
    codes = np.asarray(codes)
    k = int(codes.max()) + 1 if k is None else k
    counts = count_matrix(codes, k)
    m = counts.sum(axis=1)
    counts = counts[m >= 2]
    m = m[m >= 2]
    # coincidence matrix as one matrix product: sum_i n_i n_i^T / (m_i - 1), minus the diagonal part
    weighted = counts / (m - 1)[:, None]
    o = weighted.T @ counts
    o[np.diag_indices(k)] -= weighted.sum(axis=0)
    marg = o.sum(axis=1)
    d2 = delta_squared(level, marg)
    expected = (np.outer(marg, marg) * d2).sum()
    if expected == 0:
        return float("nan")
    return float(1.0 - (marg.sum() - 1.0) * (o * d2).sum() / expected)


def fleiss_kappa(codes: np.ndarray, k: int | None = None) -> float:
    f, k = _features(codes, k)
    return float(finalize(f.sum(axis=0), k)["fleiss_kappa"])


def gwet_ac1(codes: np.ndarray, k: int | None = None) -> float:
    f, k = _features(codes, k)
    return float(finalize(f.sum(axis=0), k)["gwet_ac1"])


def percent_agreement(codes: np.ndarray, k: int | None = None) -> float:
    f, k = _features(codes, k)
    return float(finalize(f.sum(axis=0), k)["percent_agreement"])


# -- two coders ------------------------------------------------------------------------------

def pair_features(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    """Per-item one-hot confusion cells (items × K²) for items both coders labelled."""
    a, b = np.asarray(a), np.asarray(b)
    both = (a >= 0) & (b >= 0)
    out = np.zeros((a.shape[0], k * k))
    rows = np.nonzero(both)[0]
    out[rows, a[both].astype(np.int64) * k + b[both].astype(np.int64)] = 1.0
    return out


def kappa_from_confusion(confusion: np.ndarray) -> np.ndarray:
    """Cohen's κ from (possibly batched) K×K confusion matrices (rows: coder a)."""
    confusion = np.asarray(confusion, dtype=np.float64)
    n = confusion.sum(axis=(-2, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        po = np.trace(confusion, axis1=-2, axis2=-1) / n
        pe = (confusion.sum(axis=-1) * confusion.sum(axis=-2)).sum(axis=-1) / n ** 2
    return np.where(n == 0, np.nan, _chance_corrected(po, pe))


def confusion_matrix(a: np.ndarray, b: np.ndarray, k: int) -> np.ndarray:
    return pair_features(a, b, k).sum(axis=0).reshape(k, k)


def cohen_kappa(a: np.ndarray, b: np.ndarray, k: int | None = None) -> float:
    a, b = np.asarray(a), np.asarray(b)
    k = int(max(a.max(), b.max())) + 1 if k is None else k
    return float(kappa_from_confusion(confusion_matrix(a, b, k)))


# -- bootstrap ---------------------------------------------------------------------------------

def bootstrap_sums(features: np.ndarray, replicates: int = 1000, seed: int = 0,
                   chunk: int | None = None) -> np.ndarray:
    """Column sums of `replicates` item resamples (with replacement): (replicates × width)."""
    n = features.shape[0]
    rng = np.random.default_rng(seed)
    if n == 0 or replicates <= 0:
        return np.zeros((0, features.shape[1]))
    chunk = chunk or max(1, min(replicates, 4_000_000 // max(n, 1)))
    out = np.empty((replicates, features.shape[1]))
    done = 0
    while done < replicates:
        size = min(chunk, replicates - done)
        draws = rng.integers(0, n, size=(size, n))
        draws += (np.arange(size) * n)[:, None]
        weights = np.bincount(draws.ravel(), minlength=size * n).reshape(size, n).astype(np.float64)
        out[done:done + size] = weights @ features
        done += size
    return out


def unique_patterns(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct rows of the reliability matrix and how often each occurs.

    Every coefficient here depends on the items only through these rows, so features are
    computed once per pattern and resampling items becomes resampling pattern counts.
    """
    codes = np.asarray(codes, dtype=np.int64)
    if codes.shape[0] == 0:
        return codes, np.zeros(0, dtype=np.int64)
    n_coders = codes.shape[1]
    base = int(codes.max()) + 2  # values -1..K-1 shifted to 0..K
    if n_coders == 0 or base ** n_coders >= 2 ** 62:
        patterns, counts = np.unique(codes, axis=0, return_counts=True)
        return patterns, counts
    # one integer per row (mixed radix), so deduplication is a 1-d unique, not a row sort
    place = base ** np.arange(n_coders, dtype=np.int64)
    keys = (codes + 1) @ place
    uniq, counts = np.unique(keys, return_counts=True)
    patterns = (uniq[:, None] // place[None, :]) % base - 1
    return patterns, counts


def bootstrap_pattern_sums(features: np.ndarray, counts: np.ndarray, replicates: int = 1000,
                           seed: int = 0) -> np.ndarray:
    """Feature sums of `replicates` item resamples, given per-pattern features and counts.

    Resampling n items with replacement draws each pattern a Multinomial(n, counts/n) number
    of times, so one replicate costs O(patterns), not O(items).
    """
    counts = np.asarray(counts, dtype=np.int64)
    n = int(counts.sum())
    if n == 0 or replicates <= 0:
        return np.zeros((0, features.shape[1]))
    rng = np.random.default_rng(seed)
    if len(counts) <= 20_000:
        weights = rng.multinomial(n, counts / n, size=replicates).astype(np.float64)
        return weights @ features
    expanded = np.repeat(np.arange(len(counts)), counts)  # many distinct patterns: draw items directly
    out = np.empty((replicates, features.shape[1]))
    chunk = max(1, 4_000_000 // n)
    for done in range(0, replicates, chunk):
        size = min(chunk, replicates - done)
        draws = expanded[rng.integers(0, n, size=(size, n))] + (np.arange(size) * len(counts))[:, None]
        weights = np.bincount(draws.ravel(), minlength=size * len(counts)).reshape(size, len(counts))
        out[done:done + size] = weights.astype(np.float64) @ features
    return out


def percentile_ci(samples: np.ndarray, level: float = 0.95) -> tuple[float | None, float | None]:
    samples = np.asarray(samples, dtype=np.float64)
    samples = samples[np.isfinite(samples)]
    if samples.size == 0:
        return (None, None)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(samples, [tail, 100 - tail])
    return (float(lo), float(hi))


def bootstrap_ci(features: np.ndarray, statistic: Callable[[np.ndarray], np.ndarray], replicates: int = 1000,
                 seed: int = 0, level: float = 0.95) -> tuple[float | None, float | None]:
    return percentile_ci(statistic(bootstrap_sums(features, replicates, seed)), level)
