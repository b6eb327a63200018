"""The label and task vocabulary (vocabulary/) is the one the database, the models and the workbench use."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import vocabulary as V

REPO = Path(__file__).resolve().parents[1]
WEIGHTS = REPO / "models" / "weights"


def _project_modules_loaded_by(statement: str) -> set[str]:
    """Top-level names `statement` adds to sys.modules in a clean interpreter (beyond the interpreter's own)."""
    code = ("import sys, json\nbefore = set(sys.modules)\n" + statement
            + "\nprint(json.dumps(sorted(set(sys.modules) - before)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    return {name.split(".")[0] for name in json.loads(out.splitlines()[-1])}


def test_vocabulary_imports_no_layer_and_no_library():
    loaded = _project_modules_loaded_by("import vocabulary")
    assert loaded <= {"vocabulary", "__future__"}, loaded


def test_each_task_has_three_distinct_labels_and_sentiment_scale_is_a_permutation():
    assert V.TASKS == (V.STANCE, V.SENTIMENT) == ("stance", "sentiment")
    for task in V.TASKS:
        labels = V.LABELS_BY_TASK[task]
        assert len(labels) == len(set(labels)) == 3
    assert sorted(V.SENTIMENT_SCALE) == sorted(V.SENTIMENT_LABELS)
    assert set(V.PREDICTION_LABELS) == {*V.TASKS, V.RELATEDNESS_TASK}
    assert V.RELATEDNESS_TASK not in V.TASKS
    assert V.RELATEDNESS_LABELS == (V.RELATED, V.UNRELATED)


def test_actions_verdicts_and_reasons_are_distinct_and_consistent():
    assert len(set(V.DECISION_ACTIONS)) == len(V.DECISION_ACTIONS)
    assert set(V.CORRECTION_ACTIONS) <= set(V.DECISION_ACTIONS) and V.NOT_ABOUT in V.DECISION_ACTIONS
    assert V.NOT_A_STATEMENT in V.REASON_CODES  # the flag reason an adjudicator's verdict mirrors
    assert set(V.GOLD_VERDICTS) == set(V.TASKS)
    for task, verdicts in V.GOLD_VERDICTS.items():
        assert V.NOT_A_STATEMENT in verdicts and not set(verdicts) & set(V.LABELS_BY_TASK[task])
    assert V.NOT_ABOUT in V.GOLD_VERDICTS[V.STANCE] and V.NOT_ABOUT not in V.GOLD_VERDICTS[V.SENTIMENT]


def test_db_schema_takes_its_enums_from_the_vocabulary():
    from db import schema

    from db import adjudication, decisions

    for name in ("TASKS", "STANCE_LABELS", "SENTIMENT_LABELS", "LABELS_BY_TASK", "RELATEDNESS_TASK",
                 "RELATEDNESS_LABELS", "PREDICTION_LABELS", "DECISION_ACTIONS", "CORRECTION_ACTIONS",
                 "REASON_CODES"):
        assert getattr(schema, name) is getattr(V, name), name
    assert adjudication.GOLD_VERDICTS is V.GOLD_VERDICTS and decisions.NOT_A_STATEMENT == V.NOT_A_STATEMENT
    for task in V.TASKS:
        assert adjudication.gold_values(task) == V.LABELS_BY_TASK[task] + V.GOLD_VERDICTS[task]


def test_every_vocabulary_word_fits_the_column_that_stores_it():
    """A label longer than its String(n) column would be refused by PostgreSQL (and silently kept by SQLite)."""
    from db.schema import Adjudication, Decision, Prediction

    def width(column) -> int:
        return column.property.columns[0].type.length

    stance = width(Decision.stance)
    assert all(len(label) <= stance for label in V.STANCE_LABELS)
    assert all(len(label) <= width(Decision.sentiment) for label in V.SENTIMENT_LABELS)
    assert all(len(action) <= width(Decision.action) for action in V.DECISION_ACTIONS)
    for task, labels in V.PREDICTION_LABELS.items():
        assert len(task) <= width(Prediction.task)
        assert all(len(label) <= width(Prediction.label) for label in labels)
    for task in V.TASKS:
        assert len(task) <= width(Adjudication.task)
        assert all(len(label) <= width(Adjudication.label)
                   for label in V.LABELS_BY_TASK[task] + V.GOLD_VERDICTS[task])
    assert all(len(code) <= 64 for code in V.REASON_CODES)  # a JSON list: no width, but kept short


def test_db_writers_accept_exactly_the_vocabulary(engine):
    """What db/ validates against is the vocabulary: every label is stored, a word outside it is refused."""
    from db.adjudication import set_gold
    from db.decisions import NewDecision, record
    from db.engine import transaction
    from db.errors import StorageError
    from db.repository import StatementFields, add_document, add_target, get_or_create_annotator, replace_statements
    from db.schema import Statement

    with transaction(engine) as session:
        doc, _ = add_document(session, "vocab.txt", 'Alice said: "We back the plan."')
        replace_statements(session, doc, [StatementFields(12, 31, '"We back the plan."', "Alice", None, "other",
                                                          "direct", "said")], "test")
        sid = session.query(Statement).one().id
        target = add_target(session, "the plan")
        who = get_or_create_annotator(session, "ann")
        for stance in V.STANCE_LABELS:
            for sentiment in V.SENTIMENT_LABELS:
                record(session, who, NewDecision(statement_id=sid, target_id=target.id, stance=stance,
                                                 sentiment=sentiment))
        for action in set(V.DECISION_ACTIONS) - {"label", "undo", *V.CORRECTION_ACTIONS}:
            record(session, who, NewDecision(statement_id=sid, target_id=target.id, action=action,
                                             reason_codes=V.REASON_CODES))
        for action in V.CORRECTION_ACTIONS:  # corrections are db.corrections' to record
            with pytest.raises(StorageError):
                record(session, who, NewDecision(statement_id=sid, target_id=target.id, action=action))
        for task in V.TASKS:
            for label in V.LABELS_BY_TASK[task] + V.GOLD_VERDICTS[task]:
                set_gold(session, who, sid, target.id if task == V.STANCE else None, task, label)
        for wrong in (dict(stance="positive"), dict(sentiment="favor"), dict(stance="favor", action="approve"),
                      dict(action="flag", reason_codes=("boring",))):
            with pytest.raises(StorageError):
                record(session, who, NewDecision(statement_id=sid, target_id=target.id, **wrong))
        with pytest.raises(StorageError):
            set_gold(session, who, sid, None, "sentiment", "against")
        with pytest.raises(StorageError):
            set_gold(session, who, sid, None, "sentiment", V.NOT_ABOUT)
        with pytest.raises(StorageError):
            set_gold(session, who, sid, target.id, "relatedness", "related")


def _shipped_configs() -> list[Path]:
    found = sorted(WEIGHTS.glob("*/config.json"))
    assert {p.parent.name for p in found} == set(V.TASKS), found  # every task ships a classifier
    return found


@pytest.mark.parametrize("config_path", _shipped_configs(), ids=lambda p: p.parent.name)
def test_shipped_model_id2label_is_the_vocabulary_order(config_path: Path):
    cfg = json.loads(config_path.read_text(encoding="utf-8"))
    labels = V.LABELS_BY_TASK[cfg["task"]]
    assert cfg["task"] == config_path.parent.name
    assert tuple(cfg["labels"]) == labels
    assert cfg["id2label"] == {str(i): label for i, label in enumerate(labels)}
    assert cfg["label2id"] == {label: i for i, label in enumerate(labels)}
    card = (config_path.parent / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert f"Labels: {json.dumps(cfg['id2label'])}." in card


def test_models_use_the_vocabulary():
    """The classes in models/ read tasks and labels from the vocabulary: a classifier's config without
    id2label falls back to the task's labels in vocabulary order, and training checks against it."""
    from models import classifiers, data, registry
    from models.errors import DataError
    from models.data import check_examples

    assert classifiers.TASKS == V.TASKS == registry.TASKS
    assert data.TASK_LABELS == V.LABELS_BY_TASK
    for task in V.TASKS:
        assert check_examples(task, [data.Example("a text", "t", V.LABELS_BY_TASK[task][0])]) == V.LABELS_BY_TASK[task]
    with pytest.raises(DataError):
        check_examples("stance", [data.Example("a text", "t", "positive")])
