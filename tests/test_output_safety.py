"""Files the commands write never land on the database and never appear half-written (issue 22, item 1).

`workbench export workbench.db` used to open the database's own path for writing: the database
was truncated to 0 bytes and its -wal removed. Every file writer now refuses the database and
its -wal/-shm (by resolved path and by inode), and writes a fresh file renamed into place.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest

from tests.bad_input_support import assert_one_line_error, dump, invoke, populate

WRITERS = {  # argv builders: the output path goes where a user would put it
    "export jsonl": lambda out: ["export", out],
    "export csv": lambda out: ["export", "--format", "csv", out],
    "export parquet": lambda out: ["export", "--format", "parquet", out],
    "export hf": lambda out: ["export", "--format", "hf", out],
    "statements --out": lambda out: ["statements", "--out", out],
    "agreement --html": lambda out: ["agreement", "--bootstrap", "0", "--html", out],
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "workbench.db"
    populate(f"sqlite:///{path}")
    return path


@pytest.fixture
def workdir(template, tmp_path, monkeypatch) -> Path:
    """A folder holding workbench.db (populated), as the current directory, no $WORKBENCH_DB."""
    shutil.copy(template, tmp_path / "workbench.db")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    return tmp_path


def files(folder: Path) -> list[str]:
    """What the folder holds besides the database (and the -wal/-shm an open connection keeps)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("workbench.db"))


def fingerprint(db: Path) -> tuple[int, str, dict]:
    return db.stat().st_size, hashlib.sha256(db.read_bytes()).hexdigest(), dump(f"sqlite:///{db}")


@pytest.mark.parametrize("writer", WRITERS)
def test_the_default_database_is_refused_as_output(workdir, writer):
    before = fingerprint(workdir / "workbench.db")
    assert before[0] > 0 and before[2]["decisions"]
    code, out, err = invoke(*WRITERS[writer]("workbench.db"))
    assert_one_line_error(code, out, err, "workbench.db is the database", "refusing")
    assert fingerprint(workdir / "workbench.db") == before
    assert files(workdir) == []  # no staging file left either


@pytest.mark.parametrize("writer", WRITERS)
def test_the_database_is_refused_by_every_other_name(workdir, writer):
    """--db X.db with X.db as output, a symlink and a hard link to it, its -wal and -shm files."""
    db = workdir / "labels.db"
    os.replace(workdir / "workbench.db", db)
    (workdir / "sub").mkdir()
    (workdir / "sub" / "link.db").symlink_to(db)
    os.link(db, workdir / "hard.jsonl")
    before = fingerprint(db)
    for out in ("labels.db", str(db), "./sub/../labels.db", "sub/link.db", "hard.jsonl", "labels.db-wal",
                "labels.db-shm"):
        code, stdout, err = invoke(*WRITERS[writer](out), "--db", "labels.db")
        line = assert_one_line_error(code, stdout, err, "refusing to write over it")
        assert out in line
        assert fingerprint(db) == before, out
    assert not (workdir / "labels.db-wal").exists() or (workdir / "labels.db-wal").stat().st_size == 0


def test_a_database_with_a_live_wal_keeps_it(workdir):
    """Uncommitted-to-the-main-file data lives in the -wal: refusing must not touch it either."""
    import sqlite3

    holder = sqlite3.connect(workdir / "workbench.db")
    try:
        holder.execute("PRAGMA wal_autocheckpoint=0")
        holder.execute("INSERT INTO targets (text, created_at) VALUES ('kept in the wal', '2026-01-01')")
        holder.commit()
        wal = workdir / "workbench.db-wal"
        assert wal.stat().st_size > 0
        wal_bytes = wal.read_bytes()
        for out in ("workbench.db", "workbench.db-wal", "workbench.db-shm"):
            code, stdout, err = invoke("export", "--format", "csv", out)
            assert_one_line_error(code, stdout, err, "refusing")
            assert wal.read_bytes() == wal_bytes
    finally:
        holder.close()
    assert "'kept in the wal'" in " ".join(dump(f"sqlite:///{workdir / 'workbench.db'}")["targets"])


def test_a_folder_export_may_not_hold_the_database(workdir):
    before = fingerprint(workdir / "workbench.db")
    for out in (".", str(workdir)):
        code, stdout, err = invoke("export", "--format", "hf", out)
        assert_one_line_error(code, stdout, err, "holds the database")
    assert fingerprint(workdir / "workbench.db") == before


@pytest.mark.parametrize("fmt, module_name, writer_name", [
    ("jsonl", "workbench.export", "_write_jsonl"), ("csv", "workbench.export", "_write_csv"),
    ("parquet", "workbench.export", "_write_parquet"), ("hf", "workbench.export_hf", "write_parquet")])
def test_an_interrupted_export_leaves_the_previous_file(workdir, monkeypatch, fmt, module_name, writer_name):
    """The writer dies half-way: the earlier export is still whole, no half file anywhere."""
    import importlib

    export_module = importlib.import_module(module_name)
    out = workdir / f"labels.{fmt}"
    assert invoke("export", "--format", fmt, out)[0] == 0
    earlier = _snapshot(out)
    real = getattr(export_module, writer_name)

    def dies_half_way(reader, target, *args, **kwargs):
        if isinstance(target, str):
            Path(target).write_bytes(b"half a file")
        else:
            target.write("half a row")
        raise RuntimeError("killed half-way")

    monkeypatch.setattr(export_module, writer_name, dies_half_way)
    with pytest.raises(RuntimeError):
        invoke("export", "--format", fmt, out)
    assert _snapshot(out) == earlier
    assert files(workdir) == [out.name]
    monkeypatch.setattr(export_module, writer_name, real)


def _snapshot(path: Path) -> dict[str, bytes]:
    if path.is_dir():  # the hf layout nests a folder per task
        return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}
    return {path.name: path.read_bytes()}


def test_statements_and_report_are_written_whole(workdir, monkeypatch):
    """statements --out and agreement --html go through the same rename (an error leaves the old file)."""
    import workbench.agreement.html as html

    report = workdir / "report.html"
    report.write_text("the old report")
    real_render = html.render_html

    def broken(_report, **_kwargs):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(html, "render_html", broken)
    with pytest.raises(RuntimeError):
        invoke("agreement", "--bootstrap", "0", "--html", report)
    assert report.read_text() == "the old report"
    monkeypatch.setattr(html, "render_html", real_render)
    assert invoke("agreement", "--bootstrap", "0", "--html", report)[0] == 0
    assert report.read_text().startswith("<!DOCTYPE html>")
    assert invoke("statements", "--out", "s.jsonl")[0] == 0
    assert len((workdir / "s.jsonl").read_text().splitlines()) == 50
    assert files(workdir) == ["report.html", "s.jsonl"]


def test_hf_export_replaces_an_earlier_dataset_but_not_other_folders(workdir):
    from datasets import load_from_disk

    assert invoke("export", "--format", "hf", "ds")[0] == 0
    assert invoke("export", "--format", "hf", "ds")[0] == 0  # over the earlier one
    assert load_from_disk(str(workdir / "ds" / "stance"))["train"].num_rows > 0
    (workdir / "notes").mkdir()
    (workdir / "notes" / "mine.txt").write_text("keep me")
    code, out, err = invoke("export", "--format", "hf", "notes")
    assert_one_line_error(code, out, err, "notes is a folder with other files")
    assert (workdir / "notes" / "mine.txt").read_text() == "keep me"
    (workdir / "empty").mkdir()
    assert invoke("export", "--format", "hf", "empty")[0] == 0
    assert load_from_disk(str(workdir / "empty" / "stance"))["train"].num_rows > 0


def test_new_files_get_ordinary_permissions(workdir):
    """The staging file is created like any new file (0666 less the umask), not 0600 like mkstemp's."""
    old = os.umask(0o022)
    try:
        assert invoke("export", "out.jsonl")[0] == 0
    finally:
        os.umask(old)
    assert (workdir / "out.jsonl").stat().st_mode & 0o777 == 0o644
