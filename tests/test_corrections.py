"""Corrections of the extraction in the decision log: who sees what (agreement), the export's
corrected and extracted columns and verdicts, training, and `evaluate --task extraction`."""
from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from db import corrections
from db.corrections import SpeakerChoice
from db.decisions import NewDecision, record, undo_last
from db.engine import transaction
from db.errors import StorageError
from db.queue import AnnotationQueue
from db.repository import get_or_create_annotator, list_targets
from db.schema import Statement
from tests.test_tui_support import DOC_TEXT, TARGETS, seed
from workbench.cli import cli
from workbench.export import export, iter_rows
from workbench.importer import import_jsonl
from workbench.training import collect_training_set

FIRST = "\"The operation achieved all its goals,\""
SECOND = "\"We never needed foreign troops,\""


def ids(engine):
    with transaction(engine) as s:
        statements = {st.text: st.id for st in s.scalars(select(Statement))}
        targets = [t.id for t in list_targets(s)]
    return statements, targets


def queued(engine, name: str) -> set[int]:
    with transaction(engine) as s:
        who = get_or_create_annotator(s, name)
        queue = AnnotationQueue(who.id, name, [t.id for t in list_targets(s)])
        return {k.statement_id for k in queue.next_keys(s, 50)}


def act(engine, name: str, fn, *args, **kw):
    with transaction(engine) as s:
        return fn(s, get_or_create_annotator(s, name), *args, **kw)


def label(engine, name, sid, tid, stance="favor", sentiment="positive"):
    act(engine, name, record, NewDecision(sid, tid, stance=stance, sentiment=sentiment))


def test_not_a_statement_leaves_every_queue_once_agreed_and_undo_brings_it_back(engine):
    seed(engine)
    statements, [tid] = ids(engine)
    sid = statements[FIRST]
    act(engine, "alice", corrections.mark_not_statement, sid, tid)
    assert sid not in queued(engine, "alice")       # her own verdict: out of her queue
    assert sid in queued(engine, "carol")           # one verdict is no agreement
    act(engine, "bob", corrections.mark_not_statement, sid, tid)
    assert sid not in queued(engine, "carol")       # two annotators agree: out of everyone's
    act(engine, "bob", undo_last)
    assert sid in queued(engine, "carol")
    act(engine, "lead", corrections.mark_not_statement, sid, None, adjudicated=True)
    assert sid not in queued(engine, "carol")       # an adjudicator's verdict is agreed at once
    with transaction(engine) as s:
        assert corrections.not_statement_verdicts(s) == {sid: (["alice", "lead"], True)}


def test_not_a_statement_leaves_gold_exports_and_training(engine, tmp_path):
    from db.adjudication import set_gold

    seed(engine)
    statements, [tid] = ids(engine)
    for text in (FIRST, SECOND):
        label(engine, "alice", statements[text], tid)
        act(engine, "lead", set_gold, statements[text], tid, "stance", "favor")
    act(engine, "bob", corrections.mark_not_statement, statements[FIRST], tid)
    rows = list(iter_rows(engine, ("stance",), gold_only=True))
    assert [r["text"] for r in rows] == [SECOND]
    training = collect_training_set(engine, "stance")
    assert ([i.text for i in training.items], training.not_a_statement) == ([SECOND], 1)
    plain = {r["text"]: r for r in iter_rows(engine, ("stance",))}
    assert plain[FIRST]["not_a_statement"] is True and plain[FIRST]["not_a_statement_by"] == ["bob"]
    assert plain[FIRST]["not_a_statement_agreed"] is False and plain[SECOND]["not_a_statement"] is False
    act(engine, "bob", undo_last)
    assert len(list(iter_rows(engine, ("stance",), gold_only=True))) == 2


def test_corrections_refuse_bad_spans_and_the_newest_standing_one_wins(engine):
    seed(engine)
    statements, [tid] = ids(engine)
    sid = statements[FIRST]
    with pytest.raises(StorageError, match="outside the document"):
        act(engine, "alice", corrections.fix_span, sid, tid, 5, len(DOC_TEXT) + 1)
    with pytest.raises(StorageError, match="unchanged"):
        start = DOC_TEXT.index(FIRST)
        act(engine, "alice", corrections.fix_span, sid, tid, start, start + len(FIRST))
    with pytest.raises(StorageError, match="a statement already"):
        with transaction(engine) as s:
            doc = s.scalar(select(Statement.document_id).where(Statement.id == sid))
        act(engine, "alice", corrections.add_statement, doc, start, start + len(FIRST), SpeakerChoice("X"))
    with pytest.raises(StorageError, match="needs a name"):
        act(engine, "alice", corrections.fix_speaker, sid, tid, SpeakerChoice("  \x07 "))
    act(engine, "alice", corrections.fix_span, sid, tid, start + 1, start + 14)
    act(engine, "bob", corrections.fix_span, sid, tid, start + 1, start + 23)
    with transaction(engine) as s:
        assert corrections.current_corrections(s, [sid])[sid].text == "The operation achieved"
    act(engine, "bob", undo_last)
    with transaction(engine) as s:
        fixed = corrections.current_corrections(s, [sid])[sid]
        assert (fixed.text, fixed.span_fixed, fixed.speaker_fixed) == ("The operation", True, False)
        assert s.get(Statement, sid).text == FIRST  # never overwritten


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_export_carries_corrected_and_extracted_fields_and_the_verdicts(backend, engine, request, tmp_path):
    engine = engine if backend == "sqlite" else request.getfixturevalue("pg_engine")
    seed(engine, targets=TARGETS)
    statements, (t1, t2) = ids(engine)
    first, second = statements[FIRST], statements[SECOND]
    start = DOC_TEXT.index(FIRST)
    label(engine, "alice", first, t1)
    act(engine, "alice", corrections.fix_span, first, t1, start + 1, start + len(FIRST) - 2)
    act(engine, "bob", corrections.fix_speaker, first, t1,
        SpeakerChoice("Katrin Vogel", "katrin-vogel", "Professor", "expert"))
    act(engine, "alice", record, NewDecision(second, t2, action="not_about"))  # r: its only event
    with transaction(engine) as s:
        doc = s.scalar(select(Statement.document_id).where(Statement.id == first))
    missed = DOC_TEXT.index("Analysts expect")
    added, _ = act(engine, "carol", corrections.add_statement, doc, missed, len(DOC_TEXT), SpeakerChoice("Analysts"))
    label(engine, "carol", added.id, t1)

    rows = {(r["task"], r["text"], r["target"]): r for r in iter_rows(engine)}
    fixed = rows[("stance", "The operation achieved all its goals", TARGETS[0])]
    assert (fixed["start"], fixed["end"]) == (start + 1, start + len(FIRST) - 2)
    assert (fixed["start_extracted"], fixed["end_extracted"], fixed["text_extracted"]) == (
        start, start + len(FIRST), FIRST)
    assert (fixed["speaker"], fixed["speaker_id"], fixed["speaker_role"], fixed["speaker_type"]) == (
        "Katrin Vogel", "katrin-vogel", "Professor", "expert")
    assert (fixed["speaker_extracted"], fixed["speaker_type_extracted"]) == ("Stanislav Zas", "official")
    assert fixed["not_about"] == [] and fixed["added_by"] is None and fixed["not_a_statement_by"] == []
    assert rows[("stance", SECOND, TARGETS[1])]["not_about"] == ["alice"]  # exported although never labelled
    assert rows[("stance", SECOND, TARGETS[1])]["speaker"] == rows[("stance", SECOND, TARGETS[1])]["speaker_extracted"]
    assert ("sentiment", SECOND, None) not in rows  # not_about says nothing about the statement itself
    assert rows[("stance", "Analysts expect cooperation to continue.", TARGETS[0])]["added_by"] == "carol"
    assert rows[("sentiment", "The operation achieved all its goals", None)]["not_about"] is None
    # training reads the corrected span
    assert "The operation achieved all its goals" in [i.text for i in collect_training_set(engine, "stance").items]

    # every format carries the same columns and values
    for fmt in ("jsonl", "csv", "parquet"):
        path = tmp_path / f"out.{fmt}"
        export(engine, fmt, str(path))
        if fmt == "jsonl":
            lines = [json.loads(line) for line in path.read_text().splitlines()]
        elif fmt == "csv":
            lines = list(csv.DictReader(path.open(newline="")))
        else:
            import pyarrow.parquet as pq
            lines = pq.read_table(path).to_pylist()
        row = next(r for r in lines if r["task"] == "stance" and r["text"] == "The operation achieved all its goals")
        assert str(row["start_extracted"]) == str(start) and row["speaker_extracted"] == "Stanislav Zas"
        assert row["speaker"] == "Katrin Vogel"
        about = next(r for r in lines if r["text"] == SECOND)
        assert about["not_about"] in (["alice"], '["alice"]')


def test_jsonl_round_trip_finds_a_corrected_statement_by_its_stored_span(engine, tmp_path, sqlite_url):
    seed(engine)
    statements, [tid] = ids(engine)
    start = DOC_TEXT.index(FIRST)
    label(engine, "alice", statements[FIRST], tid)
    act(engine, "alice", corrections.fix_span, statements[FIRST], tid, start + 1, start + 14)
    path = tmp_path / "out.jsonl"
    export(engine, "jsonl", str(path))
    from db.engine import make_engine
    from db.migrate import upgrade

    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    upgrade(other)
    seed(other)
    import_jsonl(other, str(path))
    [row] = [r for r in iter_rows(other, ("stance",))]
    assert row["annotations"][0]["annotator"] == "alice" and row["start"] == start  # labels kept, span as extracted


def test_evaluate_extraction_reports_precision_span_and_speaker_accuracy_per_version(engine):
    seed(engine, targets=TARGETS)
    statements, (t1, t2) = ids(engine)
    first, second = statements[FIRST], statements[SECOND]
    start = DOC_TEXT.index(SECOND)
    with transaction(engine) as s:  # a second extractor version: one more document's statements
        from db.repository import StatementFields, add_document, replace_statements
        doc, _ = add_document(s, "b.txt", DOC_TEXT + " ", title="B")
        found = [StatementFields(DOC_TEXT.index(q), DOC_TEXT.index(q) + len(q), q, "X", None, "other", "direct", None)
                 for q in (FIRST, SECOND)]
        replace_statements(s, doc, found, "rules-9")
        third, fourth = [st.id for st in s.scalars(select(Statement).where(Statement.document_id == doc.id)
                                                       .order_by(Statement.start))]
    label(engine, "alice", first, t1)
    act(engine, "alice", corrections.fix_span, second, t1, start + 1, start + 10)
    act(engine, "bob", corrections.fix_speaker, second, t2, SpeakerChoice("Someone"))
    act(engine, "alice", corrections.mark_not_statement, third, t1)
    label(engine, "bob", fourth, t1)
    act(engine, "bob", corrections.fix_speaker, fourth, t1, SpeakerChoice("Y"))
    act(engine, "bob", undo_last)  # withdrawn: the speaker stands as extracted
    act(engine, "carol", record, NewDecision(first, t2, action="skip"))  # a skip reviews nothing
    with transaction(engine) as s:
        doc_id = s.scalar(select(Statement.document_id).where(Statement.id == first))
    act(engine, "carol", corrections.add_statement, doc_id, DOC_TEXT.index("Analysts"), len(DOC_TEXT),
        SpeakerChoice("Analysts"))

    out = CliRunner().invoke(cli, ["evaluate", "--task", "extraction", "--json", "--db", str(engine.url)])
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert report["n_added"] == 1
    test = report["by_version"]["test"]
    assert test == {"n_reviewed": 2, "n_not_statement": 0, "precision": 1.0, "n_span_fixed": 1,
                    "span_accuracy": 0.5, "n_speaker_fixed": 1, "speaker_accuracy": 0.5}
    rules = report["by_version"]["rules-9"]
    assert (rules["n_reviewed"], rules["precision"], rules["span_accuracy"], rules["speaker_accuracy"]) == (
        2, 0.5, 1.0, 1.0)
    assert report["overall"]["n_reviewed"] == 4 and report["overall"]["precision"] == 0.75
    text = CliRunner().invoke(cli, ["evaluate", "--task", "extraction", "--db", str(engine.url)])
    assert text.exit_code == 0 and "test: reviewed 2  precision 1.000" in text.output
    bad = CliRunner().invoke(cli, ["evaluate", "--task", "extraction", "--format", "csv", "x.csv",
                                   "--db", str(engine.url)])
    assert bad.exit_code != 0 and "no file" in bad.output
