"""db/ owns the decision log: the undo rule, the current-label query, gold with its time, the export's named rows."""
from __future__ import annotations

from datetime import datetime, timezone

from db.adjudication import set_gold, standing_gold
from db.decisions import NewDecision, record, standing_flag, standing_labels, undo_last
from db.engine import transaction
from db.export_read import open_reader
from db.export_rows import ExportItem, LabelEvent, StatementRow
from db.repository import get_or_create_annotator
from tests.test_export import TARGETS, build_corpus


def current(session, task, annotator_id=None, statement_ids=None):
    return {(d.annotator_id, d.statement_id, d.target_id if task == "stance" else None): getattr(d, task)
            for d in session.scalars(standing_labels(annotator_id, task, statement_ids))}


def test_standing_labels_narrowed_to_statements_agrees_with_the_whole_log(engine):
    ids = build_corpus(engine)
    s0, s1 = ids["statements"][:2]
    with transaction(engine) as session:
        for task in ("stance", "sentiment"):
            everything = current(session, task)
            narrowed = current(session, task, statement_ids=[s0, s1])
            assert narrowed == {k: v for k, v in everything.items() if k[1] in (s0, s1)}
            assert narrowed  # the corpus labels both statements
        ann1 = get_or_create_annotator(session, "ann1")
        # ann1 on s1: against, undone, then neutral: the undone event never shows
        assert current(session, "stance", ann1.id, [s1]) == {(ann1.id, s1, ids["targets"][0]): "neutral"}


def test_a_flag_stands_until_undone(engine):
    ids = build_corpus(engine)
    s4, t1 = ids["statements"][4], ids["targets"][0]
    with transaction(engine) as session:
        ann = get_or_create_annotator(session, "ann9")
        assert standing_flag(session, ann.id, s4, t1) is None
        record(session, ann, NewDecision(s4, t1, action="flag", reason_codes=("hedge",), note="maybe"))
        assert standing_flag(session, ann.id, s4, t1) == (("hedge",), "maybe")
        undo_last(session, ann)
        assert standing_flag(session, ann.id, s4, t1) is None


def test_set_gold_keeps_a_copied_time(engine):
    ids = build_corpus(engine)
    s0, t1 = ids["statements"][0], ids["targets"][0]
    when = datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=timezone.utc)
    with transaction(engine) as session:
        boss = get_or_create_annotator(session, "boss")
        set_gold(session, boss, s0, t1, "stance", "favor", created_at=when)
    with transaction(engine) as session:
        row = standing_gold(session, s0, t1, "stance")
        assert row.label == "favor"
        assert row.created_at.replace(tzinfo=timezone.utc) == when  # SQLite hands it back naive (UTC)


def test_export_rows_are_named(engine):
    ids = build_corpus(engine)
    s1 = ids["statements"][1]
    with open_reader(engine) as reader:
        rows = list(reader)
        names = dict(reader.names)
    assert rows and all(isinstance(s, StatementRow) and all(isinstance(i, ExportItem) for i in items)
                        for s, items in rows)
    statement, items = next((s, items) for s, items in rows if s.id == s1)
    assert statement.doc == "a.txt" and statement.text
    stance = next(i for i in items if i.task == "stance" and i.target == TARGETS[0])
    assert all(isinstance(e, LabelEvent) for e in stance.events)
    # current labels after ann1's undo and ann2's edit
    assert {names[e.annotator_id]: e.label("stance") for e in stance.events} == {"ann1": "neutral", "ann2": "neutral"}
    assert stance.prediction is not None and stance.prediction.model_name == "stance-clf"
