"""`workbench merge`: decisions, undo chains and adjudications copied once, matched by content."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from db.decisions import NewDecision, record
from db.engine import make_engine, transaction
from db.migrate import upgrade
from db.repository import get_or_create_annotator
from db.schema import Adjudication, Decision, Prediction, Statement, Target
from tests.test_export import DOC_A, DOC_B, TARGETS, add_doc, build_corpus
from tests.test_import import fresh_corpus
from workbench.cli import cli


MODEL_FIELDS = ("predicted", "probabilities", "model_name", "model_version")


def export_rows(engine, tmp_path, name):
    return [{k: v for k, v in json.loads(line).items() if k not in MODEL_FIELDS}
            for line in export_lines(engine, tmp_path, name)]


def export_lines(engine, tmp_path, name):
    from workbench.export import export

    path = tmp_path / name
    export(engine, "jsonl", str(path))
    return path.read_text().splitlines()


def counts(engine):
    with transaction(engine) as session:
        return (session.scalar(select(func.count()).select_from(Decision)),
                session.scalar(select(func.count()).select_from(Adjudication)))


@pytest.fixture
def other(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


def test_merge_copies_everything_once(engine, other, sqlite_url, tmp_path):
    build_corpus(other)
    fresh_corpus(engine)
    with transaction(engine) as session:  # this database has its own work too
        sid = session.scalars(select(Statement.id).order_by(Statement.id)).first()
        tid = session.scalar(select(Target.id).where(Target.text == TARGETS[0]))
        record(session, get_or_create_annotator(session, "local"), NewDecision(sid, tid, stance="neutral"))
    runner = CliRunner()
    result = runner.invoke(cli, ["merge", str(other.url), "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    n_other = counts(other)
    assert "decision(s) added" in result.output
    assert counts(engine) == (n_other[0] + 1, n_other[1])

    merged = [json.loads(line) for line in export_lines(engine, tmp_path, "merged.jsonl")]
    theirs = [json.loads(line) for line in export_lines(other, tmp_path, "theirs.jsonl")]
    for row in merged:  # the same rows as the source, plus the local annotator's label
        row["annotations"] = [a for a in row["annotations"] if a["annotator"] != "local"]
    # item-level model fields are left out: merge copies only the predictions decisions point at
    strip = ("n_annotators", "majority", "soft_label") + MODEL_FIELDS
    assert [{k: v for k, v in r.items() if k not in strip} for r in merged] == \
           [{k: v for k, v in r.items() if k not in strip} for r in theirs]
    with transaction(engine) as session:  # the copied predictions keep the precision they ran in
        copied = set(session.execute(select(Prediction.task, Prediction.precision).distinct()))
    assert ("stance", "bf16") in copied and ("stance", None) not in copied

    again = runner.invoke(cli, ["merge", str(other.url), "--db", sqlite_url])
    assert again.exit_code == 0, again.output
    assert "merged: 0 decision(s) added" in again.output and "0 adjudication(s) added" in again.output
    assert counts(engine) == (n_other[0] + 1, n_other[1])


def test_undo_chain_survives_merge(engine, other, tmp_path):
    """ann1 labelled, undid, relabelled: after the merge the current label is still the relabel."""
    from workbench.merge import merge_databases

    build_corpus(other)
    fresh_corpus(engine)
    merge_databases(engine, other)
    with transaction(engine) as session:
        undo = session.scalars(select(Decision).where(Decision.action == "undo")).one()
        withdrawn = session.get(Decision, undo.supersedes_id)
        assert withdrawn.stance == "against" and withdrawn.action == "label"
    assert export_rows(engine, tmp_path, "a.jsonl") == export_rows(other, tmp_path, "b.jsonl")


def test_missing_statement_aborts_and_writes_nothing(engine, other):
    from workbench.errors import WorkbenchError
    from workbench.merge import merge_databases

    build_corpus(other)
    with transaction(engine) as session:  # only document a.txt here
        add_doc(session, "a.txt", DOC_A)
    with pytest.raises(WorkbenchError, match="statement this one lacks: b.txt"):
        merge_databases(engine, other)
    assert counts(engine) == (0, 0)


def test_a_same_named_document_with_another_text_is_not_matched(engine, other):
    """b.txt here holds other words at the same offsets: the other database's labels must not land on them."""
    from workbench.errors import WorkbenchError
    from workbench.merge import merge_databases

    build_corpus(other)
    with transaction(engine) as session:
        add_doc(session, "a.txt", DOC_A)
        add_doc(session, "b.txt", DOC_B.replace("Peace is within reach now", "War is within reach today"))
    with pytest.raises(WorkbenchError, match="statement this one lacks: b.txt .*document sha256"):
        merge_databases(engine, other)
    assert counts(engine) == (0, 0)


@pytest.mark.postgres
def test_merge_between_postgres_and_sqlite_both_ways(engine, pg_engine, other, tmp_path):
    from workbench.merge import merge_databases

    build_corpus(pg_engine)
    fresh_corpus(engine)
    first = merge_databases(engine, pg_engine)
    assert first.decisions_added == counts(pg_engine)[0]
    assert merge_databases(engine, pg_engine).decisions_added == 0
    assert export_rows(engine, tmp_path, "sqlite.jsonl") == export_rows(pg_engine, tmp_path, "pg.jsonl")
    # and back: the SQLite copy merged into PostgreSQL finds every event already there
    back = merge_databases(pg_engine, engine)
    assert back.decisions_added == 0 and back.adjudications_added == 0
