"""Outputs that cannot be written and values a database cannot store: one line, nothing half-done.

Found by a walk through the CLI as a new user: these were tracebacks (or a run that stopped at
the first bad file on PostgreSQL while SQLite stored the same text).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bad_input_support import assert_one_line_error, invoke

GOOD = 'Jane Doe, the minister, said "we will win" on Monday.\n'


def counts(url: str) -> dict:
    code, out, _ = invoke("status", "--json", "--db", url)
    assert code == 0
    return json.loads(out)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    assert invoke("init", "--db", url)[0] == 0
    return url


def test_unwritable_export_paths_are_one_line_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    invoke("init", "--db", url)
    folder = tmp_path / "a-folder"
    folder.mkdir()
    for fmt in ("jsonl", "csv", "parquet"):
        code, out, err = invoke("export", "--format", fmt, tmp_path / "missing" / f"out.{fmt}", "--db", url)
        assert_one_line_error(code, out, err, "missing")
        code, out, err = invoke("export", "--format", fmt, folder, "--db", url)
        assert_one_line_error(code, out, err, "a-folder")
    code, out, err = invoke("agreement", "--html", tmp_path / "missing" / "r.html", "--db", url)
    assert code != 0 and "Traceback" not in out + err


def test_csv_export_of_zero_rows_still_names_its_columns(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    invoke("init", "--db", url)
    assert invoke("export", "--format", "csv", tmp_path / "e.csv", "--db", url)[0] == 0
    assert (tmp_path / "e.csv").read_text().splitlines()[0].startswith("task,doc,doc_sha256,start,end,target,text")


def test_hf_export_of_zero_rows_loads_back(tmp_path):
    from datasets import load_from_disk

    url = f"sqlite:///{tmp_path / 'w.db'}"
    invoke("init", "--db", url)
    code, out, _ = invoke("export", "--format", "hf", tmp_path / "e.hf", "--db", url)
    assert code == 0 and "exported 0 row(s)" in out
    for task in ("stance", "sentiment"):
        dataset = load_from_disk(str(tmp_path / "e.hf" / task))["train"]
        assert dataset.num_rows == 0 and {"task", "text", "annotations", "gold"} <= set(dataset.column_names)
        assert dataset.features["label"].num_classes == 3


def test_text_a_database_cannot_store_fails_that_file_only(db, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.jsonl").write_text('{"text": "Bob said \\"hi\\u0000there\\" today."}\n', encoding="utf-8")
    (folder / "b.txt").write_text(GOOD, encoding="utf-8")
    (folder / "c.txt").write_bytes(GOOD.encode() + b" " * 9000 + b"\x00tail")  # NUL past the first 8 KB
    (folder / "d.jsonl").write_text(json.dumps({"text": "A different text.", "title": "T" * 3000, "id": "long-title"}) + "\n")
    (folder / "e.jsonl").write_text(json.dumps({"text": "Another text.", "id": "x" * 600}) + "\n")
    code, out, err = invoke("ingest", folder, "--db", db)
    assert code == 1 and "Traceback" not in out + err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(errors) == 3, err
    assert "a.jsonl" in errors[0] and "NUL" in errors[0]
    assert "c.txt" in errors[1] and "NUL" in errors[1]
    assert "e.jsonl" in errors[2] and "600 characters" in errors[2]
    assert "ingested 2 document(s)" in out           # b.txt, and d.jsonl with its title cut
    assert counts(db)["documents"] == 2


def test_targets_the_schema_cannot_hold_are_refused(db):
    code, out, err = invoke("targets", "add", "t" * 3000, "--db", db)
    assert_one_line_error(code, out, err, "at most 1024 characters")
    code, out, err = invoke("targets", "add", "bad\x00target", "--db", db)
    assert_one_line_error(code, out, err, "NUL")
    assert counts(db)["targets"] == 0


def test_utf16_is_named_as_such(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    invoke("init", "--db", url)
    path = tmp_path / "u.txt"
    path.write_bytes(GOOD.encode("utf-16"))
    code, out, err = invoke("ingest", path, "--db", url)
    assert "UTF-16" in err and code == 1


def test_guidelines_refuse_huge_and_binary_files(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    invoke("init", "--db", url)
    big = tmp_path / "big.md"
    big.write_text("# Rules\n" + "x" * (2 * 1024 * 1024))
    code, out, err = invoke("guidelines", "set", big, "--db", url)
    assert_one_line_error(code, out, err, "at most 1 MiB")
    binary = tmp_path / "bin.md"
    binary.write_bytes(b"# Rules\n\x00\x01")
    code, out, err = invoke("guidelines", "set", binary, "--db", url)
    assert_one_line_error(code, out, err, "NUL")
    assert "# Annotation guidelines" in invoke("guidelines", "show", "--db", url)[1]


def test_empty_and_in_memory_database_urls_are_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for url, expect in (("", "--db is empty"), ("sqlite://", "in-memory"), ("sqlite:///:memory:", "in-memory")):
        code, out, err = invoke("init", "--db", url)
        assert_one_line_error(code, out, err, expect)
    assert not (tmp_path / "workbench.db").exists()  # the empty --db did not fall back to ./workbench.db
