"""The relatedness refit's arithmetic (models/relatedness_refit.py): weights mixed with the anchors, thresholds
chosen for 95 % recall, per-target thresholds only where justified, and the better-than-parent rule."""
from __future__ import annotations

import numpy as np
import pytest

from models.errors import ModelError
from models.relatedness_gate import GateParams, fit_logistic, roc_auc
from models.relatedness_refit import (Anchors, MIN_TARGET_RELATED, better, load_anchors, refit, split_heldback,
                                      target_thresholds)

PARENT = GateParams("gate", "1.0.0", (1.6, 4.4, 1.7), -2.1, 0.2634, "enc", 256)


def synthetic_anchors(n: int = 3000, seed: int = 0) -> Anchors:
    """Pairs whose labels follow the parent gate itself (so the parent is the right model for them)."""
    rng = np.random.default_rng(seed)
    x = np.column_stack([rng.uniform(-0.1, 0.8, n), rng.uniform(-0.1, 0.8, n), rng.uniform(0, 1, n)])
    y = (rng.random(n) < PARENT.probability(x)).astype(int)
    return Anchors(x, y, np.arange(n) % 3 == 0)


def test_sample_weights_count_a_row_as_that_many_copies():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 2))
    y = (rng.random(200) < 0.5).astype(float)
    w = np.where(np.arange(200) < 50, 3.0, 1.0)
    dup_x = np.concatenate([x, x[:50], x[:50]])
    dup_y = np.concatenate([y, y[:50], y[:50]])
    weighted = fit_logistic(x, y, sample_weight=w)
    duplicated = fit_logistic(dup_x, dup_y)
    assert np.allclose(weighted[0], duplicated[0], atol=1e-6) and weighted[1] == pytest.approx(duplicated[1], abs=1e-6)


def test_a_few_dozen_contrary_verdicts_cannot_wreck_the_gate():
    anchors = synthetic_anchors()
    rng = np.random.default_rng(2)
    x = np.column_stack([rng.uniform(0.5, 0.8, 40), rng.uniform(0.5, 0.8, 40), rng.uniform(0.5, 1, 40)])
    related = np.zeros(40, int)  # 40 pairs the gate finds obviously related, all marked "not about"
    new, report = refit(PARENT, anchors, x, related, ["t"] * 40, np.zeros(40, bool), "1.0.0+ft.x")
    dev = anchors.dev
    auc_new = roc_auc(new.probability(anchors.features[dev]), anchors.related[dev])
    auc_parent = roc_auc(PARENT.probability(anchors.features[dev]), anchors.related[dev])
    assert auc_new > auc_parent - 0.01  # the ranking the anchors teach survives
    assert all(w > 0 for w in new.weight)  # every feature still says "more similar, more related"
    shipped = report["dev_metrics"]["shipped_dev"]
    assert shipped["recall_related"] >= 0.95  # the default threshold keeps 95 % of the anchors' related dev pairs
    assert report["fit"] == {"anchor_pairs": int((~dev).sum()), "verdict_pairs": 40, "verdict_weight": 1.0,
                             "heldback_pairs": 0}


def test_in_domain_verdicts_move_the_fit_and_the_threshold_keeps_their_recall():
    anchors = synthetic_anchors()
    rng = np.random.default_rng(3)
    # the database's related pairs share few content words with their target (overlap 0) but are close in meaning
    rel = np.column_stack([rng.uniform(0.35, 0.6, 150), rng.uniform(0.35, 0.6, 150), np.zeros(150)])
    unrel = np.column_stack([rng.uniform(0.0, 0.3, 150), rng.uniform(0.0, 0.3, 150), np.zeros(150)])
    x = np.concatenate([rel, unrel])
    related = np.array([1] * 150 + [0] * 150)
    held = split_heldback(related, seed=5)
    assert held.sum() == 60 and related[held].sum() == 30  # 20 %, stratified by label
    new, report = refit(PARENT, anchors, x, related, ["t"] * 300, held, "1.0.0+ft.y")
    assert new.version == "1.0.0+ft.y" and new.weight != PARENT.weight
    fit_related = new.probability(x[~held & (related == 1)])
    assert (fit_related >= new.threshold).mean() >= 0.95
    held_new, held_parent = report["dev_metrics"]["heldback"], report["parent_dev_metrics"]["heldback"]
    assert held_new["n"] == held_parent["n"] == 60
    assert held_new["recall_related"] >= 0.95 and held_new["filtered_unrelated"] > held_parent["filtered_unrelated"]
    assert better(held_new, held_parent) is True


def test_a_target_threshold_is_raised_only_with_enough_related_verdicts_and_a_gain():
    related_scores = list(np.linspace(0.5, 0.95, MIN_TARGET_RELATED))
    scores = np.array(related_scores + [0.3, 0.4])
    related = np.array([1] * MIN_TARGET_RELATED + [0, 0])
    got = target_thresholds(scores, related, ["t"] * len(scores), default=0.26)
    assert got == {"t": 0.5}  # 19 related: the lowest of them; both not-about pairs fall below it
    # with 39 related pairs, k = floor(0.05 * 40) = 2: the second lowest
    many = np.array(list(np.linspace(0.5, 0.95, 39)) + [0.3])
    assert target_thresholds(many, np.array([1] * 39 + [0]), ["t"] * 40, 0.26)["t"] == pytest.approx(
        np.floor(np.linspace(0.5, 0.95, 39)[1] * 1e4) / 1e4)
    # too few related verdicts, no not-about pair below, or a threshold that would be lower: no change
    assert target_thresholds(scores[1:], related[1:], ["t"] * (len(scores) - 1), 0.26) == {}
    assert target_thresholds(np.array(related_scores + [0.97]), np.array([1] * MIN_TARGET_RELATED + [0]),
                             ["t"] * (MIN_TARGET_RELATED + 1), 0.26) == {}
    assert target_thresholds(scores, related, ["t"] * len(scores), default=0.6) == {}
    # targets are judged apart: another target's verdicts do not count
    mixed = ["t"] * MIN_TARGET_RELATED + ["u", "u"]
    assert target_thresholds(scores, related, mixed, 0.26) == {}


def test_the_refit_applies_per_target_thresholds_to_its_own_held_back_metrics():
    params = GateParams("g", "2", (0.0, 0.0, 10.0), -5.0, 0.2, "enc", 256, (("narrow", 0.9),))
    assert params.threshold_for("narrow") == 0.9 and params.threshold_for("other") == 0.2
    # overlap 0.55 -> P = sigmoid(0.5) = 0.62: kept for "other", out for "narrow"
    x = np.array([[0, 0, 0.55], [0, 0, 0.55]])
    assert list(params.probability(x) >= np.array([params.threshold_for(t) for t in ("narrow", "other")])) == [False,
                                                                                                          True]


def test_better_counts_recall_up_to_095_then_filtering():
    assert better({"recall_related": 0.96, "filtered_unrelated": 0.8}, {"recall_related": 1.0, "filtered_unrelated": 0.5})
    assert not better({"recall_related": 0.9, "filtered_unrelated": 0.99}, {"recall_related": 0.95, "filtered_unrelated": 0.1})
    assert better({"recall_related": 1.0, "filtered_unrelated": 0.5}, {"recall_related": 1.0, "filtered_unrelated": 0.5}) is False
    assert better({"recall_related": None, "filtered_unrelated": 0.5}, {"recall_related": None, "filtered_unrelated": 0.4})
    assert better({"n": 0}, {"n": 0}) is None


def test_anchors_must_match_the_gate(tmp_path):
    with pytest.raises(ModelError, match="no anchor pairs"):
        load_anchors(PARENT, tmp_path)
    np.savez(tmp_path / "anchors.npz", features=np.zeros((2, 3)), related=np.array([0, 1]), dev=np.array([0, 1], bool),
             feature_names=np.array(["cos_statement", "cos_context", "content_overlap"]), encoder=np.array("other"),
             max_length=np.array(256))
    with pytest.raises(ModelError, match="another encoder"):
        load_anchors(PARENT, tmp_path)
    shipped = load_anchors(_shipped_params())
    assert shipped.features.shape[1] == 3 and shipped.dev.any() and (~shipped.dev).any()
    assert 0.3 < shipped.related.mean() < 0.7  # both kinds of pair, as in the training data


def _shipped_params():
    from models.relatedness_gate import load_params

    return load_params()
