"""Blind vs shown compared within each annotator, and the confound warning, on real SQLite databases."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from db.decisions import NewDecision, record
from db.engine import transaction
from db.repository import (PredictionItem, StatementFields, add_document, add_predictions, add_target,
                           get_or_create_annotator, latest_prediction, replace_statements)
from db.schema import Statement, Target
from tests.test_agreement import random_labels
from workbench.cli import cli

STANCE = ("favor", "against", "neutral")


def corpus(engine, n_statements: int):
    """n statements, one target, a model stance prediction per statement (label i % 3)."""
    text = " ".join(f"\"Sentence number {i} is here.\"" for i in range(n_statements))
    with transaction(engine) as session:
        doc, _ = add_document(session, "blind.txt", text)
        spans, at = [], 0
        while (s := text.find('"', at)) != -1:
            e = text.find('"', s + 1)
            spans.append((s + 1, e))
            at = e + 1
        replace_statements(session, doc, [StatementFields(s, e, text[s:e], None, None, "other", "direct", None)
                                          for s, e in spans], "t")
        target = add_target(session, "the thing")
        stmts = list(session.scalars(select(Statement).order_by(Statement.id)))
        add_predictions(session, "stance", "clf", "v2",
                        [(PredictionItem(s.id, target.id, s.text, target.text), STANCE[i % 3],
                          {"favor": 0.4, "against": 0.3, "neutral": 0.3}) for i, s in enumerate(stmts)])
    return target.id, [s.id for s in stmts]


def label(engine, name: str, target_id: int, statement_ids, items: range, blind: bool, matches: int) -> None:
    """`name` labels `items`; the first `matches` of them agree with the model, the rest do not."""
    with transaction(engine) as session:
        ann = get_or_create_annotator(session, name)
        for n, i in enumerate(items):
            sid = statement_ids[i]
            agree = n < matches
            stance = STANCE[i % 3] if agree else STANCE[(i + 1) % 3]
            pred = latest_prediction(session, sid, "stance", target_id)
            record(session, ann, NewDecision(sid, target_id, stance=stance,
                                             stance_prediction_id=None if blind else pred.id,
                                             accepted_as_is=None if blind else agree, suggestions_shown=not blind))


def run(sqlite_url, *args):
    return CliRunner().invoke(cli, ["agreement", "--task", "stance", "--bootstrap", "0", *args, "--db", sqlite_url])


def simpson(engine) -> None:
    """Each annotator matches the model equally often blind or shown, but the careful one worked mostly
    blind: the pooled slices show a 0.2 'blind advantage' that is only who worked blind."""
    target_id, sids = corpus(engine, 40)
    label(engine, "careful", target_id, sids, range(0, 30), blind=True, matches=27)    # 0.9
    label(engine, "careful", target_id, sids, range(30, 40), blind=False, matches=9)   # 0.9
    label(engine, "hasty", target_id, sids, range(0, 10), blind=True, matches=5)       # 0.5
    label(engine, "hasty", target_id, sids, range(10, 40), blind=False, matches=15)    # 0.5


def test_within_annotator_comparison_removes_the_annotator_mix(engine, sqlite_url):
    simpson(engine)
    result = run(sqlite_url, "--json")
    assert result.exit_code == 0, result.output
    model = json.loads(result.output)["stance"]["model"]
    # the pooled slices (unchanged contract) still mix annotators with conditions
    assert model["slices"]["blind"]["match_rate"] == pytest.approx(0.8)
    assert model["slices"]["suggestions_shown"]["match_rate"] == pytest.approx(0.6)
    comparison = model["blind_vs_shown"]
    per = {row["annotator"]: row for row in comparison["per_annotator"]}
    assert per["careful"]["blind"]["n"] == 30 and per["careful"]["shown"]["n"] == 10
    assert per["careful"]["blind"]["match_rate"] == pytest.approx(0.9)
    assert per["careful"]["shown"]["match_rate"] == pytest.approx(0.9)
    assert per["careful"]["shown"]["acceptance_rate"] == pytest.approx(0.9)
    assert per["careful"]["blind"]["acceptance_rate"] is None
    assert per["hasty"]["match_rate_difference"] == pytest.approx(0.0)
    assert comparison["annotators_with_both"] == ["careful", "hasty"]
    assert comparison["within_annotator"]["n_annotators"] == 2
    assert comparison["within_annotator"]["mean_match_rate_difference"] == pytest.approx(0.0)
    assert comparison["confounded"] is False and comparison["warning"] is None


def test_an_annotator_with_one_condition_is_flagged_and_left_out_of_the_aggregate(engine, sqlite_url, tmp_path):
    simpson(engine)
    with transaction(engine) as session:
        target_id = session.scalar(select(Target.id))
        sids = list(session.scalars(select(Statement.id).order_by(Statement.id)))
    label(engine, "solo", target_id, sids, range(0, 20), blind=True, matches=20)
    out = tmp_path / "report.html"
    result = run(sqlite_url, "--json", "--html", str(out))
    assert result.exit_code == 0, result.output
    comparison = json.loads(result.output)["stance"]["model"]["blind_vs_shown"]
    assert comparison["confounded"] is True
    assert comparison["annotators_blind_only"] == ["solo"] and comparison["annotators_shown_only"] == []
    assert "solo worked only blind" in comparison["warning"]
    # solo's 20 blind matches do not enter the within-annotator aggregate
    within = comparison["within_annotator"]
    assert within["blind"]["n"] == 40 and within["blind"]["match_rate"] == pytest.approx(0.8)
    assert within["mean_match_rate_difference"] == pytest.approx(0.0)
    html = out.read_text()
    assert "Blind vs shown, within each annotator" in html and "solo worked only blind" in html

    text = run(sqlite_url)
    assert text.exit_code == 0, text.output
    assert "blind vs shown, within each annotator" in text.output
    assert "warning: blind vs shown is confounded with annotator" in " ".join(text.output.split())


def test_every_annotator_with_one_condition_means_no_within_comparison(engine, sqlite_url):
    random_labels(engine, n_statements=20)  # ann1, ann2 always shown; ann3 always blind
    result = run(sqlite_url, "--json")
    comparison = json.loads(result.output)["stance"]["model"]["blind_vs_shown"]
    assert comparison["confounded"] is True and comparison["annotators_with_both"] == []
    assert comparison["annotators_blind_only"] == ["ann3"]
    assert comparison["annotators_shown_only"] == ["ann1", "ann2"]
    assert comparison["within_annotator"]["n_annotators"] == 0
    assert comparison["within_annotator"]["blind"]["n"] == 0
    assert comparison["within_annotator"]["mean_match_rate_difference"] is None
    assert "no within-annotator comparison" in comparison["warning"]
