"""`workbench ingest`: every supported format, every bad input, and no partial writes."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from db.engine import make_engine
from workbench.cli import cli
from tests.conftest import SEED

HTML = """<html><head><title>Minister speaks</title></head><body>
<nav>Home | World | Sport</nav>
<article><h1>Minister speaks</h1>
<p>The minister said on Monday that the new budget would protect pensions and schools across the country.</p>
<p>"We will not cut a single teacher," Finance Minister Jane Doe told reporters at the ministry in the capital.</p>
<p>Opposition leaders said the plan was unrealistic and called for an independent review of the figures.</p>
</article><footer>Copyright 2024 Example News. All rights reserved.</footer></body></html>"""


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def table_snapshot(url: str) -> list[tuple]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT source, title, text, sha256 FROM documents ORDER BY id")).all()
    engine.dispose()
    return [tuple(r) for r in rows]


@pytest.fixture
def db(sqlite_url):
    code, out = run("init", "--db", sqlite_url)
    assert code == 0, out
    return sqlite_url


def test_every_format_is_ingested_and_text_kept_exactly(db, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "nested").mkdir()
    seed_text = SEED.read_text(encoding="utf-8")
    (tmp_path / "in" / SEED.name).write_text(seed_text, encoding="utf-8")
    (tmp_path / "in" / "nested" / "note.md").write_text("# A headline\n\nBody “quoted” text.\n", encoding="utf-8")
    (tmp_path / "in" / "page.html").write_text(HTML, encoding="utf-8")
    (tmp_path / "in" / "batch.jsonl").write_text(
        json.dumps({"id": "art-1", "title": "One", "text": "First article.", "url": "http://x"}) + "\n\n"
        + json.dumps({"text": "Second article."}) + "\n", encoding="utf-8")
    (tmp_path / "in" / "ignored.csv").write_text("a,b\n", encoding="utf-8")
    code, out = run("ingest", str(tmp_path / "in"), "--db", db)
    assert code == 0, out
    assert "ingested 5 document(s)" in out
    rows = {r[0]: r for r in table_snapshot(db)}
    assert rows[SEED.name][2] == seed_text
    assert rows[SEED.name][1].startswith("Objects of protection")
    assert rows["note.md"][1] == "A headline"
    assert rows["art-1"][1:3] == ("One", "First article.")
    assert rows["batch.jsonl#3"][2] == "Second article."
    html_text = rows["page.html"][2]
    assert "We will not cut a single teacher" in html_text
    assert "All rights reserved" not in html_text and "Home | World" not in html_text
    assert rows["page.html"][1] == "Minister speaks"


def test_duplicates_by_text_are_skipped(db, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_text("Same words.", encoding="utf-8")
    b.write_text("Same words.", encoding="utf-8")
    code, out = run("ingest", str(a), str(b), "--db", db)
    assert code == 0 and "ingested 1 document(s), 1 duplicate(s) skipped" in out
    assert len(table_snapshot(db)) == 1


BAD_INPUTS = {
    "empty.txt": (b"", "empty file"),
    "blank.md": (b"  \n\n ", "empty file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    "latin1.txt": ("Café société".encode("latin-1"), "not valid UTF-8"),
    "broken.jsonl": (b'{"text": "fine"}\n{"text": "oops"\n', "line 2: malformed JSON"),
    "notext.jsonl": (b'{"title": "no body"}\n', "line 1: field 'text' is required"),
    "array.jsonl": (b'[1, 2]\n', "line 1: expected a JSON object"),
    "nothing.html": (b"<html><body><script>var a=1;</script></body></html>", "no main text"),
    "data.csv": (b"a,b\n", "unsupported file type"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_file_gets_one_line_error_and_writes_nothing(db, tmp_path, name):
    payload, reason = BAD_INPUTS[name]
    bad = tmp_path / name
    bad.write_bytes(payload)
    good = tmp_path / "good.txt"
    good.write_text("A good article.", encoding="utf-8")
    before = table_snapshot(db)
    code, out = run("ingest", str(bad), "--db", db)
    assert code == 1
    error_lines = [line for line in out.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and str(bad) in error_lines[0] and reason in error_lines[0]
    assert table_snapshot(db) == before
    # the rest of a batch still goes in, and the exit status still reports the failure
    code, out = run("ingest", str(bad), str(good), "--db", db)
    assert code == 1 and "ingested 1 document(s)" in out
    assert [r[0] for r in table_snapshot(db)] == ["good.txt"]


def test_oversized_file_is_refused(db, tmp_path, monkeypatch):
    import workbench.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_FILE_BYTES", 1000)
    big = tmp_path / "big.txt"
    big.write_text("word " * 1000, encoding="utf-8")
    code, out = run("ingest", str(big), "--db", db)
    assert code == 1 and "file too large" in out
    assert table_snapshot(db) == []


def test_fifty_megabyte_file_is_refused_quickly(db, tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        f.seek(50 * 1024 * 1024 + 1)
        f.write(b"x")
    code, out = run("ingest", str(big), "--db", db)
    assert code == 1 and "file too large (52.4 MB" in out


def test_missing_path_and_uninitialised_db(tmp_path, sqlite_url):
    code, out = run("ingest", str(tmp_path / "nope.txt"), "--db", sqlite_url)
    assert code == 1 and "is not initialised: run `workbench init` first" in out
    code, out = run("init", "--db", sqlite_url)
    code, out = run("ingest", str(tmp_path / "nope.txt"), "--db", sqlite_url)
    assert code == 1 and "no such file or folder" in out


def test_status_counts(db, tmp_path):
    (tmp_path / "a.txt").write_text("One.", encoding="utf-8")
    run("ingest", str(tmp_path / "a.txt"), "--db", db)
    code, out = run("status", "--json", "--db", db)
    assert code == 0
    summary = json.loads(out)
    assert summary["documents"] == 1 and summary["statements"] == 0 and summary["decisions_per_annotator"] == {}


def test_env_var_selects_the_database(tmp_path, monkeypatch, sqlite_url):
    monkeypatch.setenv("WORKBENCH_DB", sqlite_url)
    code, out = run("init")
    assert code == 0 and sqlite_url in out


def test_postgres_ingest(pg_url, tmp_path):
    assert run("init", "--db", pg_url)[0] == 0
    (tmp_path / "a.txt").write_text("Ein Artikel über “Zitate”.", encoding="utf-8")
    code, out = run("ingest", str(tmp_path), "--db", pg_url)
    assert code == 0, out
    assert [r[2] for r in table_snapshot(pg_url)] == ["Ein Artikel über “Zitate”."]


def test_jsonl_lines_split_only_on_newlines(db, tmp_path):
    path = tmp_path / "seps.jsonl"
    path.write_text(json.dumps({"id": "u2028", "text": "one\u2028two\u2029three"}, ensure_ascii=False) + "\r\n",
                    encoding="utf-8")
    code, out = run("ingest", str(path), "--db", db)
    assert code == 0, out
    assert [r[2] for r in table_snapshot(db)] == ["one\u2028two\u2029three"]
