"""`workbench agreement` on a real database: the JSON contract, references, model slices, HTML."""
from __future__ import annotations

import json
import re

import krippendorff
import numpy as np
import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as sm_fleiss

from db.decisions import NewDecision, record
from db.engine import transaction
from db.repository import PredictionItem, add_predictions, get_or_create_annotator, latest_prediction
from tests.test_export import build_corpus
from workbench.cli import cli

STANCE = ("favor", "against", "neutral")


def random_labels(engine, n_statements=60, seed=7):
    """Three annotators label many statements (complete data) with real and model labels."""
    from db.repository import StatementFields, add_document, add_target, replace_statements

    rng = np.random.default_rng(seed)
    text = " ".join(f"\"Sentence number {i} is here.\"" for i in range(n_statements))
    with transaction(engine) as session:
        doc, _ = add_document(session, "many.txt", text)
        spans, at = [], 0
        while (s := text.find('"', at)) != -1:
            e = text.find('"', s + 1)
            spans.append((s + 1, e))
            at = e + 1
        replace_statements(session, doc, [StatementFields(s, e, text[s:e], None, None, "other", "direct", None)
                                          for s, e in spans], "t")
        target = add_target(session, "the thing")
        from sqlalchemy import select
        from db.schema import Statement
        stmts = list(session.scalars(select(Statement).order_by(Statement.id)))
        add_predictions(session, "stance", "clf", "v2",
                        [(PredictionItem(s.id, target.id, s.text, target.text), STANCE[i % 3],
                          {"favor": 0.4, "against": 0.3, "neutral": 0.3}) for i, s in enumerate(stmts)])
        anns = [get_or_create_annotator(session, n) for n in ("ann1", "ann2", "ann3")]
        matrix = np.zeros((len(stmts), 3), dtype=int)
        sentiment = np.zeros((len(stmts), 3), dtype=int)
        for i, s in enumerate(stmts):
            pred = latest_prediction(session, s.id, "stance", target.id)
            truth = i % 3
            for j, ann in enumerate(anns):
                label = truth if rng.random() < 0.7 else int(rng.integers(0, 3))
                sent = int(rng.integers(0, 3))
                matrix[i, j], sentiment[i, j] = label, sent
                shown = j != 2  # ann3 works blind
                record(session, ann, NewDecision(
                    s.id, target.id, stance=STANCE[label], sentiment=("negative", "neutral", "positive")[sent],
                    stance_prediction_id=pred.id if shown else None,
                    accepted_as_is=(label == truth) if shown else None, suggestions_shown=shown))
    return matrix, sentiment


def run_json(sqlite_url, *args):
    result = CliRunner().invoke(cli, ["agreement", "--json", "--bootstrap", "200", *args, "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_contract_and_reference_values(engine, sqlite_url):
    matrix, sentiment = random_labels(engine)
    report = run_json(sqlite_url)
    for task, data in (("stance", matrix), ("sentiment", sentiment)):
        res = report[task]
        for key in ("n_items", "annotators", "percent_agreement", "fleiss_kappa", "krippendorff_alpha", "gwet_ac1",
                    "pairwise"):
            assert key in res
        assert res["n_items"] == 60 and res["annotators"] == ["ann1", "ann2", "ann3"]
        if task == "sentiment":
            # the report codes sentiment as negative < neutral < positive, like `data`
            ordinal = krippendorff.alpha(data.T.astype(float), level_of_measurement="ordinal", value_domain=[0, 1, 2])
            assert res["krippendorff_alpha_ordinal"] == pytest.approx(ordinal, abs=1e-6)
        else:
            assert "krippendorff_alpha_ordinal" not in res
        nominal = krippendorff.alpha(data.T.astype(float), level_of_measurement="nominal")
        assert res["krippendorff_alpha"] == pytest.approx(nominal, abs=1e-6)
        table, _ = aggregate_raters(data, n_cat=3)
        assert res["fleiss_kappa"] == pytest.approx(sm_fleiss(table), abs=1e-6)
        agree = np.mean([(np.sum(np.bincount(r, minlength=3) * (np.bincount(r, minlength=3) - 1))) / 6 for r in data])
        assert res["percent_agreement"] == pytest.approx(agree, abs=1e-6)
        pairs = {(p["a"], p["b"]): p for p in res["pairwise"]}
        assert set(pairs) == {("ann1", "ann2"), ("ann1", "ann3"), ("ann2", "ann3")}
        for (a, b), p in pairs.items():
            ia, ib = int(a[-1]) - 1, int(b[-1]) - 1
            assert p["n"] == 60
            assert p["cohen_kappa"] == pytest.approx(cohen_kappa_score(data[:, ia], data[:, ib]), abs=1e-6)
            lo, hi = p["ci"]
            assert lo <= p["cohen_kappa"] <= hi
        lo, hi = res["ci95"]["krippendorff_alpha"]
        assert lo <= res["krippendorff_alpha"] <= hi


def test_model_comparison_and_blind_slice(engine, sqlite_url):
    matrix, _ = random_labels(engine)
    res = run_json(sqlite_url, "--task", "stance")["stance"]
    model = np.arange(60) % 3
    per = {row["annotator"]: row for row in res["model"]["per_annotator"]}
    for j, name in enumerate(("ann1", "ann2", "ann3")):
        assert per[name]["n"] == 60
        assert per[name]["cohen_kappa"] == pytest.approx(cohen_kappa_score(matrix[:, j], model), abs=1e-6)
    shown, blind = res["model"]["slices"]["suggestions_shown"], res["model"]["slices"]["blind"]
    assert shown["n"] == 120 and blind["n"] == 60
    assert blind["cohen_kappa"] == pytest.approx(cohen_kappa_score(matrix[:, 2], model), abs=1e-6)
    assert blind["acceptance_rate"] is None  # nothing was shown, nothing accepted
    expected_accept = float(np.mean(matrix[:, :2] == model[:, None]))
    assert shown["acceptance_rate"] == pytest.approx(expected_accept, abs=1e-6)
    (version,) = res["model"]["per_model_version"]
    assert version["model_version"] == "clf v2" and version["n"] == 120
    assert version["acceptance_rate"] == pytest.approx(expected_accept, abs=1e-6)
    assert "sentiment" not in run_json(sqlite_url, "--task", "stance")


def test_current_labels_after_undo_and_target_filter(engine, sqlite_url):
    build_corpus(engine)
    res = run_json(sqlite_url, "--task", "stance")["stance"]
    # three stance items have ≥ 2 annotators: s0 (3 annotators), s1 (2, after undo + edit), s3 (2)
    assert res["n_items"] == 3
    only = run_json(sqlite_url, "--task", "stance", "--target", "sanctions")["stance"]
    assert only["n_items"] == 1 and only["annotators"] == ["ann1", "ann2"]
    assert only["percent_agreement"] == 0.0
    result = CliRunner().invoke(cli, ["agreement", "--target", "nope", "--db", sqlite_url])
    assert result.exit_code == 1 and result.output.startswith("error: no such target")


def test_terminal_and_html_report(engine, sqlite_url, tmp_path):
    random_labels(engine, n_statements=20)
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["agreement", "--bootstrap", "100", "--html", str(out), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "Fleiss" in result.output and "Krippendorff" in result.output and "Gwet" in result.output
    assert "ann1" in result.output and "blind" in result.output
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "<style>" in html
    assert not re.search(r"(src|href)\s*=\s*['\"]?(https?:)?//", html)  # no external assets
    assert html.count("<svg") >= 2 * (1 + 1 + 3)  # per task: κ grid, coincidences, 3 pair matrices


def test_no_items_gives_nulls_not_errors(engine, sqlite_url):
    res = run_json(sqlite_url)
    assert res["stance"]["n_items"] == 0 and res["stance"]["fleiss_kappa"] is None
    assert res["sentiment"]["krippendorff_alpha_ordinal"] is None
