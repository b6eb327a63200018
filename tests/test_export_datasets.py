"""Datasets worth publishing: the HF DatasetDicts and their card, document fields, split by document,
sentiment conflicts. Real SQLite databases, the real CLI, `datasets.load_from_disk`."""
from __future__ import annotations

import csv
import json

import pytest
from sqlalchemy import select

from db.decisions import NewDecision, record
from db.engine import transaction
from db.repository import add_document, add_target, get_or_create_annotator, replace_statements, StatementFields
from db.schema import Statement, Target
from tests.bad_input_support import assert_one_line_error, invoke
from tests.test_export import DOC_A, DOC_B, build_corpus, quote_spans


def many_documents(engine, n_docs: int = 30, first: int = 0) -> None:
    """n documents of two quotes each, with title/url/published; two annotators label every quote."""
    with transaction(engine) as session:
        target = session.scalar(select(Target).limit(1)) or add_target(session, "tax")
        anns = [get_or_create_annotator(session, n) for n in ("ann1", "ann2")]
        for d in range(first, first + n_docs):
            text = f'Report {d}. "We back the tax number {d}," said A. "The tax {d} is bad," said B.'
            doc, _ = add_document(session, f"doc{d:03d}.txt", text, title=f"Title {d}",
                                  meta={"url": f"https://example.org/{d}", "published": f"2026-01-{d % 28 + 1:02d}"})
            replace_statements(session, doc, [StatementFields(s, e, text[s:e], None, None, "other", "direct", "said")
                                              for s, e in quote_spans(text)], "t")
            session.flush()
            for i, st in enumerate(session.scalars(select(Statement).where(Statement.document_id == doc.id)
                                                   .order_by(Statement.start))):
                for j, ann in enumerate(anns):
                    stance = ("favor", "against")[i] if j == 0 or d % 3 else "neutral"
                    record(session, ann, NewDecision(st.id, target.id, stance=stance,
                                                     sentiment=("positive", "negative")[i]))


def conflict(engine) -> int:
    """ann1 gives the first statement a positive sentiment under one target, negative under another."""
    with transaction(engine) as session:
        sid = session.scalar(select(Statement.id).order_by(Statement.id).limit(1))
        ann = get_or_create_annotator(session, "ann1")
        other = add_target(session, "another target")
        record(session, ann, NewDecision(sid, other.id, stance="neutral", sentiment="negative"))
    return sid


def hf(tmp_path, sqlite_url, *args, name="hf"):
    out = tmp_path / name
    code, stdout, stderr = invoke("export", "--format", "hf", out, *args, "--db", sqlite_url)
    assert code == 0, (stdout, stderr)
    return out, stdout, stderr


def test_hf_dataset_dicts_load_with_class_names_and_a_card(engine, sqlite_url, tmp_path):
    from datasets import ClassLabel, DatasetDict, load_from_disk

    build_corpus(engine)
    out, stdout, _ = hf(tmp_path, sqlite_url, "--licence", "CC-BY-4.0 (Reuters: all rights reserved)")
    assert "exported 7 row(s)" in stdout  # an item only flagged has a row too (label -1)
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "sentiment", "stance"]
    stance = load_from_disk(str(out / "stance"))
    assert isinstance(stance, DatasetDict) and list(stance) == ["train"]
    label = stance["train"].features["label"]
    assert isinstance(label, ClassLabel) and label.names == ["favor", "against", "neutral"]
    rows = {(r["doc"], r["start"], r["target"]): r for r in stance["train"]}
    tie = rows[("b.txt", quote_spans(DOC_B)[0][0], "sanctions")]
    # s3 × sanctions: a tie, gold 'against' decides; s0 × mission: majority favor
    assert label.int2str(tie["label"]) == "against" and tie["gold"] == "against" and tie["majority"] is None
    assert label.int2str(rows[("a.txt", quote_spans(DOC_A)[0][0], "the peacekeeping mission")]["label"]) == "favor"
    sentiment = load_from_disk(str(out / "sentiment"))["train"]
    assert sentiment.features["label"].names == ["positive", "negative", "neutral"]  # the models' order
    assert len(sentiment) == 3 and all(r["target"] is None for r in sentiment)
    for name in ("speaker_id", "flags", "not_a_statement", "sentiment_conflict"):  # every export column is kept
        assert name in stance["train"].column_names and name in sentiment.column_names
    flagged = [r for r in stance["train"] if r["flags"]]
    assert [(f["annotator"], f["reason_codes"]) for r in flagged for f in r["flags"]] == [("ann3", ["needs_context"])]
    assert flagged[0]["annotations"] == [] and flagged[0]["label"] == -1

    card = (out / "README.md").read_text()
    assert card.startswith("---\nlicense: ")
    assert "**Source licences:** CC-BY-4.0 (Reuters: all rights reserved)" in card
    assert "`workbench export --format hf " in card and "--licence 'CC-BY-4.0 (Reuters: all rights reserved)'" in card
    assert "| 0 | favor | the speaker supports" in card and "| 0 | positive |" in card
    assert "| train | 2 | 4 | 1 | 1 | 1 | 1 |" in card  # stance: 2 documents, 4 rows: favor, against (gold), neutral, flagged
    assert "| ann1 | 3 | 2 |" in card and "| ann3 | 1 | 1 |" in card  # labels per annotator and task
    assert "Krippendorff's α (nominal)" in card and "Cohen's κ" in card
    assert "| stance | stance-clf v1 | 3 | 1 |" in card  # newest predictions (the flagged row too); the pre-label ann1 saw
    assert "| sentiment | sent-clf v1 | 3 | 0 |" in card


def test_card_defaults_and_agreement_ci(engine, sqlite_url, tmp_path):
    many_documents(engine, 12)
    out, _, _ = hf(tmp_path, sqlite_url, "--task", "stance")
    assert sorted(p.name for p in out.iterdir()) == ["README.md", "stance"]
    card = (out / "README.md").read_text()
    assert 'license: "unknown"' in card and "**Source licences:** unspecified" in card
    line = next(ln for ln in card.splitlines() if ln.startswith("| Fleiss' κ |"))
    assert "[" in line and "]" in line  # a bootstrap CI next to the value
    assert "`workbench export --format hf " + str(out) + " --task stance --db sqlite:///" in card


def test_split_by_document_is_disjoint_and_stable(engine, sqlite_url, tmp_path):
    from datasets import load_from_disk

    from workbench.export_hf import in_test_split

    many_documents(engine, 40)

    def splits(name):
        out, _, _ = hf(tmp_path, sqlite_url, "--split-by", "document", "--test", "0.25", name=name)
        found = {}
        for task in ("stance", "sentiment"):
            dd = load_from_disk(str(out / task))
            assert list(dd) == ["train", "test"]
            found[task] = {split: {r["doc_sha256"] for r in dd[split]} for split in dd}
            assert found[task]["train"] and found[task]["test"]
            assert not found[task]["train"] & found[task]["test"]  # no document in two splits
            assert all(in_test_split(sha, 0.25) for sha in found[task]["test"])
        assert found["stance"] == found["sentiment"]  # a document is in the same split for both tasks
        return found["stance"]

    first = splits("one")
    assert splits("two") == first  # the same on every run
    assert 0.1 < len(first["test"]) / 40 < 0.45
    many_documents(engine, 10, first=40)  # new documents move no old one
    third = splits("three")
    assert first["test"] <= third["test"] and first["train"] <= third["train"]


def test_with_documents_in_every_format(engine, sqlite_url, tmp_path):
    import pyarrow.parquet as pq
    from datasets import load_from_disk

    many_documents(engine, 3)
    want = {"doc001.txt": ("Title 1", "https://example.org/1", "2026-01-02")}
    for fmt in ("jsonl", "csv", "parquet"):
        out = tmp_path / f"docs.{fmt}"
        code, stdout, stderr = invoke("export", "--format", fmt, out, "--with-documents", "--db", sqlite_url)
        assert code == 0, (stdout, stderr)
        if fmt == "jsonl":
            rows = [json.loads(line) for line in out.read_text().splitlines()]
        elif fmt == "csv":
            with open(out, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        else:
            rows = pq.read_table(out).to_pylist()
        row = next(r for r in rows if r["doc"] == "doc001.txt")
        assert (row["doc_title"], row["doc_url"], row["doc_published"]) == want["doc001.txt"], fmt
    out, _, _ = hf(tmp_path, sqlite_url, "--with-documents")
    row = next(r for r in load_from_disk(str(out / "stance"))["train"] if r["doc"] == "doc001.txt")
    assert (row["doc_title"], row["doc_url"], row["doc_published"]) == want["doc001.txt"]
    assert "`doc_title`, `doc_url`, `doc_published`" in (out / "README.md").read_text()
    # without the option the columns are not there
    code, _, _ = invoke("export", "--format", "jsonl", tmp_path / "plain.jsonl", "--db", sqlite_url)
    assert "doc_title" not in json.loads((tmp_path / "plain.jsonl").read_text().splitlines()[0])


def test_writers_agree_with_iter_rows(engine, tmp_path):
    """JSONL is json.dumps of the row dicts and Parquet is their Arrow table, with the added columns too."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from workbench.export import arrow_schema, export, iter_rows

    build_corpus(engine)
    many_documents(engine, 2)
    conflict(engine)
    for with_documents in (False, True):
        rows = list(iter_rows(engine, with_documents=with_documents))
        export(engine, "jsonl", str(tmp_path / "x.jsonl"), with_documents=with_documents)
        lines = (tmp_path / "x.jsonl").read_text(encoding="utf-8").splitlines()
        assert lines == [json.dumps(r, ensure_ascii=False) for r in rows]
        export(engine, "parquet", str(tmp_path / "x.parquet"), with_documents=with_documents)
        expected = pa.Table.from_pylist(rows, schema=arrow_schema(with_documents=with_documents))
        assert pq.read_table(tmp_path / "x.parquet").equals(expected)


def test_a_sentiment_given_differently_under_two_targets_is_reported(engine, sqlite_url, tmp_path):
    from datasets import load_from_disk

    build_corpus(engine)
    sid = conflict(engine)
    with transaction(engine) as session:
        start = session.get(Statement, sid).start
    code, stdout, stderr = invoke("export", "--format", "jsonl", tmp_path / "c.jsonl", "--db", sqlite_url)
    assert code == 0
    assert stderr.strip() == ("warning: 1 statement(s) have a sentiment an annotator gave differently under two "
                              "targets: not resolved, see the sentiment_conflict column")
    rows = [json.loads(line) for line in (tmp_path / "c.jsonl").read_text().splitlines()]
    flagged = [r for r in rows if r["sentiment_conflict"]]
    assert [(r["task"], r["start"], r["sentiment_conflict"]) for r in flagged] == [("sentiment", start, ["ann1"])]
    assert all(r["sentiment_conflict"] is None for r in rows if r["task"] == "stance")
    assert all(r["sentiment_conflict"] == [] for r in rows if r["task"] == "sentiment" and r["start"] != start)
    # the newest label stays in the annotations: reported, not resolved
    row = flagged[0]
    assert [(a["annotator"], a["label"]) for a in row["annotations"]][0] == ("ann1", "negative")

    code, _, _ = invoke("export", "--format", "csv", tmp_path / "c.csv", "--db", sqlite_url)
    with open(tmp_path / "c.csv", newline="", encoding="utf-8") as fh:
        cells = [(r["task"], r["sentiment_conflict"]) for r in csv.DictReader(fh) if r["start"] == str(start)]
    assert ("sentiment", '["ann1"]') in cells and ("stance", "") in cells

    out, _, stderr = hf(tmp_path, sqlite_url)
    assert "warning: 1 statement(s)" in stderr
    sentiment = load_from_disk(str(out / "sentiment"))["train"]
    assert [r["sentiment_conflict"] for r in sentiment if r["start"] == start] == [["ann1"]]
    assert "1 sentiment item(s) have an annotator who gave the statement a different sentiment" in \
        (out / "README.md").read_text()

    # no conflict, no warning
    code, _, stderr = invoke("export", "--format", "jsonl", tmp_path / "s.jsonl", "--task", "stance",
                             "--db", sqlite_url)
    assert code == 0 and stderr == ""


def test_hf_refuses_a_folder_it_did_not_write_and_replaces_its_own(engine, sqlite_url, tmp_path):
    from datasets import load_from_disk

    build_corpus(engine)
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("precious")
    code, out, err = invoke("export", "--format", "hf", mine, "--db", sqlite_url)
    assert_one_line_error(code, out, err, "not an earlier `export --format hf`")
    assert (mine / "keep.txt").read_text() == "precious" and sorted(p.name for p in mine.iterdir()) == ["keep.txt"]

    code, out, err = invoke("export", "--format", "hf", tmp_path / "missing" / "x", "--db", sqlite_url)
    assert_one_line_error(code, out, err, "no such folder")
    code, out, err = invoke("export", "--format", "hf", sqlite_url.removeprefix("sqlite:///"), "--db", sqlite_url)
    assert_one_line_error(code, out, err, "refusing to write over it")  # the database itself
    (tmp_path / "a-file").write_text("not a folder")
    code, out, err = invoke("export", "--format", "hf", tmp_path / "a-file", "--db", sqlite_url)
    assert_one_line_error(code, out, err, "exists and is not a folder")

    out_dir, _, _ = hf(tmp_path, sqlite_url, "--task", "stance")
    out_dir, _, _ = hf(tmp_path, sqlite_url)  # over its own earlier export: replaced
    assert sorted(p.name for p in out_dir.iterdir()) == ["README.md", "sentiment", "stance"]
    assert len(load_from_disk(str(out_dir / "sentiment"))["train"]) == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".hf")] == []  # no staging left behind


@pytest.mark.parametrize("args, message", [
    (["--format", "hf", "--test", "0.2"], "--test needs --split-by document"),
    (["--format", "jsonl", "--split-by", "document"], "--split-by, --test and --licence are for --format hf"),
    (["--format", "csv", "--licence", "CC0"], "--split-by, --test and --licence are for --format hf"),
])
def test_bad_dataset_options_are_one_line_errors(engine, sqlite_url, tmp_path, args, message):
    out = tmp_path / "x"
    code, stdout, stderr = invoke("export", *args[:2], out, *args[2:], "--db", sqlite_url)
    assert_one_line_error(code, stdout, stderr, message)
    assert not out.exists()


def test_document_fields_and_conflicts_on_postgresql(pg_engine, pg_url, tmp_path):
    """PostgreSQL gives document metadata as a dict, not JSON text: the same columns come out."""
    build_corpus(pg_engine)
    many_documents(pg_engine, 2)
    sid = conflict(pg_engine)
    out = tmp_path / "pg.jsonl"
    code, stdout, stderr = invoke("export", "--format", "jsonl", out, "--with-documents", "--db", pg_url)
    assert code == 0, (stdout, stderr)
    assert stderr.startswith("warning: 1 statement(s)")
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    row = next(r for r in rows if r["doc"] == "doc001.txt")
    assert (row["doc_title"], row["doc_url"], row["doc_published"]) == ("Title 1", "https://example.org/1",
                                                                       "2026-01-02")
    assert next(r for r in rows if r["doc"] == "a.txt")["doc_title"] is None
    with transaction(pg_engine) as session:
        start = session.get(Statement, sid).start
    assert [r["sentiment_conflict"] for r in rows if r["task"] == "sentiment" and r["start"] == start
            and r["doc"] == "a.txt"] == [["ann1"]]
