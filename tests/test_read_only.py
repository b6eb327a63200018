"""Reading a database that may not be written (issue 22, item 11).

`status` in a read-only folder failed ("attempt to write a readonly database" / "unable to open
database file": the connection's pragmas write, and a WAL database wants its -shm index), and
`sqlite:///a.db?mode=ro&uri=true` said "not initialised" (pysqlite opened a new, empty file named
"a.db?mode=ro"). A database that cannot or must not be written is now opened read-only.

The tests run as root, for whom permission bits stop nothing, so "read-only" is made real in two
ways: the URL's `mode=ro` (SQLite itself refuses every write), and a read-only bind mount of the
folder in a private mount namespace (`unshare -m`; the kernel refuses every write, root's too).
As another user, `chmod 555` does the same and is used instead.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.bad_input_support import assert_one_line_error, dump, invoke, populate
from tests.conftest import REPO


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "w.db"
    populate(f"sqlite:///{path}")
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_mode_ro_url_reads_and_refuses_writes(template, tmp_path, monkeypatch):
    shutil.copy(template, tmp_path / "a.db")
    monkeypatch.chdir(tmp_path)  # the relative form, exactly as the issue typed it
    before, rows = digest(tmp_path / "a.db"), dump(f"sqlite:///{tmp_path / 'a.db'}")
    url = "sqlite:///a.db?mode=ro&uri=true"
    code, out, err = invoke("status", "--json", "--db", url)
    assert code == 0, err
    assert json.loads(out)["decisions"] == 10
    code, out, _ = invoke("statements", "--db", url)
    assert code == 0 and len(out.splitlines()) == 50
    assert invoke("export", tmp_path / "out.jsonl", "--db", url)[0] == 0
    assert invoke("agreement", "--json", "--bootstrap", "0", "--db", url)[0] == 0
    code, out, err = invoke("targets", "add", "a new target", "--db", url)
    assert_one_line_error(code, out, err, "read-only")
    assert digest(tmp_path / "a.db") == before
    assert dump(f"sqlite:///{tmp_path / 'a.db'}") == rows
    assert not [p for p in tmp_path.iterdir() if "?" in p.name]  # no stray "a.db?mode=ro" database


def test_the_file_uri_form_with_a_space_and_a_hash_in_the_name(template, tmp_path):
    db = tmp_path / "my labels #2.db"
    shutil.copy(template, db)
    code, out, err = invoke("status", "--json", "--db", f"sqlite:///{db}?mode=ro&uri=true")
    assert code == 0, err
    assert json.loads(out)["decisions"] == 10


def _read_only_folder_runner(folder: Path):
    """argv prefix running a command with `folder` read-only for it, or None where this machine
    cannot make a folder read-only for this user."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        return []
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f'mount --bind "{folder}" "{folder}" && '
                            f'mount -o remount,bind,ro "{folder}" && ! touch "{folder}/probe"'],
                           capture_output=True)
    if probe.returncode != 0:
        return None
    return ["unshare", "-m", "sh", "-c", f'mount --bind "{folder}" "{folder}" && '
            f'mount -o remount,bind,ro "{folder}" && exec "$0" "$@"']


def test_status_in_a_read_only_folder(template, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    shutil.copy(template, folder / "w.db")
    before = digest(folder / "w.db")
    runner = _read_only_folder_runner(folder)
    if runner is None:
        # as root only a read-only mount stops writes; the project's machines (and CI) have mount namespaces,
        # so a machine without them cannot check this promise: fail loudly rather than pass by skipping
        pytest.fail("cannot make a folder read-only here (root without mount namespaces: `unshare -m` failed)")
    try:
        def run(*args):
            return subprocess.run(runner + [sys.executable, "-m", "workbench.cli", *args, "--db", str(folder / "w.db")],
                                  cwd=REPO, capture_output=True, text=True, timeout=120)

        status = run("status", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["decisions"] == 10
        statements = run("statements")
        assert statements.returncode == 0 and len(statements.stdout.splitlines()) == 50
        write = run("targets", "add", "a new target")
        assert write.returncode == 1 and "Traceback" not in write.stderr
        assert write.stderr.startswith("error: ") and "read-only" in write.stderr
    finally:
        folder.chmod(0o755)
    assert digest(folder / "w.db") == before
    assert sorted(p.name for p in folder.iterdir()) == ["w.db"]
