"""speaker_id: one key per person across documents, stored on extract, in `statements` and exports."""
from __future__ import annotations

import csv
import json

from click.testing import CliRunner
from sqlalchemy import select

from db.decisions import NewDecision, record
from db.engine import make_engine, transaction
from db.repository import get_or_create_annotator
from db.schema import Statement
from workbench.cli import cli

DOC_A = ("Professor Katrin Vogel of the University of Lisbon has studied the river for a decade.\n\n"
         "“The water is cleaner than it was in 1990,” Vogel said.\n")
DOC_B = ("The council met on Tuesday.\n\n"
         "“We still need the new treatment plant,” said Dr. Katrin Vogel.\n\n"
         "“Nobody will pay for it,” a council official said.\n")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def extracted_db(sqlite_url, tmp_path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(DOC_A, encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text(DOC_B, encoding="utf-8")
    run("init", "--db", sqlite_url)
    run("ingest", str(tmp_path / "in"), "--db", sqlite_url)
    run("extract", "--db", sqlite_url)


def test_the_same_person_gets_one_speaker_id_across_documents(sqlite_url, tmp_path):
    extracted_db(sqlite_url, tmp_path)
    rows = [json.loads(line) for line in run("statements", "--db", sqlite_url).splitlines()]
    by_speaker = {(r["doc"], r["speaker"]): r["speaker_id"] for r in rows}
    assert by_speaker == {("a.txt", "Katrin Vogel"): "katrin-vogel", ("b.txt", "Katrin Vogel"): "katrin-vogel",
                          ("b.txt", "a council official"): None}
    out = tmp_path / "statements.csv"
    run("statements", "--format", "csv", "--out", str(out), "--db", sqlite_url)
    with open(out, encoding="utf-8", newline="") as fh:
        assert sorted(r["speaker_id"] for r in csv.DictReader(fh)) == ["", "katrin-vogel", "katrin-vogel"]


def test_exports_carry_speaker_id(sqlite_url, tmp_path):
    extracted_db(sqlite_url, tmp_path)
    engine = make_engine(sqlite_url)
    with transaction(engine) as s:
        annotator = get_or_create_annotator(s, "ann1")
        for stmt in s.scalars(select(Statement)):
            record(s, annotator, NewDecision(stmt.id, None, sentiment="neutral"))
    engine.dispose()
    jsonl, table = tmp_path / "x.jsonl", tmp_path / "x.csv"
    run("export", "--format", "jsonl", str(jsonl), "--task", "sentiment", "--db", sqlite_url)
    run("export", "--format", "csv", str(table), "--task", "sentiment", "--db", sqlite_url)
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert sorted((r["speaker"], r["speaker_id"]) for r in rows) == [
        ("Katrin Vogel", "katrin-vogel"), ("Katrin Vogel", "katrin-vogel"), ("a council official", None)]
    with open(table, encoding="utf-8", newline="") as fh:
        assert sorted(r["speaker_id"] for r in csv.DictReader(fh)) == ["", "katrin-vogel", "katrin-vogel"]


def test_speaker_key_folds_case_accents_and_the_article():
    from workbench.extract.canonical import speaker_key
    assert speaker_key("José Álvarez") == speaker_key("Jose Alvarez") == "jose-alvarez"
    assert speaker_key("The New York Times") == "new-york-times"
    assert speaker_key("a council official") is None
    assert speaker_key("he") is None
    assert speaker_key(None) is None
