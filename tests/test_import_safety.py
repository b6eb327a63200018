"""Import safety: a line never lands on the wrong document, and importing twice adds nothing.

Two files ingested from different folders can share a source name (`same/a/x.txt`,
`same/b/x.txt` are both "x.txt"); a line naming such a document must be refused unless its
`doc_sha256` says which, and a `doc_sha256` that matches no document is an error even when
the name matches. A line that says what the annotator's standing decision already says
(same labels, note and reason codes) is counted as already present instead of being
written again. The tests run on a real SQLite file, and those marked so also on the live
PostgreSQL server.
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from db.decisions import undo_last
from db.engine import make_engine, transaction
from db.migrate import upgrade
from db.repository import add_target, get_or_create_annotator, text_sha256
from db.schema import Adjudication, Annotator, Decision, Document, Prediction, Statement
from tests.test_export import DOC_A, DOC_B, TARGETS, add_doc, build_corpus, quote_spans
from tests.test_import import fresh_corpus, minimal, write_lines
from workbench.errors import WorkbenchError
from workbench.importer import import_jsonl

# the same name, different texts with their quotes at the same offsets: the old lookup by
# name found a statement in either and silently took the first document's
TWIN_A = DOC_A
TWIN_B = DOC_A.replace("We support", "We despise")
assert len(TWIN_A) == len(TWIN_B) and quote_spans(TWIN_A) == quote_spans(TWIN_B)
SPAN = quote_spans(TWIN_A)[0]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_engine(request):
    """A migrated database: a real SQLite file, or a fresh schema on the live PostgreSQL server."""
    return request.getfixturevalue("engine" if request.param == "sqlite" else "pg_engine")


def twin_documents(engine) -> None:
    """Two documents both named "x.txt" (ingested from same/a/ and same/b/), one target."""
    with transaction(engine) as session:
        add_doc(session, "x.txt", TWIN_A)
        add_doc(session, "x.txt", TWIN_B)
        add_target(session, TARGETS[0])


def twin_line(**fields) -> dict:
    return {"doc": "x.txt", "start": SPAN[0], "end": SPAN[1], "target": TARGETS[0], "annotator": "ann1",
            "stance": "favor", "sentiment": None, **fields}


def labelled_documents(engine) -> list[str]:
    """The text of the document each decision's statement belongs to, in decision order."""
    with transaction(engine) as session:
        return list(session.scalars(select(Document.text).join(Statement).join(Decision).order_by(Decision.id)))


def row_counts(engine) -> dict[str, int]:
    with transaction(engine) as session:
        return {model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (Decision, Adjudication, Prediction, Annotator)}


def n_annotations(export_file) -> int:
    """Decision events an export holds: every annotation, and each flag once (a statement's flag
    is in its stance and its sentiment row)."""
    rows = [json.loads(line) for line in export_file.read_text().splitlines()]
    flags = {(f["annotator"], r["doc_sha256"], r["start"], f["target"], f["flagged_at"]) for r in rows for f in r["flags"]}
    return sum(len(r["annotations"]) for r in rows) + len(flags)


def import_error(engine, path: str) -> str:
    with pytest.raises(WorkbenchError) as err:
        import_jsonl(engine, path)
    message = str(err.value)
    assert "\n" not in message
    return message


# -- defect A: which document a line names ----------------------------------------------------

def test_a_name_shared_by_two_documents_is_refused_and_nothing_is_written(any_engine, tmp_path):
    twin_documents(any_engine)
    path = write_lines(tmp_path / "same.jsonl", [twin_line(doc_sha256=text_sha256(TWIN_A)), twin_line()])
    message = import_error(any_engine, path)
    assert message.startswith(f"{path}:2: ambiguous document: 2 documents are named 'x.txt'")
    assert text_sha256(TWIN_A) in message and text_sha256(TWIN_B) in message
    assert '"doc_sha256"' in message  # says how to resolve it
    assert row_counts(any_engine)["decisions"] == 0  # the good first line was rolled back too


def test_a_shared_name_is_refused_even_where_only_one_document_has_the_span(engine, tmp_path):
    """Offsets that happen to exist in only one of the documents are no evidence of which one was meant."""
    with transaction(engine) as session:
        add_doc(session, "x.txt", DOC_A)
        add_doc(session, "x.txt", DOC_B)
        add_target(session, TARGETS[0])
    start, end = quote_spans(DOC_B)[0]
    path = write_lines(tmp_path / "same.jsonl", [twin_line(start=start, end=end)])
    assert "ambiguous document" in import_error(engine, path)
    assert row_counts(engine)["decisions"] == 0


def test_doc_sha256_decides_between_documents_sharing_a_name(any_engine, tmp_path):
    twin_documents(any_engine)
    path = write_lines(tmp_path / "sha.jsonl", [twin_line(doc_sha256=text_sha256(TWIN_B), stance="against"),
                                                 twin_line(doc_sha256=text_sha256(TWIN_A), annotator="ann2")])
    assert import_jsonl(any_engine, path).decisions == 2
    assert labelled_documents(any_engine) == [TWIN_B, TWIN_A]


@pytest.mark.parametrize("form", ["minimal", "export row"])
def test_a_doc_sha256_matching_no_document_is_an_error_even_when_the_name_matches(any_engine, tmp_path, form):
    fresh_corpus(any_engine)
    unknown = "0" * 64
    if form == "minimal":
        bad = {**minimal(), "doc_sha256": unknown}
    else:
        start, end = quote_spans(DOC_A)[0]
        bad = {"task": "stance", "doc": "a.txt", "doc_sha256": unknown, "start": start, "end": end,
               "target": TARGETS[0], "annotations": [{"annotator": "ann1", "label": "favor"}]}
    path = write_lines(tmp_path / "bad.jsonl", [minimal("ann2"), bad])
    message = import_error(any_engine, path)
    assert message == (f"{path}:2: unknown document: no document has doc_sha256 '{unknown}' "
                       "(the line names 'a.txt'; ingest that text first)")
    assert row_counts(any_engine)["decisions"] == 0


def test_a_unique_name_still_imports_without_doc_sha256(engine, tmp_path):
    fresh_corpus(engine)
    path = write_lines(tmp_path / "in.jsonl", [minimal(), minimal(doc="b.txt", span=1, stance="against")])
    assert import_jsonl(engine, path).decisions == 2
    assert labelled_documents(engine) == [DOC_A, DOC_B]


def test_cli_names_file_and_line_of_the_ambiguous_document(engine, sqlite_url, tmp_path):
    from workbench.cli import cli

    twin_documents(engine)
    path = write_lines(tmp_path / "same.jsonl", [twin_line()])
    result = CliRunner().invoke(cli, ["import", path, "--db", sqlite_url])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {path}:1: ambiguous document: 2 documents are named 'x.txt' "
        f"(sha256 {text_sha256(TWIN_A)}, {text_sha256(TWIN_B)}); give \"doc_sha256\" on the line to say which"]


# -- defect B: importing twice ------------------------------------------------------------------

def test_importing_the_same_minimal_file_twice_adds_nothing(any_engine, tmp_path):
    fresh_corpus(any_engine)
    path = write_lines(tmp_path / "dec.jsonl", [
        minimal("ann1", "favor", "positive"), minimal("ann1", "against", span=1),
        minimal("ann2", None, "negative", target=None), minimal("ann2", "neutral", "negative"),
    ])
    first = import_jsonl(any_engine, path)
    after_first = row_counts(any_engine)
    assert after_first["decisions"] == first.decisions == 4
    second = import_jsonl(any_engine, path)
    assert row_counts(any_engine) == after_first
    assert (second.decisions, second.decisions_present, second.annotators_created) == (0, 4, 0)
    assert first.decisions_present == 0


def test_re_importing_an_export_into_its_own_database_adds_nothing(any_engine, tmp_path):
    """Every annotation, gold label and prediction of the export is already there."""
    from workbench.export import export

    build_corpus(any_engine)
    out = tmp_path / "export.jsonl"
    export(any_engine, "jsonl", str(out))
    before = row_counts(any_engine)
    summary = import_jsonl(any_engine, str(out))
    assert (summary.decisions, summary.adjudications, summary.predictions) == (0, 0, 0)
    assert summary.decisions_present == n_annotations(out) and summary.adjudications_present == 1
    assert row_counts(any_engine) == before
    again = tmp_path / "again.jsonl"
    export(any_engine, "jsonl", str(again))
    assert again.read_text() == out.read_text()


def test_importing_an_export_twice_into_a_fresh_database_adds_nothing_the_second_time(engine, tmp_path):
    from workbench.export import export

    build_corpus(engine)
    out = tmp_path / "export.jsonl"
    export(engine, "jsonl", str(out))
    other = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(other)
    fresh_corpus(other)
    first = import_jsonl(other, str(out))
    assert (first.decisions, first.adjudications, first.decisions_present) == (n_annotations(out), 1, 0)
    once = row_counts(other)
    second = import_jsonl(other, str(out))
    assert (second.decisions, second.adjudications, second.predictions) == (0, 0, 0)
    assert row_counts(other) == once
    again = tmp_path / "again.jsonl"
    export(other, "jsonl", str(again))
    assert again.read_text() == out.read_text()  # the round trip still holds
    other.dispose()


def standing_sentiments(engine) -> list[tuple[str, str]]:
    from db.decisions import current_labels

    with transaction(engine) as session:
        names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
        return sorted((names[d.annotator_id], d.sentiment) for d in current_labels(session, "sentiment"))


def test_a_file_that_changes_a_label_in_turn_adds_nothing_when_imported_again(any_engine, tmp_path):
    """Issue 22 item 8: `neutral` then `positive` for one annotator and item added 2 decisions on
    every import. What stands after the file (positive) already stands the second time: nothing is
    written, and the first import keeps the history the file tells (both decisions, in order)."""
    fresh_corpus(any_engine)
    path = write_lines(tmp_path / "turns.jsonl", [
        minimal("ann1", None, "neutral", target=None), minimal("ann1", None, "positive", target=None),
        minimal("ann2", "favor", "negative"), minimal("ann2", "against", "negative"),
    ])
    first = import_jsonl(any_engine, path)
    assert (first.decisions, first.decisions_present) == (4, 0)
    once = row_counts(any_engine)
    assert standing_sentiments(any_engine) == [("ann1", "positive"), ("ann2", "negative")]
    for _ in range(2):
        again = import_jsonl(any_engine, path)
        assert (again.decisions, again.decisions_present) == (0, 4)
        assert row_counts(any_engine) == once
    with transaction(any_engine) as session:
        assert list(session.scalars(select(Decision.sentiment).where(Decision.stance.is_(None))
                                    .order_by(Decision.id))) == ["neutral", "positive"]


def test_a_file_ending_where_the_database_stands_writes_nothing_and_one_ending_elsewhere_writes_its_turns(
        any_engine, tmp_path):
    fresh_corpus(any_engine)
    import_jsonl(any_engine, write_lines(tmp_path / "a.jsonl", [minimal("ann1", None, "neutral", target=None)]))
    back = write_lines(tmp_path / "back.jsonl", [minimal("ann1", None, "positive", target=None),
                                                 minimal("ann1", None, "neutral", target=None)])
    summary = import_jsonl(any_engine, back)  # ends where it stands: a detour, not a change
    assert (summary.decisions, summary.decisions_present) == (0, 2)
    on = write_lines(tmp_path / "on.jsonl", [minimal("ann1", None, "neutral", target=None),
                                             minimal("ann1", None, "positive", target=None),
                                             minimal("ann1", None, "negative", target=None)])
    summary = import_jsonl(any_engine, on)  # the first line repeats what stands: not written again
    assert (summary.decisions, summary.decisions_present) == (2, 1)
    assert standing_sentiments(any_engine) == [("ann1", "negative")]
    assert import_jsonl(any_engine, on).decisions == 0


def test_two_gold_labels_for_one_item_in_a_file_add_nothing_the_second_time(any_engine, tmp_path):
    from workbench.export import iter_rows

    build_corpus(any_engine)
    row = next(r for r in iter_rows(any_engine) if r["gold"] is not None)
    other = next(label for label in ("favor", "against", "neutral") if label != row["gold"])
    path = write_lines(tmp_path / "gold.jsonl", [{**row, "annotations": [], "gold": other},
                                                 {**row, "annotations": [], "gold": row["gold"], "gold_note": "n"}])
    first = import_jsonl(any_engine, path)
    assert (first.adjudications, first.adjudications_present) == (2, 0)
    once = row_counts(any_engine)
    second = import_jsonl(any_engine, path)
    assert (second.adjudications, second.adjudications_present) == (0, 2)
    assert row_counts(any_engine) == once


def test_a_changed_label_is_a_new_decision_and_an_undone_one_is_not_standing(engine, tmp_path):
    fresh_corpus(engine)
    favor = write_lines(tmp_path / "favor.jsonl", [minimal("ann1", "favor")])
    against = write_lines(tmp_path / "against.jsonl", [minimal("ann1", "against")])
    assert import_jsonl(engine, favor).decisions == 1
    assert import_jsonl(engine, against).decisions == 1  # differs from the standing label: recorded
    assert import_jsonl(engine, favor).decisions == 1  # favor no longer stands: recorded again
    with transaction(engine) as session:
        undo_last(session, get_or_create_annotator(session, "ann1"))  # favor withdrawn; against stands
    assert import_jsonl(engine, against).decisions_present == 1
    assert import_jsonl(engine, favor).decisions == 1


def test_only_the_annotators_own_standing_label_counts(engine, tmp_path):
    fresh_corpus(engine)
    import_jsonl(engine, write_lines(tmp_path / "ann1.jsonl", [minimal("ann1", "favor")]))
    summary = import_jsonl(engine, write_lines(tmp_path / "ann2.jsonl", [minimal("ann2", "favor")]))
    assert (summary.decisions, summary.decisions_present) == (1, 0)


def test_sentiment_stands_per_statement_and_a_line_is_present_only_if_all_its_labels_stand(engine, tmp_path):
    fresh_corpus(engine)
    import_jsonl(engine, write_lines(tmp_path / "a.jsonl", [minimal("ann1", "favor", "negative")]))
    # sentiment belongs to the statement: given without a target (or with another) it already stands
    summary = import_jsonl(engine, write_lines(tmp_path / "b.jsonl", [
        minimal("ann1", None, "negative", target=None), minimal("ann1", None, "negative", target=TARGETS[1])]))
    assert (summary.decisions, summary.decisions_present) == (0, 2)
    # the stance stands, the sentiment does not: a new decision
    summary = import_jsonl(engine, write_lines(tmp_path / "c.jsonl", [minimal("ann1", "favor", "positive")]))
    assert (summary.decisions, summary.decisions_present) == (1, 0)


def test_a_changed_gold_label_or_note_is_imported_and_an_identical_one_is_not(engine, tmp_path):
    from workbench.export import iter_rows

    build_corpus(engine)
    gold_row = next(r for r in iter_rows(engine) if r["gold"] is not None)
    same = write_lines(tmp_path / "same.jsonl", [{**gold_row, "annotations": [], "gold_by": "someone else"}])
    summary = import_jsonl(engine, same)
    assert (summary.adjudications, summary.adjudications_present, summary.annotators_created) == (0, 1, 0)
    changed = write_lines(tmp_path / "changed.jsonl", [{**gold_row, "annotations": [], "gold": "neutral"}])
    assert import_jsonl(engine, changed).adjudications == 1
    new_note = write_lines(tmp_path / "note.jsonl", [{**gold_row, "annotations": [], "gold": "neutral",
                                                       "gold_note": "on reflection"}])
    assert import_jsonl(engine, new_note).adjudications == 1


def test_a_new_note_or_reason_is_a_new_decision_but_other_times_and_durations_are_not(engine, tmp_path):
    fresh_corpus(engine)
    first = {**minimal("ann1", "favor"), "note": "n", "reason_codes": ["sarcasm"], "duration_ms": 900,
             "labelled_at": "2024-05-01T10:00:00+00:00"}
    import_jsonl(engine, write_lines(tmp_path / "a.jsonl", [first]))
    summary = import_jsonl(engine, write_lines(tmp_path / "b.jsonl", [
        {**first, "duration_ms": 5, "labelled_at": "2025-01-01T00:00:00+00:00", "order_mode": "random"}]))
    assert (summary.decisions, summary.decisions_present) == (0, 1)
    summary = import_jsonl(engine, write_lines(tmp_path / "c.jsonl", [
        {**first, "note": "second thoughts"}, {**first, "note": "second thoughts", "reason_codes": ["hedge"]}]))
    assert (summary.decisions, summary.decisions_present) == (2, 0)


def test_a_bad_line_is_refused_even_when_its_labels_already_stand(engine, tmp_path):
    fresh_corpus(engine)
    import_jsonl(engine, write_lines(tmp_path / "a.jsonl", [minimal("ann1", "favor")]))
    path = write_lines(tmp_path / "bad.jsonl", [{**minimal("ann1", "favor"), "reason_codes": ["no such reason"]}])
    assert "unknown reason code" in import_error(engine, path)


def test_cli_second_import_reports_decisions_already_present(engine, sqlite_url, tmp_path):
    from workbench.cli import cli

    fresh_corpus(engine)
    path = write_lines(tmp_path / "dec.jsonl", [minimal("ann1"), minimal("ann2", "neutral")])
    outputs = [CliRunner().invoke(cli, ["import", path, "--db", sqlite_url]) for _ in range(2)]
    assert [r.exit_code for r in outputs] == [0, 0]
    assert outputs[0].output == ("imported 2 decision(s) (0 already present), 0 gold label(s) (0 already present), "
                                 "0 prediction(s) from 2 line(s); 2 new annotator(s)\n")
    assert outputs[1].output == ("imported 0 decision(s) (2 already present), 0 gold label(s) (0 already present), "
                                 "0 prediction(s) from 2 line(s); 0 new annotator(s)\n")
    status = CliRunner().invoke(cli, ["status", "--json", "--db", sqlite_url])
    assert json.loads(status.output)["decisions_per_annotator"] == {"ann1": 1, "ann2": 1}
