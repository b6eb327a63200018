"""Bad input across every command that reads files or databases (issue 8).

Each bad input must give exactly one `error: ...` line that names the input (file and, where
there is one, line) and the problem, a non-zero exit, no traceback, and no write: every table
of the database is dumped before and after and must be identical.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from db.engine import transaction
from tests.test_reliability_storage import seed_items
from tests.bad_input_support import (  # noqa: F401 - db and template_db are fixtures
    DOC, MB50, NEWER, SPAN0, TARGET, assert_one_line_error, db, dump, invoke, line, sparse, template_db,
)
# -- workbench import ----------------------------------------------------------------------------

def _import_cases(tmp: Path) -> list[tuple[str, Path, tuple[str, ...]]]:
    good = line()
    cases = []

    def add(name, data: bytes, *expect):
        path = tmp / name
        path.write_bytes(data)
        cases.append((name, path, expect))

    add("empty.jsonl", b"", "empty file")
    add("blank.jsonl", b"\n  \n\n", "empty file")
    add("binary.jsonl", bytes(random.Random(1).randrange(256) for _ in range(4096)) + b"\x00", ":1:")
    add("nul.jsonl", (good + "\n").encode() + b'{"doc": "\x00\x00"}\n', ":2:", "binary data (NUL bytes)")
    add("latin1.jsonl", (good + "\n").encode() + line(note="caf\u00e9").encode("latin-1") + b"\n",
        ":2:", "not UTF-8")
    add("malformed.jsonl", (good + "\n" + '{"doc": "r.txt", "start": 0,' + "\n").encode(), ":2:", "malformed JSON")
    add("deep.jsonl", (good + "\n" + "[" * 100_000 + "\n").encode(), ":2:", "malformed JSON")
    add("hugeint.jsonl", (good + "\n" + '{"start": ' + "9" * 5000 + "}\n").encode(), ":2:", "malformed JSON")
    add("array.jsonl", b"[1, 2]\n", ":1:", "must be a JSON object")
    add("label.jsonl", (good + "\n" + line(stance="love")).encode(), ":2:", "unknown stance label", "'love'")
    add("sentiment.jsonl", line(stance=None, sentiment="ecstatic").encode(), ":1:", "unknown sentiment label")
    add("gold.jsonl", json.dumps({"task": "stance", "doc": DOC, "start": SPAN0[0], "end": SPAN0[1],
                                  "target": TARGET, "annotations": [], "gold": "maybe"}).encode(),
        ":1:", "unknown stance gold label")
    add("offsets.jsonl", (good + "\n" + line(start=10, end=10**6)).encode(), ":2:", "unknown statement",
        "10:1000000")
    add("negative.jsonl", line(start=-5).encode(), ":1:", "'start' must be a non-negative integer")
    add("bigoffset.jsonl", line(end=2**70).encode(), ":1:", "'end' must be a non-negative integer")
    add("unknown_doc.jsonl", line(doc="nowhere.txt").encode(), ":1:", "unknown statement", "nowhere.txt")
    add("unknown_target.jsonl", line(target="no such target").encode(), ":1:", "unknown target")
    add("note_type.jsonl", line(note={"a": 1}).encode(), ":1:", "'note' must be a string")
    add("duration.jsonl", line(duration_ms="slow").encode(), ":1:", "'duration_ms'")
    add("duration_inf.jsonl", (good[:-1] + ', "duration_ms": Infinity}').encode(), ":1:", "'duration_ms'")
    add("reasons.jsonl", line(reason_codes=[["x"]]).encode(), ":1:", "'reason_codes'")
    add("time.jsonl", line(labelled_at="9999-12-31T23:59:59-23:59").encode(), ":1:", "bad timestamp")
    add("sha.jsonl", line(doc_sha256=[1]).encode(), ":1:", "'doc_sha256'")
    add("probs.jsonl", json.dumps({"task": "stance", "doc": DOC, "start": SPAN0[0], "end": SPAN0[1],
                                   "target": TARGET, "annotations": [], "predicted": "favor",
                                   "model_name": "m", "model_version": "1", "probabilities": [0.5]}).encode(),
        ":1:", "'probabilities'")
    return cases


def test_import_refuses_every_bad_file_with_one_line_and_writes_nothing(db, tmp_path):
    before = dump(db)
    cases = _import_cases(tmp_path)
    for name, path, expect in cases:
        code, out, err = invoke("import", path, "--db", db)
        message = assert_one_line_error(code, out, err, str(path), *expect)
        assert message.startswith(f"error: {path}"), message
        assert dump(db) == before, f"{name} changed the database"
    assert len(cases) == 24


def test_import_of_a_50_mb_file(db, tmp_path):
    before = dump(db)
    # a sparse 50 MB file of NUL bytes
    code, out, err = invoke("import", sparse(tmp_path / "sparse.jsonl"), "--db", db)
    assert_one_line_error(code, out, err, "sparse.jsonl:1:", "binary data")
    # 50 MB of real JSON: a good line, then a 50 MB line (with an unknown label) that is never read whole
    big = tmp_path / "big.jsonl"
    with open(big, "w", encoding="utf-8") as fh:
        fh.write(line() + "\n")
        fh.write(line(note="x" * MB50, stance="love") + "\n")
    assert big.stat().st_size > MB50
    code, out, err = invoke("import", big, "--db", db)
    message = assert_one_line_error(code, out, err, f"{big}:2:", "line longer than 8 MiB")
    assert len(message) < 500  # the 50 MB value is not echoed
    # a long line under the limit is still parsed and judged on what it says
    with open(big, "w", encoding="utf-8") as fh:
        fh.write(line() + "\n")
        fh.write(line(note="x" * 2**20, stance="love") + "\n")
    code, out, err = invoke("import", big, "--db", db)
    assert_one_line_error(code, out, err, f"{big}:2:", "unknown stance label")
    assert dump(db) == before


def test_import_missing_file_and_good_file_still_imports(db, tmp_path):
    before = dump(db)
    code, out, err = invoke("import", tmp_path / "nope.jsonl", "--db", db)
    assert_one_line_error(code, out, err, "nope.jsonl", "No such file")
    assert dump(db) == before
    good = tmp_path / "good.jsonl"
    good.write_text(line() + "\n" + line(annotator="imp2", stance="against") + "\n", encoding="utf-8")
    code, out, err = invoke("import", good, "--db", db)
    assert code == 0 and "imported 2 decision(s)" in out, (out, err)
    after = dump(db)
    assert len(after["decisions"]) == len(before["decisions"]) + 2


def test_import_value_postgres_cannot_store_is_one_line_error(pg_engine, pg_url, tmp_path):
    """NUL inside a JSON string is valid JSON but PostgreSQL text refuses it: a line error, not a traceback."""
    from sqlalchemy import func, select

    from db.schema import Decision

    seed_items(pg_engine)
    path = tmp_path / "nul_note.jsonl"
    path.write_text(line() + "\n" + line(note="a\u0000b") + "\n", encoding="utf-8")
    code, out, err = invoke("import", path, "--db", pg_url)
    assert_one_line_error(code, out, err, f"{path}:2:")
    with transaction(pg_engine) as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0


# -- workbench evaluate ----------------------------------------------------------------------------

NO_MODEL = "/nonexistent/model-dir"  # if the model were loaded before the file, the error would name it


def _newsmtsc(obj) -> str:
    return json.dumps(obj) + "\n"


GOOD_NEWS = _newsmtsc({"sentence_normalized": "the law is good", "targets": [{"mention": "law", "polarity": 6}]})


def _evaluate_file_cases(tmp: Path):
    cases = []
    rng = random.Random(2)

    def add(fmt, name, data: bytes, *expect):
        path = tmp / name
        path.write_bytes(data)
        cases.append((fmt, path, expect))

    binary = bytes(rng.randrange(256) for _ in range(4096))
    # NewsMTSC JSONL (sentiment)
    add("newsmtsc", "empty.jsonl", b"", "no examples")
    add("newsmtsc", "binary.jsonl", b"\xff" + binary, "not valid UTF-8")
    add("newsmtsc", "latin1.jsonl", GOOD_NEWS.encode() + "caf\u00e9\n".encode("latin-1"), ":2:", "not valid UTF-8")
    add("newsmtsc", "malformed.jsonl", (GOOD_NEWS + '{"sentence_normalized": \n').encode(), ":2:", "malformed JSON")
    add("newsmtsc", "deep.jsonl", (GOOD_NEWS + "[" * 100_000 + "\n").encode(), ":2:", "malformed JSON")
    add("newsmtsc", "missing.jsonl", (GOOD_NEWS + _newsmtsc({"targets": []})).encode(), ":2:", "missing field")
    add("newsmtsc", "targets_int.jsonl", _newsmtsc({"sentence_normalized": "x", "targets": 5}).encode(), ":1:")
    add("newsmtsc", "label.jsonl", (GOOD_NEWS + _newsmtsc({"sentence_normalized": "x", "targets": [
        {"mention": "x", "polarity": 5}]})).encode(), ":2:", "unknown polarity")
    add("newsmtsc", "hugepol.jsonl", _newsmtsc({"sentence_normalized": "x", "targets": [
        {"mention": "x", "polarity": 10**400}]}).encode(), ":1:", "bad target entry")
    # VAST CSV (stance)
    header = b"Tweet,Target,Stance\n"
    add("vast", "empty.csv", b"", ":1:", "missing column")
    add("vast", "binary.csv", b"\xff" + binary, "not valid UTF-8")
    add("vast", "latin1.csv", header + "caf\u00e9,x,1\n".encode("latin-1"), ":2:", "not valid UTF-8")
    add("vast", "malformed.csv", header + b"ok,x,1\n\"" + b"y" * 200_000 + b"\",x,1\n", "malformed CSV")
    add("vast", "columns.csv", b"text,target\nx,y\n", ":1:", "missing column(s) Tweet, Target, Stance")
    add("vast", "label.csv", header + b"ok,x,1\nbad,x,7\n", ":3:", "unknown stance label")
    return cases


def _semeval_cases(tmp: Path):
    cases = []

    def make(name, text: bytes | None, labels: bytes | None, folder="abortion"):
        d = tmp / name / folder
        d.mkdir(parents=True)
        if text is not None:
            (d / "val_text.txt").write_bytes(text)
        if labels is not None:
            (d / "val_labels.txt").write_bytes(labels)
        return tmp / name

    cases.append((make("empty", b"", b""), ("no examples",)))
    cases.append((make("binary", b"\xff\xfe\x00" * 100, b"1\n"), ("val_text.txt", "not valid UTF-8")))
    cases.append((make("latin1", b"ok\n", "caf\u00e9\n".encode("latin-1")), ("val_labels.txt", "not valid UTF-8")))
    cases.append((make("count", b"one\ntwo\n", b"1\n"), ("val_labels.txt:2:", "1 labels for 2 texts")))
    cases.append((make("label", b"one\ntwo\n", b"1\n7\n"), ("val_labels.txt:2:", "unknown label '7'")))
    cases.append((make("folder", b"one\n", b"1\n", folder="bananas"), ("bananas", "unknown SemEval target folder")))
    cases.append((make("nolabels", b"one\n", None), ("val_labels.txt", "file not found")))
    (tmp / "nofiles").mkdir()
    cases.append((tmp / "nofiles", ("no val_text.txt files found",)))
    return cases


def test_evaluate_refuses_bad_files_before_loading_any_model(tmp_path):
    n = 0
    for fmt, path, expect in _evaluate_file_cases(tmp_path):
        task = "sentiment" if fmt == "newsmtsc" else "stance"
        code, out, err = invoke("evaluate", "--task", task, "--format", fmt, path, "--model", NO_MODEL)
        message = assert_one_line_error(code, out, err, str(path), *expect)
        assert NO_MODEL not in message
        n += 1
    for root, expect in _semeval_cases(tmp_path / "semeval"):
        code, out, err = invoke("evaluate", "--task", "stance", "--format", "semeval", root, "--split", "val",
                                "--model", NO_MODEL)
        message = assert_one_line_error(code, out, err, str(root), *expect)
        assert NO_MODEL not in message
        n += 1
    for fmt, name in (("newsmtsc", "absent.jsonl"), ("vast", "absent.csv")):
        task = "sentiment" if fmt == "newsmtsc" else "stance"
        code, out, err = invoke("evaluate", "--task", task, "--format", fmt, tmp_path / name, "--model", NO_MODEL)
        assert_one_line_error(code, out, err, name, "file not found")
        n += 1
    assert n == 25


def test_evaluate_50_mb_files(tmp_path):
    news = sparse(tmp_path / "big.jsonl")
    code, out, err = invoke("evaluate", "--task", "sentiment", "--format", "newsmtsc", news, "--model", NO_MODEL)
    assert_one_line_error(code, out, err, f"{news}:1:", "malformed JSON")
    vast = tmp_path / "big.csv"
    with open(vast, "w", encoding="utf-8") as fh:
        fh.write("Tweet,Target,Stance\n")
        row = "a fine sentence about the law,law,1\n"
        fh.write(row * (MB50 // len(row) + 1))
        fh.write("last,law,9\n")
    assert vast.stat().st_size > MB50
    code, out, err = invoke("evaluate", "--task", "stance", "--format", "vast", vast, "--model", NO_MODEL)
    assert_one_line_error(code, out, err, str(vast), "unknown stance label '9'")
    d = tmp_path / "sem" / "atheism"
    d.mkdir(parents=True)
    sparse(d / "val_text.txt")
    (d / "val_labels.txt").write_text("1\n")
    code, out, err = invoke("evaluate", "--task", "stance", "--format", "semeval", tmp_path / "sem",
                            "--split", "val", "--model", NO_MODEL)
    # 50 MB of NUL bytes is one (odd) line of text: one text, one label, so it is read; then the model is missing
    assert_one_line_error(code, out, err, "model directory not found", NO_MODEL)


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory):
    """A tiny base encoder and a tiny trained model per task (no download, seconds on a CPU)."""
    from models.data import Example
    from models.testing import build_tiny_encoder
    from models.training import train_new

    base = build_tiny_encoder(tmp_path_factory.mktemp("tiny_base"))
    labels = {"sentiment": ("positive", "negative", "neutral"), "stance": ("favor", "against", "neutral")}
    out = {}
    for task, (a, b, c) in labels.items():
        ex = [Example(t, "law", a) for t in ("this is good", "a great success", "very good policy")]
        ex += [Example(t, "law", b) for t in ("this is bad", "a terrible failure", "very bad policy")]
        ex += [Example(t, "law", c) for t in ("the meeting was today", "he said it", "the report")]
        folder = tmp_path_factory.mktemp(f"tiny_{task}")
        train_new(task, ex * 2, {"dev": ex}, folder, seed=1, base_path=base,
                  hyper={"epochs": 2, "lr": 1e-2, "batch_size": 8, "max_length": 32})
        out[task] = folder
    return base, out


def test_evaluate_good_files_with_a_tiny_local_model(tiny_models, tmp_path):
    """The harness is not refusing everything: the same command on good files succeeds."""
    base, folders = tiny_models
    env = {"WORKBENCH_BASE_ENCODER": str(base)}
    news = tmp_path / "good.jsonl"
    news.write_text(GOOD_NEWS * 3, encoding="utf-8")
    code, out, err = invoke("evaluate", "--task", "sentiment", "--format", "newsmtsc", news,
                            "--model", folders["sentiment"], "--json", env=env)
    assert code == 0, err
    assert json.loads(out)["n"] == 3
    vast = tmp_path / "good.csv"
    vast.write_text("Tweet,Target,Stance\nthis is good,law,1\nthis is bad,law,0\n", encoding="utf-8")
    code, out, err = invoke("evaluate", "--task", "stance", "--format", "vast", vast,
                            "--model", folders["stance"], "--json", env=env)
    assert code == 0, err
    assert json.loads(out)["n"] == 2


# -- workbench merge -----------------------------------------------------------------------------

def _bad_other_databases(tmp: Path, template_db: Path) -> list[tuple[str, Path, tuple[str, ...], bool]]:
    """(name, file, expected words, whether the file exists afterwards)."""
    out = []
    notdb = tmp / "notes.db"
    notdb.write_bytes(b"these are my notes, not a database\n" * 200)
    out.append(("not a database", notdb, ("not a usable database", "file is not a database"), True))
    binary = tmp / "random.db"
    binary.write_bytes(bytes(random.Random(3).randrange(256) for _ in range(8192)))
    out.append(("binary", binary, ("not a usable database",), True))
    newer = tmp / "newer.db"
    shutil.copy(template_db, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (NEWER,))
    out.append(("newer revision", newer, ("unknown schema revision", NEWER), True))
    empty = tmp / "empty.db"
    empty.write_bytes(b"")
    out.append(("empty file", empty, ("is not initialised", "empty file"), True))
    foreign = tmp / "foreign.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE recipes (name TEXT)")
    out.append(("uninitialised", foreign, ("holds tables but no workbench schema revision",), True))
    out.append(("missing", tmp / "missing.db", ("is not initialised", "no such file"), False))
    return out


def test_merge_refuses_bad_other_databases_and_writes_nothing(db, template_db, tmp_path):
    before = dump(db)
    cases = _bad_other_databases(tmp_path, template_db)
    for name, path, expect, exists in cases:
        content = path.read_bytes() if path.exists() else None
        code, out, err = invoke("merge", f"sqlite:///{path}", "--db", db)
        assert_one_line_error(code, out, err, str(path), *expect)
        assert dump(db) == before, name
        assert path.exists() == exists, f"{name}: merge created {path}"
        if exists:
            assert path.read_bytes() == content, f"{name}: merge modified the other file"
    code, out, err = invoke("merge", db, "--db", db)
    assert_one_line_error(code, out, err, "into itself")
    code, out, err = invoke("merge", "not a url", "--db", db)
    assert_one_line_error(code, out, err, "invalid database URL", "not a url")
    assert dump(db) == before
    assert len(cases) == 6


# -- every command on a database that is not one, or is too new ---------------------------------------

def _commands(tmp: Path) -> list[list[str]]:
    good_import = tmp / "good.jsonl"
    good_import.write_text(line() + "\n", encoding="utf-8")
    article = tmp / "article.txt"
    article.write_text("\"We will win,\" said Jane Roe, the mayor.\n", encoding="utf-8")
    return [["status"], ["extract"], ["statements"], ["targets", "list"], ["targets", "add", "new target"],
            ["prelabel"], ["export", str(tmp / "out.jsonl")], ["agreement"], ["import", str(good_import)],
            ["ingest", str(article)], ["merge", f"sqlite:///{tmp / 'other.db'}"], ["guidelines", "show"],
            ["annotate", "--annotator", "ann1"], ["adjudicate", "--annotator", "boss"],
            ["train", "--task", "stance"]]


@pytest.mark.parametrize("kind", ["not a database", "binary", "newer revision", "uninitialised", "empty file"])
def test_every_command_refuses_a_bad_database_file(kind, template_db, tmp_path):
    path = tmp_path / "workbench.db"
    expect: tuple[str, ...]
    if kind == "not a database":
        path.write_text("id,name\n1,not a database\n" * 300, encoding="utf-8")
        expect = ("not a usable database",)
    elif kind == "binary":
        path.write_bytes(os.urandom(16384))
        expect = ("not a usable database",)
    elif kind == "newer revision":
        shutil.copy(template_db, path)
        with sqlite3.connect(path) as conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (NEWER,))
        expect = ("unknown schema revision", NEWER)
    elif kind == "uninitialised":
        with sqlite3.connect(path) as conn:
            conn.execute("CREATE TABLE recipes (name TEXT)")
            conn.execute("INSERT INTO recipes VALUES ('soup')")
        expect = ("holds tables but no workbench schema revision",)
    else:
        path.write_bytes(b"")
        expect = ("is not initialised",)
    url = f"sqlite:///{path}"
    shutil.copy(template_db, tmp_path / "other.db")
    before = path.read_bytes()
    listing = sorted(os.listdir(tmp_path))
    commands = _commands(tmp_path)
    listing = sorted(os.listdir(tmp_path))
    for args in commands:
        code, out, err = invoke(*args, "--db", url, env={"WORKBENCH_MODELS": str(tmp_path / "models")})
        assert_one_line_error(code, out, err, url, *expect)
        assert path.read_bytes() == before, f"{args[0]} wrote to the {kind} file"
        assert sorted(os.listdir(tmp_path)) == listing, f"{args[0]} left files behind"
    assert len(commands) == 15


