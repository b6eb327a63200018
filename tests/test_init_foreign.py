"""`workbench init` on another application's database (issue 22, item 10).

Every other command refused a SQLite file holding tables but no workbench revision; `init`
added the workbench tables into it (and switched it to WAL). It is refused now, the file left
byte for byte as it was; an empty file and a workbench database at an older revision are fine.
"""
from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.bad_input_support import assert_one_line_error, invoke


def other_app_db(path: Path, wal: bool) -> Path:
    conn = sqlite3.connect(path)
    if wal:
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO users (name) VALUES ('bob')")
    conn.commit()
    conn.close()
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("wal", [False, True], ids=["rollback journal", "WAL"])
@pytest.mark.parametrize("command", ["init", "demo"])
def test_another_applications_sqlite_file_is_refused(tmp_path, wal, command):
    db = other_app_db(tmp_path / "other_app.db", wal)
    before = digest(db)
    args = [command, "--db", db] + (["--no-ui"] if command == "demo" else [])
    code, out, err = invoke(*args)
    assert_one_line_error(code, out, err, "holds tables but no workbench schema revision", "not touching it")
    assert digest(db) == before
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["users"]


def test_another_applications_postgresql_schema_is_refused(pg_url):
    from sqlalchemy import create_engine, inspect, text

    other = create_engine(pg_url)
    with other.begin() as conn:
        conn.execute(text("CREATE TABLE users (id serial PRIMARY KEY, name text)"))
    code, out, err = invoke("init", "--db", pg_url)
    assert_one_line_error(code, out, err, "holds tables but no workbench schema revision")
    assert inspect(other).get_table_names() == ["users"]
    other.dispose()


def test_an_empty_file_and_an_older_revision_are_initialised(tmp_path):
    from db.engine import make_engine
    from db.migrate import current_revision, head_revision, upgrade

    empty = tmp_path / "empty.db"
    empty.touch()
    code, out, _ = invoke("init", "--db", empty)
    assert code == 0 and head_revision() in out

    older = tmp_path / "older.db"
    engine = make_engine(f"sqlite:///{older}")
    upgrade(engine, "0001")
    engine.dispose()
    code, out, _ = invoke("init", "--db", older)
    assert code == 0, out
    engine = make_engine(f"sqlite:///{older}")
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert invoke("init", "--db", older)[0] == 0  # again: nothing to do, still fine
