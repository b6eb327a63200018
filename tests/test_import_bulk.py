"""`workbench import` writes in bulk (issue 22, item 3): a 50k-line import held the write lock for 83 s.

Decisions now go in by executemany a chunk at a time, statements and predictions are read a
document at a time, and "what already stands" comes from memory (`db.decisions.DecisionBatch`).
The figure is `bench/bench_import.py`; these tests hold the shape (a number of SQL statements
that does not grow with the lines) and that the answers are the same on both of the batch's
paths (a query per item, or an annotator's labels read at once).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select

import db.decisions
import db.schema
from db.decisions import NewDecision, current_labels, record, undo_last
from db.engine import transaction
from db.repository import get_or_create_annotator
from db.schema import Decision, Document, Statement, Target
from workbench.importer import import_jsonl

SENTENCE = "Somebody said a thing here. "
PER_DOC = 50
TARGET = "the target"
STANCE = ("favor", "against", "neutral")
SENTIMENT = ("positive", "negative", "neutral")


def build(engine, n_statements: int) -> None:
    with engine.begin() as conn:
        docs = (n_statements + PER_DOC - 1) // PER_DOC
        conn.execute(insert(Document), [{"id": d + 1, "source": f"d{d}.txt", "title": None,
                                         "text": SENTENCE * PER_DOC, "sha256": f"{d:064x}", "meta": {}}
                                        for d in range(docs)])
        conn.execute(insert(Statement), [
            {"id": i + 1, "document_id": i // PER_DOC + 1, "start": (i % PER_DOC) * len(SENTENCE),
             "end": (i % PER_DOC) * len(SENTENCE) + len(SENTENCE) - 1, "text": SENTENCE.strip(), "speaker": "S",
             "speaker_role": None, "speaker_type": "other", "kind": "direct", "cue": "said", "extractor_version": "t"}
            for i in range(n_statements)])
        conn.execute(insert(Target), [{"id": 1, "text": TARGET, "description": None}])


def line(i: int, annotator: str, stance: str | None = None, sentiment: str | None = None, note=None) -> dict:
    start = (i % PER_DOC) * len(SENTENCE)
    return {"doc": f"d{i // PER_DOC}.txt", "start": start, "end": start + len(SENTENCE) - 1, "target": TARGET,
            "annotator": annotator, "stance": stance, "sentiment": sentiment, "note": note}


def write(path: Path, lines: list[dict]) -> Path:
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return path


def standing(engine) -> set[tuple]:
    with transaction(engine) as session:
        names = dict(session.execute(select(db.schema.Annotator.id, db.schema.Annotator.name)).all())
        return {(task, names[d.annotator_id], d.statement_id, d.stance if task == "stance" else d.sentiment, d.note)
                for task in ("stance", "sentiment") for d in current_labels(session, task)}


def statements_run(tmp_path: Path, n_statements: int, annotators: int = 5) -> tuple[int, int]:
    """SQL statements run by an import of n_statements × annotators lines into a fresh database,
    and by the same import again (everything stands)."""
    from db.engine import make_engine
    from db.migrate import upgrade

    folder = tmp_path / str(n_statements)
    folder.mkdir()
    engine = make_engine(f"sqlite:///{folder / 'w.db'}")
    upgrade(engine)
    build(engine, n_statements)
    lines = [line(i, f"ann{a}", STANCE[(i + a) % 3], SENTIMENT[i % 3]) for i in range(n_statements)
             for a in range(annotators)]
    executed = []
    event.listen(engine, "before_cursor_execute", lambda *args: executed.append(1))
    summary = import_jsonl(engine, str(write(folder / "in.jsonl", lines)))
    first = len(executed)
    again = import_jsonl(engine, str(folder / "in.jsonl"))
    assert (summary.decisions, summary.decisions_present) == (len(lines), 0)
    assert (again.decisions, again.decisions_present) == (0, len(lines))
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == len(lines)
    engine.dispose()
    return first, len(executed) - first


def test_the_statements_an_import_runs_do_not_grow_with_its_lines(tmp_path):
    small, small_again = statements_run(tmp_path, 600)     # 3,000 lines
    large, large_again = statements_run(tmp_path, 1_800)   # 9,000 lines
    # before: an ORM flush and a standing-label query or two per line, i.e. several per line;
    # now a few per document and per chunk, on top of at most a few hundred per annotator
    assert large - small < 300, (small, large)
    assert large_again - small_again < 300, (small_again, large_again)


@pytest.mark.parametrize("preload_after", [0, 10_000], ids=["annotator read at once", "a query per item"])
def test_what_stands_is_the_same_on_both_paths(engine, tmp_path, monkeypatch, preload_after):
    real_init = db.decisions.DecisionBatch.__init__

    def init(self, session, chunk=7, preload_after_=preload_after):  # tiny chunks: several flushes
        real_init(self, session, chunk=chunk, preload_after=preload_after_)

    monkeypatch.setattr(db.decisions.DecisionBatch, "__init__", init)
    build(engine, 60)
    with transaction(engine) as session:  # what the database already holds
        ann = get_or_create_annotator(session, "ann")
        record(session, ann, NewDecision(0 + 1, 1, stance="favor", sentiment="positive"))
        record(session, ann, NewDecision(1 + 1, 1, stance="against"))
        record(session, ann, NewDecision(2 + 1, 1, stance="neutral"))
        undo_last(session, ann)  # statement 3's label withdrawn: importing it again is new
        record(session, ann, NewDecision(3 + 1, 1, sentiment="negative", note="why"))
    lines = [line(0, "ann", "favor", "positive"),            # stands already
             line(1, "ann", "against", "negative"),          # stance stands, sentiment new
             line(2, "ann", "neutral"),                      # was undone: new
             line(3, "ann", None, "negative"),               # same label, other note: new
             line(3, "ann", None, "negative"),               # ... and now it stands
             line(4, "ann", "favor"), line(4, "ann", "favor"),  # the second repeats the first
             line(5, "new", "favor", "neutral")]
    summary = import_jsonl(engine, str(write(tmp_path / "in.jsonl", lines)))
    assert (summary.decisions, summary.decisions_present) == (5, 3)
    assert standing(engine) == {
        ("stance", "ann", 1, "favor", None), ("sentiment", "ann", 1, "positive", None),
        ("stance", "ann", 2, "against", None), ("sentiment", "ann", 2, "negative", None),
        ("stance", "ann", 3, "neutral", None), ("sentiment", "ann", 4, "negative", None),
        ("stance", "ann", 5, "favor", None), ("stance", "new", 6, "favor", None),
        ("sentiment", "new", 6, "neutral", None)}
    again = import_jsonl(engine, str(tmp_path / "in.jsonl"))
    assert (again.decisions, again.decisions_present) == (0, 8)


def test_a_value_refused_in_a_chunk_names_its_line(engine, tmp_path):
    """Rows are written a chunk later than their line is read: the error still names the line."""
    from workbench.errors import WorkbenchError

    from sqlalchemy import text

    build(engine, 60)
    with engine.begin() as conn:  # a value this database refuses, whatever the import validates first
        conn.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON decisions WHEN NEW.note = 'refuse me' "
                          "BEGIN SELECT RAISE(ABORT, 'refused by the test trigger'); END"))
    lines = [line(i, "ann", "favor") for i in range(40)]
    lines[23]["note"] = "refuse me"
    with pytest.raises(WorkbenchError, match=r"in.jsonl:24: the database refused a value: refused by the test"):
        import_jsonl(engine, str(write(tmp_path / "in.jsonl", lines)))
    with transaction(engine) as session:
        assert session.scalar(select(func.count()).select_from(Decision)) == 0
