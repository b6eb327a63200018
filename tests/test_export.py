"""Export: rows, current labels after undo/edit, gold, majority, predictions, formats, streaming."""
from __future__ import annotations

import csv
import json

import pytest

from db.adjudication import set_gold, undo_gold
from db.decisions import NewDecision, record, undo_last
from db.engine import transaction
from db.repository import (
    PredictionItem,
    StatementFields,
    add_document,
    add_predictions,
    add_target,
    get_or_create_annotator,
    replace_statements,
)

DOC_A = ("Officials met on Monday. \"We support the mission fully,\" said Minister Jane Roe. "
         "Critics disagreed. \"This operation is a grave mistake,\" said analyst John Doe. "
         "Later, \"Nothing has changed at all,\" said spokesman Max Poe.")
DOC_B = ("The summit ended. \"Peace is within reach now,\" the president said. "
         "\"Sanctions will hurt everyone,\" warned economist Ann Lee.")
TARGETS = ("the peacekeeping mission", "sanctions")


def quote_spans(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    while (start := text.find('"', at)) != -1:
        end = text.find('"', start + 1)
        spans.append((start + 1, end))
        at = end + 1
    return spans


def add_doc(session, source: str, text: str, speakers=None):
    doc, _ = add_document(session, source, text)
    found = [StatementFields(s, e, text[s:e], (speakers or {}).get(i), None, "official" if i == 0 else "other",
                             "direct", "said") for i, (s, e) in enumerate(quote_spans(text))]
    replace_statements(session, doc, found, "test-1")
    return doc


def build_corpus(engine) -> dict:
    """Two documents, five statements, two targets, three annotators, predictions, undo, an edit, gold."""
    with transaction(engine) as session:
        add_doc(session, "a.txt", DOC_A, {0: "Jane Roe", 1: "John Doe", 2: "Max Poe"})
        add_doc(session, "b.txt", DOC_B, {1: "Ann Lee"})
        t1, t2 = (add_target(session, t) for t in TARGETS)
        from sqlalchemy import select
        from db.schema import Statement
        stmts = list(session.scalars(select(Statement).order_by(Statement.id)))
        items = [PredictionItem(s.id, t1.id, s.text, t1.text) for s in stmts]
        add_predictions(session, "stance", "stance-clf", "v1",
                        [(i, "favor", {"favor": 0.7, "against": 0.2, "neutral": 0.1}) for i in items],
                        precision="bf16")
        add_predictions(session, "sentiment", "sent-clf", "v1",
                        [(PredictionItem(s.id, None, s.text, None), "negative",
                          {"positive": 0.1, "negative": 0.8, "neutral": 0.1}) for s in stmts])
        from db.repository import latest_prediction
        ann = {n: get_or_create_annotator(session, n) for n in ("ann1", "ann2", "ann3")}
        s0, s1, s2, s3, s4 = (s.id for s in stmts)
        p0 = latest_prediction(session, s0, "stance", t1.id).id
        # s0 × t1: ann1 favor (accepted pre-label), ann2 favor, ann3 against
        record(session, ann["ann1"], NewDecision(s0, t1.id, stance="favor", sentiment="positive",
                                                 stance_prediction_id=p0, accepted_as_is=True, duration_ms=1200,
                                                 order_mode="sequential", suggestions_shown=True))
        record(session, ann["ann2"], NewDecision(s0, t1.id, stance="favor", sentiment="positive", duration_ms=900,
                                                 order_mode="random", suggestions_shown=False))
        record(session, ann["ann3"], NewDecision(s0, t1.id, stance="against", sentiment="neutral",
                                                 reason_codes=("sarcasm",), note="ironic?", duration_ms=3000))
        # s1 × t1: ann1 against then undo then neutral (current: neutral); ann2 against
        record(session, ann["ann1"], NewDecision(s1, t1.id, stance="against"))
        undo_last(session, ann["ann1"])
        record(session, ann["ann1"], NewDecision(s1, t1.id, stance="neutral", sentiment="negative"))
        record(session, ann["ann2"], NewDecision(s1, t1.id, stance="against", sentiment="negative"))
        # edit: ann2 relabels s1 × t1 (newest event wins)
        record(session, ann["ann2"], NewDecision(s1, t1.id, stance="neutral"))
        # s3 × t2: ann1 against, ann2 favor -> disagreement, adjudicated (then undone and set again)
        record(session, ann["ann1"], NewDecision(s3, t2.id, stance="against"))
        record(session, ann["ann2"], NewDecision(s3, t2.id, stance="favor"))
        set_gold(session, ann["ann3"], s3, t2.id, "stance", "favor")
        undo_gold(session, ann["ann3"], s3, t2.id, "stance")
        set_gold(session, ann["ann3"], s3, t2.id, "stance", "against", note="economist is critical")
        # a skip and a flag are not labels
        record(session, ann["ann3"], NewDecision(s2, t1.id, action="flag", reason_codes=("needs_context",)))
        return {"statements": [s0, s1, s2, s3, s4], "targets": (t1.id, t2.id)}


def rows_by_key(rows):
    return {(r["task"], r["doc"], r["start"], r["target"]): r for r in rows}


def test_rows_hold_current_labels_gold_majority_and_predictions(engine, tmp_path):
    build_corpus(engine)
    from workbench.export import export

    out = tmp_path / "out.jsonl"
    n = export(engine, "jsonl", str(out))
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert n == len(rows)
    by = rows_by_key(rows)
    a_spans = quote_spans(DOC_A)
    b_spans = quote_spans(DOC_B)
    first = by[("stance", "a.txt", a_spans[0][0], TARGETS[0])]
    assert first["text"] == DOC_A[a_spans[0][0]:a_spans[0][1]]
    assert first["end"] == a_spans[0][1] and first["speaker"] == "Jane Roe"
    assert [(a["annotator"], a["label"]) for a in first["annotations"]] == [
        ("ann1", "favor"), ("ann2", "favor"), ("ann3", "against")]
    ann1 = first["annotations"][0]
    assert ann1["duration_ms"] == 1200 and ann1["order_mode"] == "sequential" and ann1["suggestions_shown"] is True
    assert ann1["accepted_as_is"] is True
    assert ann1["prelabel"] == {"model_name": "stance-clf", "model_version": "v1", "label": "favor",
                                "probabilities": {"favor": 0.7, "against": 0.2, "neutral": 0.1}}
    assert first["annotations"][1]["suggestions_shown"] is False
    assert first["annotations"][2]["reason_codes"] == ["sarcasm"] and first["annotations"][2]["note"] == "ironic?"
    assert first["majority"] == "favor"
    assert first["soft_label"] == pytest.approx({"favor": 2 / 3, "against": 1 / 3, "neutral": 0.0})
    assert first["predicted"] == "favor" and first["model_version"] == "v1"
    assert first["gold"] is None
    # undo and edit: both annotators' current label on s1 is neutral
    second = by[("stance", "a.txt", a_spans[1][0], TARGETS[0])]
    assert [(a["annotator"], a["label"]) for a in second["annotations"]] == [("ann1", "neutral"), ("ann2", "neutral")]
    # gold after undo + re-set; tie -> no majority
    gold_row = by[("stance", "b.txt", b_spans[0][0], TARGETS[1])]
    assert gold_row["gold"] == "against" and gold_row["gold_by"] == "ann3"
    assert gold_row["gold_note"] == "economist is critical"
    assert gold_row["majority"] is None
    assert gold_row["predicted"] is None  # no stance prediction toward this target
    # a flag only: no annotations, but the row is there so that the flag is exported
    flagged = by[("stance", "a.txt", a_spans[2][0], TARGETS[0])]
    assert flagged["annotations"] == [] and flagged["n_annotators"] == 0 and flagged["soft_label"] is None
    assert [(f["annotator"], f["target"], f["reason_codes"]) for f in flagged["flags"]] == [
        ("ann3", TARGETS[0], ["needs_context"])]
    assert by[("sentiment", "a.txt", a_spans[2][0], None)]["flags"] == flagged["flags"]
    assert not any(r["not_a_statement"] for r in rows)
    assert first["flags"] == []
    # sentiment rows have no target and take the newest sentiment per annotator
    sent = by[("sentiment", "a.txt", a_spans[1][0], None)]
    assert [(a["annotator"], a["label"]) for a in sent["annotations"]] == [("ann1", "negative"), ("ann2", "negative")]
    assert sent["predicted"] == "negative" and sent["probabilities"]["negative"] == 0.8
    assert {r["task"] for r in rows} == {"stance", "sentiment"}
    assert len(rows) == 4 + 3  # four stance items, three sentiment items (one of each only flagged)


def test_gold_only_and_task_filter(engine, tmp_path):
    build_corpus(engine)
    from workbench.export import iter_rows

    gold = list(iter_rows(engine, ("stance",), gold_only=True))
    assert [(r["doc"], r["gold"]) for r in gold] == [("b.txt", "against")]
    assert list(iter_rows(engine, ("sentiment",), gold_only=True)) == []
    assert all(r["task"] == "sentiment" and r["target"] is None for r in iter_rows(engine, ("sentiment",)))


def test_csv_parquet_and_hf_hold_the_same_rows(engine, tmp_path):
    build_corpus(engine)
    from workbench.export import export, iter_rows

    expected = list(iter_rows(engine))
    export(engine, "csv", str(tmp_path / "out.csv"))
    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert len(got) == len(expected)
    assert json.loads(got[0]["annotations"]) == expected[0]["annotations"]
    assert got[0]["doc"] == expected[0]["doc"] and int(got[0]["start"]) == expected[0]["start"]

    import pyarrow.parquet as pq

    export(engine, "parquet", str(tmp_path / "out.parquet"))
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.num_rows == len(expected)
    parquet_rows = table.to_pylist()
    assert [a["label"] for a in parquet_rows[0]["annotations"]] == [a["label"] for a in expected[0]["annotations"]]
    assert parquet_rows[0]["soft_label"]["favor"] == pytest.approx(expected[0]["soft_label"]["favor"])

    from datasets import load_from_disk

    export(engine, "hf", str(tmp_path / "hf"), tasks=("stance",))
    ds = load_from_disk(str(tmp_path / "hf" / "stance"))["train"]
    assert len(ds) == 4  # three labelled stance items and one only flagged
    assert ds[0]["gold"] == expected[0]["gold"] and ds[0]["text"] == expected[0]["text"]


def test_export_cli_and_bad_format(engine, sqlite_url, tmp_path):
    from click.testing import CliRunner

    from workbench.cli import cli

    build_corpus(engine)
    out = tmp_path / "x.jsonl"
    result = CliRunner().invoke(cli, ["export", "--format", "jsonl", str(out), "--task", "stance", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "exported 4 row(s)" in result.output
    assert len(out.read_text().splitlines()) == 4
    result = CliRunner().invoke(cli, ["export", "--format", "xml", str(out), "--db", sqlite_url])
    assert result.exit_code != 0


def test_export_streams_rows(engine, monkeypatch):
    """Rows come out one at a time: the first row is yielded before the cursor is exhausted."""
    build_corpus(engine)
    from workbench import export as mod

    it = mod.iter_rows(engine, ("stance",), batch=1)
    first = next(it)
    assert first["task"] == "stance"
    rest = list(it)
    assert len(rest) == 3
