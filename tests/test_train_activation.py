"""`workbench train` activates a new version only when it beats its parent on the same held-back items.

Real training of the tiny local transformer (fixtures from test_loop_training). The tiny parent
predicts "against" for everything, so a training set that is all "against" cannot be beaten (a tie:
the parent stays) and one that is all "neutral" moves the child's bias (strictly better: activated).
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from db.decisions import NewDecision, record
from db.engine import transaction
from db.repository import add_target, get_or_create_annotator
from tests.test_loop_training import (AGAINST, FAVOR, NEUTRAL, TINY_VERSION, add_statements,  # noqa: F401
                                      store, tiny_base, tiny_parents)
from workbench.cli import cli


def label_everything(engine, sids: list[int], target: str, stance: str) -> None:
    with transaction(engine) as s:
        tid = add_target(s, target).id
        ann = get_or_create_annotator(s, "ann1")
        for sid in sids:
            record(s, ann, NewDecision(statement_id=sid, target_id=tid, stance=stance, source="test"))


def train(sqlite_url, *args):
    result = CliRunner().invoke(cli, ["train", "--task", "stance", "--epochs", "5", *args, "--db", sqlite_url])
    return result.exit_code, result.output


def active(store) -> str:
    return json.loads((store / "registry.json").read_text())["active"]["stance"]


@pytest.fixture
def labelled(engine):
    sids = add_statements(engine, (FAVOR + AGAINST + NEUTRAL) * 2)
    label_everything(engine, sids, "angry", "against")
    label_everything(engine, sids, "calm", "neutral")
    return sids


def test_the_parent_is_scored_on_the_same_held_back_items(engine, sqlite_url, store, labelled):
    from models.classifiers import load_classifier
    from models.data import Example
    from models.metrics import classification_report
    from models.training import _split
    from workbench.training import DEV_FRACTION, collect_training_set

    code, out = train(sqlite_url, "--target", "angry", "--json", "--seed", "7")
    assert code == 0, out
    result = json.loads(out)
    parent_held = result["parent_dev_metrics"]["heldback"]
    assert parent_held["n"] == result["n_dev"] == result["dev_metrics"]["heldback"]["n"] == 7

    # the parent scored independently on the held-back slice train_from_decisions used
    examples = [Example(i.text, i.target, i.label) for i in collect_training_set(engine, "stance", "angry").items]
    _, dev = _split(examples, DEV_FRACTION, 7)
    parent = load_classifier("stance", store / "parents" / "stance")
    logits = np.asarray(parent.logits([e.text for e in dev], [e.target for e in dev]))
    predicted = [parent.labels[i] for i in logits.argmax(axis=1)]
    expected = classification_report([e.label for e in dev], predicted, parent.labels)["macro_f1"]
    assert parent_held["macro_f1"] == pytest.approx(expected)
    assert result["activation"]["parent"] == pytest.approx(expected)


def test_not_better_keeps_the_parent_and_better_activates(engine, sqlite_url, store, labelled):
    code, out = train(sqlite_url, "--target", "angry")
    assert code == 0, out
    # both numbers and the decision are printed
    assert "held-back macro_f1 on the same 7 item(s): new 0.333, parent 0.1.0-tiny 0.333" in out
    assert "not activated: not better than the parent on the held-back items (macro_f1 0.333 ≤ 0.333)" in out
    assert "active stance model stays 0.1.0-tiny" in out
    assert active(store) == TINY_VERSION["stance"]

    code, out = train(sqlite_url, "--target", "calm", "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["activation"]["new"] > result["activation"]["parent"] == 0.0
    assert result["activation"]["better"] is True and result["activated"] is True
    assert result["activation"]["reason"].startswith("activated: better than the parent")
    assert active(store) == result["version"]


def test_activate_forces_and_contradicting_flags_are_refused(engine, sqlite_url, store, labelled):
    code, out = train(sqlite_url, "--target", "angry", "--activate", "--json")
    assert code == 0, out
    result = json.loads(out)
    assert result["activation"]["better"] is False and result["activated"] is True
    assert result["activation"]["reason"] == "activated because --activate was given"
    assert active(store) == result["version"]

    code, out = train(sqlite_url, "--target", "angry", "--activate", "--no-activate")
    assert code == 1
    assert out.strip() == "error: --activate and --no-activate contradict each other: give one or neither"


def test_no_held_back_items_means_no_comparison():
    from workbench.training import activation_decision

    decision = activation_decision({}, {}, None)
    assert decision["activated"] is False and decision["better"] is None
    assert "no held-back items" in decision["reason"]
    assert activation_decision({}, {}, True)["activated"] is True
    tie = {"heldback": {"macro_f1": 0.5}}
    assert activation_decision(tie, tie, None)["activated"] is False
    assert activation_decision({"heldback": {"macro_f1": 0.6}}, tie, False)["activated"] is False
