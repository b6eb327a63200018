"""The real packaged encoder + shipped weights: clear-cut predictions, offline."""

import socket

import pytest

from models.classifiers import load_classifier
from models.shipped import SHIPPED_VERSION


@pytest.fixture(scope="module")
def offline_models():
    mp = pytest.MonkeyPatch()

    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    mp.setattr(socket.socket, "connect", refuse)
    mp.setattr(socket, "create_connection", refuse)
    mp.delenv("WORKBENCH_BASE_ENCODER", raising=False)
    mp.delenv("WORKBENCH_PRECISION", raising=False)
    try:
        yield load_classifier("sentiment"), load_classifier("stance")
    finally:
        mp.undo()


def test_shipped_sentiment_clear_cases(offline_models):
    sent, _ = offline_models
    assert sent.version == SHIPPED_VERSION["sentiment"] and sent.name == "mpnet-lora-sentiment"
    preds = sent.predict(
        [
            "This is a wonderful success",
            "The senator praised the mayor for his courageous and brilliant leadership.",
            "The mayor was convicted of fraud and lied repeatedly to voters.",
            "The meeting will take place on Tuesday at the city hall.",
        ],
        [None, "the mayor", "The mayor", "meeting"],
    )
    assert [p.label for p in preds] == ["positive", "positive", "negative", "neutral"]
    assert all(abs(sum(p.probabilities.values()) - 1) < 1e-6 for p in preds)


def test_shipped_stance_clear_cases(offline_models):
    _, stance = offline_models
    assert stance.version == SHIPPED_VERSION["stance"] and stance.name == "mpnet-lora-stance"
    preds = stance.predict(
        [
            "We must ban abortion now; it is murder and should be illegal everywhere.",
            "Climate change is real and we need urgent action to cut emissions.",
        ],
        ["legalization of abortion", "climate change is a real concern"],
    )
    assert [p.label for p in preds] == ["against", "favor"]


def test_shipped_stance_calls_an_off_topic_statement_neutral(offline_models):
    """The relatedness combiner: a statement about something else takes no stance toward the target."""
    _, stance = offline_models
    assert stance.config["relatedness"]["combiner"]["features"] == "logits+unrelatedness"
    preds = stance.predict(
        [
            "The new bakery on Main Street sells excellent sourdough bread.",
            "Our football team won the championship game last night in overtime.",
        ],
        ["legalization of abortion", "Hillary Clinton"],
    )
    assert [p.label for p in preds] == ["neutral", "neutral"]
    assert all(p.probabilities["neutral"] > 0.5 for p in preds)


_MIXED = [  # lengths from a few words to a long sentence: batches of them carry padding
    ("Good.", None),
    ("The minister said the peacekeeping mission had restored order and saved lives.", "the peacekeeping mission"),
    ("Critics warned that the appointment rewards loyalty over competence and will weaken the ministry for years, "
     "and that the parliament was never consulted.", "the appointment"),
    ("Prices rose again in March.", "prices"),
    ("We must ban abortion now; it is murder.", "legalization of abortion"),
    ("The expert called the operation a dangerous precedent for the whole region.", "the operation"),
    ("Climate change is real and we need urgent action to cut emissions this decade.",
     "climate change is a real concern"),
    ("The bakery on Main Street sells excellent bread.", "Hillary Clinton"),
]


@pytest.mark.parametrize("task", ["sentiment", "stance"])
def test_a_statement_gets_the_same_prediction_whatever_shares_its_batch(offline_models, task):
    """Dynamic int8 would take one activation scale per batch (bench/batch_invariance.py): the shipped
    models must give each statement the prediction it gets alone, up to fp32 rounding, in the precision
    this CPU runs them (bf16 projections where it has native bf16: a rounding flip would show here)."""
    import numpy as np

    from models.encoder import batch_invariant_bf16

    clf = offline_models[0] if task == "sentiment" else offline_models[1]
    assert clf.precision == ("bf16" if clf.config.get("cpu_bf16") and batch_invariant_bf16() else "fp32")
    texts, targets = [t for t, _ in _MIXED], [g for _, g in _MIXED]
    alone = clf.predict(texts, targets, batch_size=1)
    cross_alone = clf.cross_logits(texts, targets, batch_size=1)
    for batch_size in (3, len(texts)):
        np.testing.assert_allclose(clf.cross_logits(texts, targets, batch_size=batch_size), cross_alone, atol=1e-5)
        together = clf.predict(texts, targets, batch_size=batch_size)
        assert [p.label for p in together] == [p.label for p in alone]
        np.testing.assert_allclose([[p.probabilities[lab] for lab in clf.labels] for p in together],
                                   [[p.probabilities[lab] for lab in clf.labels] for p in alone], atol=1e-4)
