"""Every coefficient against an independent reference and worked examples from the literature."""
from __future__ import annotations

import itertools

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from workbench.agreement import metrics as M

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders × 12 units, missing data.
KRIPP = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
])
# Fleiss (1971), Table 1: 30 patients × 6 psychiatrists, 5 diagnoses (as transcribed in statsmodels' tests).
FLEISS_1971 = np.array([
    [4, 4, 4, 4, 4, 4], [2, 2, 2, 5, 5, 5], [2, 3, 3, 3, 3, 5], [5, 5, 5, 5, 5, 5], [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3], [3, 3, 3, 3, 5, 5], [1, 1, 3, 3, 3, 4], [1, 1, 4, 4, 4, 4], [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4], [1, 2, 4, 4, 4, 4], [2, 2, 2, 3, 3, 3], [1, 4, 4, 4, 4, 4], [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5], [1, 1, 1, 4, 5, 5], [1, 1, 1, 1, 1, 2], [2, 2, 4, 4, 4, 4], [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5], [2, 4, 4, 4, 4, 4], [2, 2, 4, 5, 5, 5], [1, 1, 4, 4, 4, 4], [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4], [1, 1, 1, 1, 5, 5], [2, 2, 4, 4, 4, 4], [1, 3, 3, 3, 3, 3], [5, 5, 5, 5, 5, 5],
])
# Gwet (2014), Handbook of Inter-Rater Reliability 4th ed., p. 120: 4 raters × 12 subjects with missing
# ratings (Krippendorff's data with rater 2/3's last ratings swapped).
GWET_4RATERS = np.array([
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, NAN],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, 3],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
])


def to_codes(coders_by_units: np.ndarray) -> np.ndarray:
    """Coders × units with NaN (values 1..K) → items × coders codes with -1."""
    return np.where(np.isnan(coders_by_units.T), -1, coders_by_units.T - 1).astype(np.int64)


def test_krippendorff_worked_example():
    codes = to_codes(KRIPP)
    assert M.krippendorff_alpha(codes, 5, "nominal") == pytest.approx(0.743, abs=5e-4)
    assert M.krippendorff_alpha(codes, 5, "ordinal") == pytest.approx(0.815, abs=5e-4)
    assert M.krippendorff_alpha(codes, 5, "interval") == pytest.approx(0.849, abs=5e-4)
    # the feature/finalise path agrees with the direct one
    res = M.finalize(M.item_features(M.count_matrix(codes, 5)).sum(axis=0), 5)
    assert float(res["alpha_nominal"]) == pytest.approx(0.743421, abs=1e-6)
    assert float(res["alpha_ordinal"]) == pytest.approx(0.815388, abs=1e-6)


def test_fleiss_1971_worked_example():
    codes = FLEISS_1971 - 1
    assert M.fleiss_kappa(codes, 5) == pytest.approx(0.430, abs=5e-4)
    table, _ = aggregate_raters(FLEISS_1971)
    assert M.fleiss_kappa(codes, 5) == pytest.approx(sm_fleiss(table), abs=1e-12)


def test_fleiss_wikipedia_table():
    """The 10 subjects × 14 raters example (κ = 0.210), given as a count table."""
    table = np.array([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
                      [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]])
    codes = np.array([np.repeat(np.arange(5), row) for row in table])
    assert M.fleiss_kappa(codes, 5) == pytest.approx(0.210, abs=5e-4)


def test_gwet_handbook_worked_example_with_missing_ratings():
    codes = to_codes(GWET_4RATERS)
    assert M.percent_agreement(codes, 5) == pytest.approx(0.818, abs=5e-4)
    assert M.gwet_ac1(codes, 5) == pytest.approx(0.775, abs=5e-4)
    assert M.fleiss_kappa(codes, 5) == pytest.approx(0.761, abs=5e-4)  # Gwet's missing-data Fleiss


def test_gwet_ac1_kappa_paradox_table():
    """Gwet (2008): 125 subjects, 2 raters, a = 118, b = 5, c = 2, d = 0: κ ≈ -0.024 but AC1 ≈ 0.941."""
    pairs = [(0, 0)] * 118 + [(0, 1)] * 5 + [(1, 0)] * 2
    codes = np.array(pairs)
    assert M.cohen_kappa(codes[:, 0], codes[:, 1], 2) == pytest.approx(-0.0236, abs=5e-4)
    assert M.gwet_ac1(codes, 2) == pytest.approx(0.9408, abs=5e-4)


def reference_ac1(codes: np.ndarray, k: int) -> float:
    """A plain-loop transcription of Gwet (2014, eq. 4.x) for independent checking."""
    pa_terms, pi = [], np.zeros(k)
    rated = 0
    for row in codes:
        r = [c for c in row if c >= 0]
        if len(r) >= 1:
            rated += 1
            for c in r:
                pi[c] += 1 / len(r)
        if len(r) >= 2:
            counts = np.bincount(r, minlength=k)
            pa_terms.append(sum(n * (n - 1) for n in counts) / (len(r) * (len(r) - 1)))
    pa = sum(pa_terms) / len(pa_terms)
    pi /= rated
    pe = sum(p * (1 - p) for p in pi) / (k - 1)
    return (pa - pe) / (1 - pe)


@st.composite
def reliability_data(draw):
    n_items = draw(st.integers(5, 40))
    n_coders = draw(st.integers(2, 5))
    k = draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    missing = draw(st.floats(0.0, 0.5))
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, k, size=n_items)
    codes = np.where(rng.random((n_items, n_coders)) < 0.6, truth[:, None], rng.integers(0, k, (n_items, n_coders)))
    codes = np.where(rng.random((n_items, n_coders)) < missing, -1, codes)
    return codes, k


@settings(max_examples=80, deadline=None)
@given(reliability_data())
def test_alpha_matches_krippendorff_package(data):
    codes, k = data
    reference = codes.T.astype(float)
    reference[reference < 0] = np.nan
    for level in ("nominal", "ordinal"):
        try:
            expected = krippendorff.alpha(reference, level_of_measurement=level, value_domain=list(range(k)))
        except ValueError:  # fewer than two pairable values: undefined
            continue
        got = M.krippendorff_alpha(codes, k, level)
        if np.isnan(expected):
            assert np.isnan(got)
        else:
            assert got == pytest.approx(expected, abs=1e-9)
            batched = M.finalize(M.item_features(M.count_matrix(codes, k)).sum(axis=0), k)[f"alpha_{level}"]
            assert float(batched) == pytest.approx(expected, abs=1e-9)


@settings(max_examples=80, deadline=None)
@given(reliability_data())
def test_cohen_matches_sklearn_on_jointly_rated_items(data):
    codes, k = data
    for a, b in itertools.combinations(range(codes.shape[1]), 2):
        both = (codes[:, a] >= 0) & (codes[:, b] >= 0)
        if both.sum() < 2:
            continue
        x, y = codes[both, a], codes[both, b]
        if len(set(x) | set(y)) < 2:
            continue
        expected = cohen_kappa_score(x, y, labels=list(range(k)))
        got = M.cohen_kappa(codes[:, a], codes[:, b], k)
        if np.isnan(expected):
            assert np.isnan(got)
        else:
            assert got == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(reliability_data())
def test_fleiss_matches_statsmodels_on_complete_data(data):
    codes, k = data
    complete = np.where(codes < 0, 0, codes)  # statsmodels needs every rater on every item
    table, _ = aggregate_raters(complete, n_cat=k)
    expected = sm_fleiss(table)
    got = M.fleiss_kappa(complete, k)
    if np.isnan(expected):
        assert np.isnan(got)
    else:
        assert got == pytest.approx(expected, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(reliability_data())
def test_gwet_ac1_matches_loop_reference_with_missing_data(data):
    codes, k = data
    if not ((codes >= 0).sum(axis=1) >= 2).any():
        return
    assert M.gwet_ac1(codes, k) == pytest.approx(reference_ac1(codes, k), abs=1e-9)


def test_bootstrap_ci_brackets_the_estimate_and_is_reproducible():
    rng = np.random.default_rng(1)
    truth = rng.integers(0, 3, 400)
    codes = np.where(rng.random((400, 3)) < 0.7, truth[:, None], rng.integers(0, 3, (400, 3)))
    feats = M.item_features(M.count_matrix(codes, 3))
    point = float(M.finalize(feats.sum(axis=0), 3)["alpha_nominal"])
    stat = lambda sums: M.finalize(sums, 3)["alpha_nominal"]  # noqa: E731
    lo, hi = M.bootstrap_ci(feats, stat, replicates=500, seed=3)
    assert lo < point < hi
    assert 0.02 < hi - lo < 0.3
    assert (lo, hi) == M.bootstrap_ci(feats, stat, replicates=500, seed=3)
    # resampled sums equal explicitly resampled data
    sums = M.bootstrap_sums(feats, replicates=3, seed=9)
    rng2 = np.random.default_rng(9)
    draws = rng2.integers(0, 400, size=(3, 400))
    for b in range(3):
        explicit = M.item_features(M.count_matrix(codes[draws[b]], 3)).sum(axis=0)
        assert np.allclose(sums[b], explicit)


def test_specific_agreement_per_label():
    codes = np.array([[0, 0], [0, 1], [1, 1], [2, 2]])
    res = M.finalize(M.item_features(M.count_matrix(codes, 3)).sum(axis=0), 3)
    # label 0: 2 agreeing pairs-ordered (item 0) over ratings×(m-1) = 3 → 2/3
    assert res["specific_agreement"] == pytest.approx([2 / 3, 2 / 3, 1.0])


@settings(max_examples=40, deadline=None)
@given(reliability_data())
def test_pattern_dedup_reproduces_items_and_bootstrap_is_exact_in_expectation(data):
    codes, k = data
    patterns, counts = M.unique_patterns(codes)
    assert counts.sum() == codes.shape[0]
    assert sorted(map(tuple, codes)) == sorted(t for p, c in zip(map(tuple, patterns), counts) for t in [p] * c)
    direct = M.item_features(M.count_matrix(codes, k)).sum(axis=0)
    feats = M.item_features(M.count_matrix(patterns, k))
    assert np.allclose(counts @ feats, direct)
    sums = M.bootstrap_pattern_sums(feats, counts, replicates=400, seed=1)
    assert sums.shape == (400, feats.shape[1])
    assert np.isfinite(sums).all()
    assert np.allclose(sums.mean(axis=0), direct, rtol=0.25, atol=2.0)
