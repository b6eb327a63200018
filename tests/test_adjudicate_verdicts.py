"""Gold verdicts (not about the target, not a statement) and the review/adjudication queues' scope:
what the log holds, what export, --gold-only, training and import make of it, and the shared filters."""
from __future__ import annotations

import json

import pytest

from db.adjudication import adjudication_queue, gold_label, set_gold, statements_excluded
from db.engine import transaction
from db.errors import StorageError
from db.queue import QueueFilters
from db.repository import get_or_create_annotator
from tests.test_export import TARGETS, build_corpus


def _judge(session):
    return get_or_create_annotator(session, "judge")


def _export(engine, path, gold_only=False):
    from workbench.export import export

    export(engine, "jsonl", str(path), gold_only=gold_only)
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_verdicts_are_gold_events_checked_per_task(engine):
    ids = build_corpus(engine)
    s0, s1 = ids["statements"][:2]
    t1 = ids["targets"][0]
    with transaction(engine) as session:
        set_gold(session, _judge(session), s0, t1, "stance", "not_about", note="about the summit, not the mission")
        set_gold(session, _judge(session), s1, None, "sentiment", "not_a_statement")
        assert gold_label(session, s0, t1, "stance") == "not_about"
        assert statements_excluded(session) == {s1}
        with pytest.raises(StorageError, match="unknown sentiment label"):
            set_gold(session, _judge(session), s0, None, "sentiment", "not_about")  # sentiment has no target


def test_not_about_is_exported_with_its_verdict_and_kept_out_of_training(engine, tmp_path):
    ids = build_corpus(engine)
    s0, t1 = ids["statements"][0], ids["targets"][0]
    with transaction(engine) as session:
        set_gold(session, _judge(session), s0, t1, "stance", "not_about", note="another subject")
    rows = _export(engine, tmp_path / "all.jsonl")
    row = next(r for r in rows
               if r["task"] == "stance" and r["target"] == TARGETS[0] and r["start"] == rows[0]["start"])
    assert row["gold"] == "not_about" and row["gold_note"] == "another subject" and row["gold_by"] == "judge"
    assert row["not_a_statement"] is False
    gold_rows = _export(engine, tmp_path / "gold.jsonl", gold_only=True)
    assert [(r["task"], r["gold"]) for r in gold_rows if r["task"] == "stance"] == [("stance", "not_about"),
                                                                                   ("stance", "against")]

    from workbench.training import collect_training_set

    before = collect_training_set(engine, "stance")
    assert "not_about" not in before.label_counts()
    assert (s0, t1) not in {(item.statement_id, item.target_id) for item in before.items}
    assert before.counts()["gold"] == 1  # s3 × t2's "against" only


def test_not_a_statement_verdict_leaves_the_statement_out_of_gold_exports(engine, tmp_path):
    ids = build_corpus(engine)
    s3, t2 = ids["statements"][3], ids["targets"][1]
    before = _export(engine, tmp_path / "before.jsonl", gold_only=True)
    assert any(r["gold"] == "against" for r in before)  # s3 × t2 has gold "against"
    with transaction(engine) as session:
        set_gold(session, _judge(session), s3, t2, "stance", "not_a_statement")
    after = _export(engine, tmp_path / "after.jsonl", gold_only=True)
    assert all(r["doc"] != "b.txt" or r["start"] != before[-1]["start"] for r in after)
    assert not any(r["gold"] in ("not_a_statement", "against") and r["doc"] == "b.txt" for r in after)
    plain_rows = _export(engine, tmp_path / "plain.jsonl")
    marked = [r for r in plain_rows if r["doc"] == "b.txt" and r["target"] in (TARGETS[1], None)
              and r["gold"] == "not_a_statement"]
    assert marked and all(r["not_a_statement"] for r in marked)

    from workbench.training import collect_training_set

    assert collect_training_set(engine, "stance").not_a_statement >= 1


def test_verdict_gold_survives_an_export_import_round_trip(engine, tmp_path):
    from db.migrate import upgrade
    from db.engine import make_engine
    from tests.test_import import fresh_corpus
    from workbench.importer import import_jsonl

    ids = build_corpus(engine)
    s0, t1 = ids["statements"][0], ids["targets"][0]
    with transaction(engine) as session:
        set_gold(session, _judge(session), s0, t1, "stance", "not_about", note="n")
    first = tmp_path / "first.jsonl"
    _export(engine, first)
    other = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(other)
    fresh_corpus(other)
    import_jsonl(other, str(first))
    second = tmp_path / "second.jsonl"
    _export(other, second)
    assert second.read_text() == first.read_text()
    other.dispose()


def test_review_queue_holds_every_annotated_item_and_filters_narrow_it(engine):
    _review_queue_and_filters(engine)


@pytest.mark.postgres
def test_review_queue_and_filters_on_postgres(pg_engine):
    _review_queue_and_filters(pg_engine)


def _review_queue_and_filters(engine):
    ids = build_corpus(engine)
    s0, s1, s2, s3, _ = ids["statements"]
    t1, t2 = ids["targets"]
    with transaction(engine) as session:
        every = adjudication_queue(session, "stance", every_item=True, include_adjudicated=True)
        assert [(i.statement_id, i.target_id) for i in every] == [(s0, t1), (s1, t1), (s2, t1), (s3, t2)]
        agreed = next(i for i in every if i.statement_id == s1)
        assert not agreed.disagreement and agreed.majority() == "neutral"
        assert next(i for i in every if i.statement_id == s3).gold_note == "economist is critical"

        def keys(**filters):
            return [(i.statement_id, i.target_id) for i in adjudication_queue(
                session, "stance", every_item=True, include_adjudicated=True, filters=QueueFilters(**filters))]
        assert keys(document="b.*") == [(s3, t2)]
        assert keys(speaker="jane") == [(s0, t1)]
        assert keys(speaker_type="official") == [(s0, t1), (s3, t2)]
        # the model said favor (0.7) on every t1 item and nothing on t2
        assert keys(label="favor") == [(s0, t1), (s1, t1), (s2, t1)]
        assert keys(label="against") == []
        # least sure suggestion: t1 items 0.7 (stance), s3 × t2 only sentiment 0.8
        assert keys(max_confidence=0.75) == [(s0, t1), (s1, t1), (s2, t1)]
        assert keys(max_confidence=0.5) == []
        # adjudicate's queue: disagreements only; the same filters apply
        assert [(i.statement_id, i.target_id) for i in adjudication_queue(
            session, "stance", include_adjudicated=True, filters=QueueFilters(document="a.*"))] == [(s0, t1)]
        sentiment = adjudication_queue(session, "sentiment", every_item=True,
                                       filters=QueueFilters(label="sentiment:neutral"))
        assert sentiment == []  # the model said negative everywhere
        with pytest.raises(StorageError, match="stance label"):
            adjudication_queue(session, "sentiment", every_item=True, filters=QueueFilters(label="favor"))


def test_annotators_not_about_verdict_shows_in_the_queue(engine):
    from db.decisions import NewDecision, record

    ids = build_corpus(engine)
    s0, t1 = ids["statements"][0], ids["targets"][0]
    with transaction(engine) as session:
        ann1 = get_or_create_annotator(session, "ann1")
        record(session, ann1, NewDecision(s0, t1, action="not_about"))
        item = next(i for i in adjudication_queue(session, "stance") if i.statement_id == s0)
        assert {v.annotator: v.label for v in item.views} == {"ann1": "not_about", "ann2": "favor",
                                                              "ann3": "against"}
