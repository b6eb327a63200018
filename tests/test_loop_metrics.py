"""Acceptance rate per model version over time (db/metrics.py) and its section in `workbench status`."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner

from db.decisions import NewDecision, record, undo_last
from db.engine import transaction
from db.errors import StorageError
from db.metrics import AcceptanceRow, acceptance_by_model_version
from db.repository import add_document, add_target, get_or_create_annotator
from db.schema import Prediction, Statement
from workbench.cli import cli


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=timezone.utc)


def populate(engine) -> None:
    """Two stance model versions and one sentiment model, decisions on 4-11 March 2024 (4 and 11 are Mondays)."""
    sentences = [f"Speaker {i} said the tax is fine." for i in range(10)]
    text = " ".join(sentences)
    with transaction(engine) as s:
        doc, _ = add_document(s, "doc.txt", text)
        sids, pos = [], 0
        for sentence in sentences:
            start = text.index(sentence, pos)
            pos = start + len(sentence)
            st = Statement(document_id=doc.id, start=start, end=pos, text=sentence, extractor_version="t")
            s.add(st)
            s.flush()
            sids.append(st.id)
        tid = add_target(s, "tax").id
        ann = get_or_create_annotator(s, "ann")

        def pred(i, task, name, version, label):
            p = Prediction(statement_id=sids[i], target_id=tid if task == "stance" else None, task=task, label=label,
                           probabilities={label: 1.0}, model_name=name, model_version=version)
            s.add(p)
            s.flush()
            return p.id

        def decide(i, when, accepted, stance_pred=None, sent_pred=None, shown=True, action="label"):
            return record(s, ann, NewDecision(
                statement_id=sids[i], target_id=tid, action=action,
                stance="favor" if action == "label" else None, sentiment="neutral" if action == "label" else None,
                stance_prediction_id=stance_pred, sentiment_prediction_id=sent_pred, accepted_as_is=accepted,
                suggestions_shown=shown, created_at=when))

        # 4 March: stance v1 shown twice (1 accepted), sentiment s1 shown once (accepted)
        decide(0, at(4), True, pred(0, "stance", "stance-clf", "v1", "favor"), pred(0, "sentiment", "sent-clf", "s1", "neutral"))
        decide(1, at(4, 23), False, pred(1, "stance", "stance-clf", "v1", "against"))
        # 10 March (Sunday, same week): v2 accepted
        decide(2, at(10), True, pred(2, "stance", "stance-clf", "v2", "favor"))
        # 11 March (Monday, next week): v2 rejected
        decide(3, at(11), False, pred(3, "stance", "stance-clf", "v2", "against"))
        # not counted: blind item, no prediction linked; a skip; an undone label
        decide(4, at(4), None, shown=False)
        decide(5, at(4), None, pred(5, "stance", "stance-clf", "v1", "favor"), action="skip")
        decide(6, at(4), True, pred(6, "stance", "stance-clf", "v1", "favor"))
        undo_last(s, ann)
        # both suggestions from one model version (a stub model for both tasks): counts once
        decide(7, at(11), True, pred(7, "stance", "stub", "0", "favor"), pred(7, "sentiment", "stub", "0", "neutral"))
        # stance corrected, sentiment kept: not accepted as is, yet the sentiment model's label was kept
        decide(8, at(4, 12), False, pred(8, "stance", "stance-clf", "v1", "against"),
               pred(8, "sentiment", "sent-clf", "s1", "neutral"))
        # a stub whose sentiment was kept but stance corrected: one decision, not kept
        decide(9, at(11, 12), False, pred(9, "stance", "stub", "0", "against"), pred(9, "sentiment", "stub", "0", "neutral"))


EXPECTED_DAY = [  # model, version, period, shown, accepted as is, rate, kept, kept rate
    AcceptanceRow("sent-clf", "s1", "2024-03-04", 2, 1, 0.5, 2, 1.0),
    AcceptanceRow("stance-clf", "v1", "2024-03-04", 3, 1, 1 / 3, 1, 1 / 3),
    AcceptanceRow("stance-clf", "v2", "2024-03-10", 1, 1, 1.0, 1, 1.0),
    AcceptanceRow("stance-clf", "v2", "2024-03-11", 1, 0, 0.0, 0, 0.0),
    AcceptanceRow("stub", "0", "2024-03-11", 2, 1, 0.5, 1, 0.5),
]


def check_buckets(engine) -> None:
    populate(engine)
    with transaction(engine) as s:
        assert acceptance_by_model_version(s) == EXPECTED_DAY
        week = acceptance_by_model_version(s, "week")
        month = acceptance_by_model_version(s, "month")
        total = acceptance_by_model_version(s, "all")
        with pytest.raises(StorageError, match="unknown period 'year'"):
            acceptance_by_model_version(s, "year")
    assert [(r.model_version, r.period, r.shown, r.accepted, r.kept) for r in week] == [
        ("s1", "2024-03-04", 2, 1, 2), ("v1", "2024-03-04", 3, 1, 1), ("v2", "2024-03-04", 1, 1, 1),
        ("v2", "2024-03-11", 1, 0, 0), ("0", "2024-03-11", 2, 1, 1)]
    assert [(r.model_version, r.period, r.shown, r.accepted, r.kept) for r in month] == [
        ("s1", "2024-03", 2, 1, 2), ("v1", "2024-03", 3, 1, 1), ("v2", "2024-03", 2, 1, 1), ("0", "2024-03", 2, 1, 1)]
    assert [(r.model_version, r.period, r.rate, r.kept_rate) for r in total] == [
        ("s1", "all", 0.5, 1.0), ("v1", "all", 1 / 3, 1 / 3), ("v2", "all", 0.5, 0.5), ("0", "all", 0.5, 0.5)]


def test_acceptance_by_model_version_sqlite(engine):
    check_buckets(engine)


def test_acceptance_by_model_version_postgresql(pg_engine):
    check_buckets(pg_engine)


def test_empty_database_has_no_rows(engine):
    with transaction(engine) as s:
        assert acceptance_by_model_version(s) == []


def test_status_shows_acceptance(engine, sqlite_url):
    populate(engine)
    runner = CliRunner()
    result = runner.invoke(cli, ["status", "--json", "--by", "week", "--db", sqlite_url], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["decisions"] == 11
    rows = summary["acceptance_by_model_version"]
    assert rows[0] == {"model_name": "sent-clf", "model_version": "s1", "period": "2024-03-04", "shown": 2,
                       "accepted": 1, "rate": 0.5, "kept": 2, "kept_rate": 1.0, "bucket": "week"}
    result = runner.invoke(cli, ["status", "--db", sqlite_url], catch_exceptions=False)
    assert result.exit_code == 0
    assert "suggestions accepted as is, per model version" in result.output
    line = next(ln for ln in result.output.splitlines() if "2024-03-04" in ln and "s1" in ln)
    assert "50%" in line and "100%" in line and "sent-clf" in line


def test_status_without_suggestions(engine, sqlite_url):
    result = CliRunner().invoke(cli, ["status", "--db", sqlite_url], catch_exceptions=False)
    assert result.exit_code == 0
    assert "no labelled item with a model suggestion shown yet" in result.output


def test_db_metrics_stays_storage_only():
    from tests.test_import_hygiene import loaded_after

    assert not loaded_after("import db.metrics") & {"torch", "transformers", "textual", "models", "workbench"}
