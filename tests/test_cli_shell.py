"""The CLI as people type it in a shell (issue 22, item 13).

`workbench --db x.db status` was "No such option: --db"; `workbench statements | head -2`
printed "error: Broken pipe". `--db` now works on either side of the command's name, and a
closed pipe ends the program as it ends other unix tools: silently, by SIGPIPE.
"""
from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bad_input_support import invoke
from tests.conftest import REPO
from tests.test_import_bulk import build


@pytest.fixture
def two_dbs(tmp_path, monkeypatch):
    """Two databases told apart by their statement count (3 and 5)."""
    from db.engine import make_engine
    from db.migrate import upgrade

    paths = {}
    for n in (3, 5):
        paths[n] = tmp_path / f"db{n}.db"
        engine = make_engine(f"sqlite:///{paths[n]}")
        upgrade(engine)
        build(engine, n)
        engine.dispose()
    monkeypatch.delenv("WORKBENCH_DB", raising=False)
    return paths


def test_db_before_the_command(two_dbs, tmp_path):
    db3, db5 = two_dbs[3], two_dbs[5]
    code, out, err = invoke("--db", db3, "status", "--json")
    assert code == 0, err
    assert json.loads(out)["statements"] == 3
    code, out, _ = invoke("--db", db5, "statements")
    assert code == 0 and len(out.splitlines()) == 5
    code, out, _ = invoke("--db", f"sqlite:///{db5}", "targets", "list")
    assert code == 0 and "the target" in out
    code, out, _ = invoke("--db", db3, "export", "--format", "csv", tmp_path / "out.csv")
    assert code == 0 and "exported 0 row(s)" in out


def test_which_db_wins(two_dbs):
    db3, db5 = two_dbs[3], two_dbs[5]
    # after the command beats before it
    code, out, _ = invoke("--db", db3, "status", "--json", "--db", db5)
    assert code == 0 and json.loads(out)["statements"] == 5
    # before the command beats $WORKBENCH_DB
    code, out, _ = invoke("--db", db3, "status", "--json", env={"WORKBENCH_DB": str(db5)})
    assert code == 0 and json.loads(out)["statements"] == 3
    # $WORKBENCH_DB still works alone
    code, out, _ = invoke("status", "--json", env={"WORKBENCH_DB": str(db5)})
    assert code == 0 and json.loads(out)["statements"] == 5


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    """Enough statements that the output outgrows a pipe's buffer (5,000 lines, ~900 KB)."""
    from db.engine import make_engine
    from db.migrate import upgrade

    path = tmp_path_factory.mktemp("big") / "big.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    build(engine, 5_000)
    engine.dispose()
    return path


@pytest.mark.parametrize("args", [["statements"], ["--db-first", "statements", "--format", "csv"],
                                  ["status"]])
def test_a_reader_that_stops_early_ends_the_program_quietly(big_db, args):
    """`workbench statements | head -2`, with a real pipe: no message, death by SIGPIPE like `yes | head`."""
    argv = [sys.executable, "-m", "workbench.cli"]
    argv += ["--db", str(big_db)] + args[1:] if args[0] == "--db-first" else args + ["--db", str(big_db)]
    proc = subprocess.Popen(argv, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = proc.stdout.readline()
    proc.stdout.close()  # the reader goes away after a line, as head does
    _, err = proc.communicate(timeout=120)
    assert first, err
    assert err == b"", err.decode()
    # Rich's console (status's tables) ends a broken pipe itself, quietly, with status 1
    assert proc.returncode in ((0, -signal.SIGPIPE, 1) if args == ["status"] else (0, -signal.SIGPIPE)), \
        proc.returncode


def test_head_in_a_shell_pipeline(big_db):
    shell = subprocess.run(
        ["bash", "-c", f'set -o pipefail; "{sys.executable}" -m workbench.cli statements --db "{big_db}" | head -2'],
        cwd=REPO, capture_output=True, text=True, timeout=120)
    assert len(shell.stdout.splitlines()) == 2
    assert shell.stderr == ""
    assert shell.returncode in (0, 128 + signal.SIGPIPE)  # what `yes | head -2` gives under pipefail
