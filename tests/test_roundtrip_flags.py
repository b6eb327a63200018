"""Flags in the round trip (issue 22 item 9): export rows carry every standing flag (reason codes,
note) and `not_a_statement`; import reads them back; `--gold-only` and training leave out a
statement someone flagged as not a statement. Real SQLite files and the live PostgreSQL server."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import exists, select

from db.adjudication import set_gold
from db.decisions import NewDecision, record, undo_last, withdrawn_by_undo
from db.engine import make_engine, transaction
from db.migrate import upgrade
from db.repository import get_or_create_annotator
from db.schema import Annotator, Decision, Statement, Target
from tests.test_export import build_corpus
from tests.test_import import fresh_corpus
from workbench.export import export, iter_rows
from workbench.importer import import_jsonl


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request):
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def add_flags(engine) -> None:
    """On top of build_corpus (which flags s2 × t1 'needs_context'): ann2 flags s0 × t1, which three
    annotators labelled, as not a statement with a note; ann1 flags s4 and undoes it; gold on s0."""
    with transaction(engine) as session:
        s0, _, _, _, s4 = session.scalars(select(Statement.id).order_by(Statement.id))
        t1 = session.scalar(select(Target.id).order_by(Target.id))
        ann1, ann2, lead = (get_or_create_annotator(session, n) for n in ("ann1", "ann2", "lead"))
        record(session, ann2, NewDecision(s0, t1, action="flag", reason_codes=("not_a_statement", "wrong_speaker"),
                                          note="a headline, not a quote", duration_ms=4100, order_mode="document"))
        record(session, ann1, NewDecision(s4, t1, action="flag", reason_codes=("hedge",)))
        undo_last(session, ann1)
        set_gold(session, lead, s0, t1, "stance", "favor")
        set_gold(session, lead, s0, None, "sentiment", "positive")


def standing_flags(engine) -> list[tuple]:
    """(annotator, document offsets, target, reason codes, note, duration) of every standing flag."""
    with transaction(engine) as session:
        rows = session.execute(
            select(Annotator.name, Statement.start, Target.text, Decision.reason_codes, Decision.note,
                   Decision.duration_ms)
            .join(Annotator, Annotator.id == Decision.annotator_id).join(Statement, Statement.id == Decision.statement_id)
            .join(Target, Target.id == Decision.target_id)
            .where(Decision.action == "flag", ~exists(withdrawn_by_undo()))).all()
    return sorted((name, start, target, list(codes), note, duration) for name, start, target, codes, note, duration in rows)


def test_export_then_import_into_a_fresh_database_keeps_flags_with_reasons_and_notes(any_engine, tmp_path):
    build_corpus(any_engine)
    add_flags(any_engine)
    source_flags = standing_flags(any_engine)
    assert len(source_flags) == 2  # the undone one is not standing
    out = tmp_path / "export.jsonl"
    export(any_engine, "jsonl", str(out))

    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(fresh)
    fresh_corpus(fresh)
    summary = import_jsonl(fresh, str(out))
    assert standing_flags(fresh) == source_flags
    assert ("ann2", source_flags[0][1], "the peacekeeping mission", ["not_a_statement", "wrong_speaker"],
            "a headline, not a quote", 4100) in source_flags
    again = tmp_path / "again.jsonl"
    export(fresh, "jsonl", str(again))
    assert again.read_text() == out.read_text()  # flags, flag-only rows and not_a_statement all come back
    second = import_jsonl(fresh, str(out))
    assert (second.decisions, second.decisions_present) == (0, summary.decisions)
    fresh.dispose()


def test_rows_of_a_statement_flagged_not_a_statement_say_so_in_every_format(engine, tmp_path):
    build_corpus(engine)
    add_flags(engine)
    rows = list(iter_rows(engine))
    flagged = [r for r in rows if r["not_a_statement"]]
    assert {(r["task"], r["target"]) for r in flagged} == {("stance", "the peacekeeping mission"), ("sentiment", None)}
    assert all(len(r["annotations"]) == 3 for r in flagged)  # labelled by three: a "labelled example" before
    stance = next(r for r in flagged if r["task"] == "stance")
    assert stance["flags"] == [{"annotator": "ann2", "target": "the peacekeeping mission",
                                "reason_codes": ["not_a_statement", "wrong_speaker"],
                                "note": "a headline, not a quote", "duration_ms": 4100, "order_mode": "document",
                                "suggestions_shown": True, "flagged_at": stance["flags"][0]["flagged_at"]}]
    export(engine, "csv", str(tmp_path / "out.csv"))
    import csv

    with open(tmp_path / "out.csv", newline="", encoding="utf-8") as fh:
        got = list(csv.DictReader(fh))
    assert [json.loads(r["flags"]) for r in got] == [r["flags"] for r in rows]
    assert [r["not_a_statement"] for r in got] == [str(r["not_a_statement"]) for r in rows]
    import pyarrow.parquet as pq

    export(engine, "parquet", str(tmp_path / "out.parquet"))
    table = pq.read_table(tmp_path / "out.parquet").to_pylist()
    assert [(r["flags"], r["not_a_statement"]) for r in table] == [(r["flags"], r["not_a_statement"]) for r in rows]
    from datasets import load_from_disk

    export(engine, "hf", str(tmp_path / "hf"))  # a DatasetDict per task: the same flags, task by task
    for task in ("stance", "sentiment"):
        got = load_from_disk(str(tmp_path / "hf" / task))["train"]
        assert [(r["flags"], r["not_a_statement"], r["speaker_id"]) for r in got] == [
            (r["flags"], r["not_a_statement"], r["speaker_id"]) for r in rows if r["task"] == task]


def test_gold_only_export_leaves_out_a_statement_flagged_not_a_statement(engine, sqlite_url, tmp_path):
    from workbench.cli import cli

    build_corpus(engine)
    add_flags(engine)
    # s0 has gold for both tasks, as does b.txt's s3 × t2 (build_corpus): only the latter is a gold example
    assert {(r["doc"], r["task"], r["not_a_statement"]) for r in iter_rows(engine) if r["gold"]} == {
        ("a.txt", "stance", True), ("a.txt", "sentiment", True), ("b.txt", "stance", False)}
    out = tmp_path / "gold.jsonl"
    result = CliRunner().invoke(cli, ["export", "--format", "jsonl", str(out), "--gold-only", "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert [(r["doc"], r["task"], r["gold"]) for r in rows] == [("b.txt", "stance", "against")]
    from datasets import load_from_disk

    result = CliRunner().invoke(cli, ["export", "--format", "hf", str(tmp_path / "hf"), "--gold-only",
                                      "--db", sqlite_url])
    assert result.exit_code == 0, result.output
    stance = load_from_disk(str(tmp_path / "hf" / "stance"))["train"]
    assert [(r["doc"], r["gold"], r["not_a_statement"]) for r in stance] == [("b.txt", "against", False)]
    assert len(load_from_disk(str(tmp_path / "hf" / "sentiment"))["train"]) == 0


def test_training_data_leaves_out_a_statement_flagged_not_a_statement(engine):
    from workbench.training import collect_training_set

    build_corpus(engine)
    with transaction(engine) as session:
        s0 = session.scalar(select(Statement.id).order_by(Statement.id))
    before = collect_training_set(engine, "stance")
    assert s0 in {i.statement_id for i in before.items}
    add_flags(engine)  # also gives s0 gold labels: still left out
    for task in ("stance", "sentiment"):
        after = collect_training_set(engine, task)
        assert s0 not in {i.statement_id for i in after.items}
        assert after.not_a_statement == 1
    assert len(collect_training_set(engine, "stance").items) == len(before.items) - 1
    with transaction(engine) as session:  # the flag withdrawn: the statement is an example again
        undo_last(session, get_or_create_annotator(session, "ann2"))
    assert s0 in {i.statement_id for i in collect_training_set(engine, "stance").items}
