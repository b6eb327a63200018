"""The relatedness gate: its arithmetic, `workbench evaluate --task relatedness`, and the demo goals (real gate)."""
from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from models.relatedness_gate import (GateParams, RelatednessGate, content_overlap, fit_logistic, gate_metrics,
                                     keyword_match, load_params, roc_auc, threshold_for_recall)
from workbench.cli import cli


def test_metrics_recall_filtered_and_auc():
    p = np.array([0.9, 0.8, 0.3, 0.1, 0.6, 0.2])
    y = np.array([1, 1, 1, 0, 0, 0])
    m = gate_metrics(p, y, threshold=0.25)
    assert m == {"n": 6, "recall_related": 1.0, "filtered_unrelated": pytest.approx(2 / 3), "auc": pytest.approx(8 / 9)}
    assert roc_auc(np.array([0.5, 0.5]), np.array([1, 0])) == 0.5  # a tie counts a half
    t = threshold_for_recall(np.linspace(0, 1, 101), np.ones(101), 0.95)
    assert (np.linspace(0, 1, 101) >= t).mean() >= 0.95


def test_logistic_fit_recovers_a_separable_direction_and_is_calibrated():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4000, 2))
    y = (rng.random(4000) < 1 / (1 + np.exp(-(2 * x[:, 0] - 1)))).astype(float)
    w, b = fit_logistic(x, y, l2=0.0)
    assert w[0] == pytest.approx(2, abs=0.25) and abs(w[1]) < 0.2 and b == pytest.approx(-1, abs=0.2)


def test_keywords_and_content_words():
    assert keyword_match(["CSTO"], ["The csto is not NATO."])
    assert not keyword_match(["CSTO"], ["The CSTOs"])  # whole words only
    assert keyword_match(["Collective Security"], ["a collective  security treaty"])
    assert content_overlap("the CSTO peacekeeping operation in Kazakhstan",
                           ["peacekeepers left the Kazakh capital"]) == pytest.approx(2 / 4)
    assert content_overlap("the", ["the"]) == 0.0


def test_the_paragraph_counts_for_a_statement_that_does_not_name_the_target():
    vectors = {"We will not leave until the job is done.": [1.0, 0.0], "the CSTO operation": [0.0, 1.0],
               "CSTO troops stay in Kazakhstan. We will not leave until the job is done.": [0.6, 0.8]}
    gate = RelatednessGate(GateParams("g", "1", (1.0, 4.0, 1.0), -2.0, 0.3, "x"),
                           lambda texts: np.array([vectors[t] for t in texts]))
    alone, in_context = gate.score(["We will not leave until the job is done."] * 2, ["the CSTO operation"] * 2,
                                   [None, "CSTO troops stay in Kazakhstan. We will not leave until the job is done."])
    assert alone < 0.3 < in_context


def test_the_shipped_gate_file_is_complete():
    params = load_params()
    assert params.name == "minilm-relatedness-gate" and 0 < params.threshold < 1 and len(params.weight) == 3


def test_evaluate_refuses_bad_files_before_loading_the_model(tmp_path):
    bad = tmp_path / "bad.csv"
    for content, message in (("text,target\na,b\n", "missing column"), ("text,target,related\na,b,yes\n", "1 or 0"),
                             ("text,target,related\n,b,1\n", "empty text")):
        bad.write_text(content)
        out = CliRunner().invoke(cli, ["evaluate", "--task", "relatedness", "--format", "csv", str(bad)])
        assert out.exit_code == 1 and message in out.output and "Traceback" not in out.output
    mixed = CliRunner().invoke(cli, ["evaluate", "--task", "relatedness", "--format", "news", str(bad)])
    assert mixed.exit_code == 1 and "--format csv" in mixed.output


def test_evaluate_relatedness_json_with_the_shipped_gate(tmp_path):
    import csv

    path = tmp_path / "pairs.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "target", "related"])
        w.writerow(["The CSTO troops leave Kazakhstan after the peacekeeping mission.", "CSTO peacekeepers", 1])
        w.writerow(["Coffee prices in Brazil rose after the frost.", "the price of coffee", 1])
        w.writerow(["Coffee prices in Brazil rose after the frost.", "CSTO peacekeepers", 0])
        w.writerow(["The CSTO troops leave Kazakhstan after the peacekeeping mission.", "the price of coffee", 0])
    out = CliRunner().invoke(cli, ["evaluate", "--task", "relatedness", "--format", "csv", str(path), "--json"])
    assert out.exit_code == 0, out.output
    report = json.loads(out.stdout.strip().splitlines()[-1])  # stdout holds the JSON alone
    assert {"n", "recall_related", "filtered_unrelated", "auc"} <= set(report)
    assert report["n"] == 4 and report["recall_related"] == 1.0 and report["filtered_unrelated"] == 1.0


def test_demo_goals_with_the_shipped_gate(engine):
    """The seed article (34 statements): an off-subject target queues <= 2, the article's subject keeps >= 20."""
    from pathlib import Path

    from db.engine import transaction
    from db.queue import AnnotationQueue
    from db.repository import StatementFields, add_document, add_target, get_or_create_annotator, replace_statements
    from tests.conftest import SEED
    from workbench.extract import extract
    from workbench.prelabel import load_gate, prelabel_relatedness

    text = Path(SEED).read_text(encoding="utf-8")
    with transaction(engine) as s:
        doc, _ = add_document(s, "seed.txt", text)
        replace_statements(s, doc, [StatementFields(x.start, x.end, x.text, x.speaker, x.speaker_role, x.speaker_type,
                                                    x.kind, x.cue) for x in extract(text)], "test")
        coffee = add_target(s, "the price of coffee in Brazil").id
        csto = add_target(s, "the CSTO peacekeeping operation in Kazakhstan").id
        aid = get_or_create_annotator(s, "a").id
    assert prelabel_relatedness(engine, load_gate()) == 68
    with transaction(engine) as s:
        queued = {t: len(AnnotationQueue(aid, "a", [t]).next_keys(s, 100)) for t in (coffee, csto)}
    assert queued[coffee] <= 2 and queued[csto] >= 20, queued
