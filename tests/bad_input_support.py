"""Shared pieces of the bad-input tests: a populated database, the CLI runner, the checks."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from db import repository
from db.decisions import NewDecision, record
from db.engine import make_engine, transaction
from db.migrate import upgrade
from tests.test_reliability_storage import seed_items
from workbench.cli import cli

MB50 = 50 * 1024 * 1024
DOC = "r.txt"  # seed_items: one document, 50 statements "Sentence i here.", target "the thing"
TARGET = "the thing"
SPAN0 = (0, len("Sentence 0 here."))
NEWER = "ffff_from_the_future"


# -- helpers -------------------------------------------------------------------------------------

def invoke(*args: str, env: dict | None = None):
    """Run the CLI in-process. Unexpected exceptions propagate (they would be tracebacks)."""
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, env=env)
    return result.exit_code, result.stdout, result.stderr


def assert_one_line_error(code: int, out: str, err: str, *must_contain: str) -> str:
    assert code != 0, (out, err)
    assert "Traceback" not in out + err
    errors = [line for line in (out + "\n" + err).splitlines() if line.startswith("error:")]
    assert len(errors) == 1, (out, err)
    assert err.strip().splitlines() == errors, f"stderr holds more than the error line: {err!r}"
    for text in must_contain:
        assert text in errors[0], f"{text!r} not in {errors[0]!r}"
    return errors[0]


def dump(url: str) -> dict[str, list]:
    """Every row of every table (alembic_version included), order-independent."""
    path = url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}


def populate(url: str) -> None:
    """A migrated database with a document, 50 statements, a target, two annotators' decisions."""
    engine = make_engine(url)
    upgrade(engine)
    seed_items(engine)
    with transaction(engine) as session:
        from sqlalchemy import select

        from db.schema import Statement, Target

        sids = list(session.scalars(select(Statement.id).order_by(Statement.id)))
        tid = session.scalar(select(Target.id))
        for name in ("ann1", "ann2"):
            annotator = repository.get_or_create_annotator(session, name)
            for sid in sids[:5]:
                record(session, annotator, NewDecision(sid, tid, stance="favor", sentiment="neutral"))
    engine.dispose()


@pytest.fixture(scope="module")
def template_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "workbench.db"
    populate(f"sqlite:///{path}")
    return path


@pytest.fixture
def db(template_db, tmp_path) -> str:
    """A fresh copy of the populated database for each test."""
    path = tmp_path / "workbench.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


def line(**overrides) -> str:
    obj = {"doc": DOC, "start": SPAN0[0], "end": SPAN0[1], "target": TARGET, "annotator": "imp",
           "stance": "favor", "sentiment": None}
    obj.update(overrides)
    return json.dumps(obj, ensure_ascii=False)


def sparse(path: Path, size: int = MB50 + 1) -> Path:
    with open(path, "wb") as fh:
        fh.truncate(size)
    return path


