"""The queue's scope: relatedness gate, keywords, document scope, filters; `workbench queue` prints the same."""
from __future__ import annotations

import json

import numpy as np

import pytest
from click.testing import CliRunner

from db.engine import transaction
from db.errors import StorageError
from db.queue import AnnotationQueue, ItemKey, QueueFilters
from db.repository import (PredictionItem, add_document, add_predictions, add_target, get_or_create_annotator,
                           replace_statements, StatementFields)
from workbench.cli import cli

TEXT = ("Markets\n\n"
        "\"Coffee will cost more next year,\" said Ana Souza, an economist at the Sao Paulo exchange.\n\n"
        "\"Our troops leave Kazakhstan on Thursday,\" said Sergei Shoigu, the defence minister.\n\n"
        "\"The harvest was poor,\" said Joao Lima, a farmer.")
QUOTES = [("\"Coffee will cost more next year,\"", "Ana Souza", "expert"),
          ("\"Our troops leave Kazakhstan on Thursday,\"", "Sergei Shoigu", "official"),
          ("\"The harvest was poor,\"", "Joao Lima", "other")]


def build(engine, docs=("brazil-1.txt", "kazakh-1.txt")) -> dict:
    """Two documents (same quotes, titles differ), two targets; returns ids by name."""
    ids = {}
    with transaction(engine) as session:
        for n, source in enumerate(docs):
            text = TEXT.replace("Markets", f"Markets {n}")
            doc, _ = add_document(session, source, text, title=source)
            replace_statements(session, doc, [StatementFields(text.index(q), text.index(q) + len(q), q, who, None, kind,
                                                              "direct", "said") for q, who, kind in QUOTES], "test")
        ids["coffee"] = add_target(session, "the price of coffee in Brazil", aliases=["harvest"]).id
        ids["csto"] = add_target(session, "the CSTO peacekeeping operation in Kazakhstan").id
        ids["alice"] = get_or_create_annotator(session, "alice").id
    return ids


def score(engine, pairs: dict[tuple[int, int], float], threshold: float = 0.5, version: str = "1") -> None:
    """Store relatedness rows as prelabel does: label by the gate's default threshold."""
    with transaction(engine) as session:
        add_predictions(session, "relatedness", "gate", version, [
            (PredictionItem(s, t, "", ""), "related" if p >= threshold else "unrelated",
             {"related": p, "unrelated": 1 - p}, p) for (s, t), p in pairs.items()])


def drain(engine, ids, targets=None, **filters) -> list[ItemKey]:
    queue = AnnotationQueue(ids["alice"], "alice", targets or [ids["coffee"], ids["csto"]], "document",
                            filters=QueueFilters(**filters))
    with transaction(engine) as session:
        return queue.next_keys(session, 1000)


def test_unrelated_pairs_are_left_out_unless_all_pairs(engine):
    ids = build(engine)
    c, k = ids["coffee"], ids["csto"]
    every = drain(engine, ids)
    assert len(every) == 12  # nothing scored yet: nothing hidden
    # statements 1-3 in doc 1, 4-6 in doc 2: coffee is related to the coffee quote only, CSTO to the troops one
    scores = {(s, t): 0.05 for s in range(1, 7) for t in (c, k)}
    scores.update({(1, c): 0.9, (4, c): 0.9, (2, k): 0.8, (5, k): 0.8})
    scores[(3, c)] = scores[(6, c)] = 1.0  # the keyword "harvest" occurs: prelabel stores 1.0
    score(engine, scores)
    assert drain(engine, ids) == [ItemKey(1, c), ItemKey(2, k), ItemKey(3, c), ItemKey(4, c), ItemKey(5, k),
                                  ItemKey(6, c)]
    assert len(drain(engine, ids, all_pairs=True)) == 12
    # a newer score (another gate version) decides, not the older one
    score(engine, {(2, k): 0.1}, version="2")
    assert ItemKey(2, k) not in drain(engine, ids)


def test_the_targets_threshold_overrides_the_gates_verdict(engine):
    ids = build(engine)
    k = ids["csto"]
    score(engine, {(s, k): 0.3 for s in range(1, 7)})  # 'unrelated' by the gate's default of 0.5
    assert drain(engine, ids, targets=[k]) == []
    with transaction(engine) as session:
        target = add_target(session, "the CSTO, leniently", threshold=0.25)
    score(engine, {(s, target.id): 0.3 for s in range(1, 7)})
    assert len(drain(engine, ids, targets=[target.id])) == 6


def test_a_target_scoped_to_documents_is_queued_in_those_only(engine):
    ids = build(engine)
    with transaction(engine) as session:
        scoped = add_target(session, "the Kazakh withdrawal", documents="kazakh-*").id
    got = drain(engine, ids, targets=[ids["coffee"], scoped])
    assert {k.statement_id for k in got if k.target_id == scoped} == {4, 5, 6}
    assert {k.statement_id for k in got if k.target_id == ids["coffee"]} == {1, 2, 3, 4, 5, 6}


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_filters_on_document_speaker_type_label_and_confidence(backend, engine, request):
    eng = engine if backend == "sqlite" else request.getfixturevalue("pg_engine")
    ids = build(eng, docs=("brazil-1.txt", "kazakh_1.txt"))
    k = ids["csto"]
    assert {x.statement_id for x in drain(eng, ids, targets=[k], document="kazakh_*")} == {4, 5, 6}
    assert drain(eng, ids, targets=[k], document="kazakh%") == []  # a glob, not a LIKE pattern
    assert {x.statement_id for x in drain(eng, ids, targets=[k], speaker="shoigu")} == {2, 5}
    assert drain(eng, ids, targets=[k], speaker="_") == []  # LIKE wildcards are literal
    assert {x.statement_id for x in drain(eng, ids, targets=[k], speaker_type="expert")} == {1, 4}
    with transaction(eng) as session:
        add_predictions(session, "stance", "m", "1", [
            (PredictionItem(s, k, "", ""), "against" if s in (2, 5) else "neutral",
             {"favor": 0.1, "against": 0.6, "neutral": 0.3} if s in (2, 5) else {"favor": 0.05, "against": 0.05,
                                                                                 "neutral": 0.9})
            for s in range(1, 7)])
        add_predictions(session, "sentiment", "m", "1", [
            (PredictionItem(s, None, "", None), "negative", {"positive": 0.1, "negative": 0.8, "neutral": 0.1})
            for s in range(1, 7)])
    assert {x.statement_id for x in drain(eng, ids, targets=[k], label="against")} == {2, 5}
    assert {x.statement_id for x in drain(eng, ids, targets=[k], label="sentiment:negative")} == {1, 2, 3, 4, 5, 6}
    assert drain(eng, ids, targets=[k], label="positive") == []
    # the less sure suggestion: stance 0.6 on 2 and 5, else min(0.9, 0.8) = 0.8
    assert {x.statement_id for x in drain(eng, ids, targets=[k], max_confidence=0.7)} == {2, 5}
    assert len(drain(eng, ids, targets=[k], max_confidence=0.85)) == 6


def test_filters_are_checked():
    for bad in (dict(speaker_type="boss"), dict(label="maybe"), dict(label="stance:positive"),
                dict(max_confidence=1.5), dict(speaker=" ")):
        with pytest.raises(StorageError):
            QueueFilters(**bad)
    with pytest.raises(StorageError, match="blind"):
        AnnotationQueue(1, "a", [1], blind=True, filters=QueueFilters(label="favor"))


def test_max_confidence_pages_across_many_dropped_rows(engine):
    """A filter checked in Python reads on until it has a page: nothing is skipped between pages."""
    ids = build(engine, docs=tuple(f"d{n:02}.txt" for n in range(30)))
    k = ids["csto"]
    sure = {"favor": 0.98, "against": 0.01, "neutral": 0.01}
    unsure = {"favor": 0.4, "against": 0.3, "neutral": 0.3}
    with transaction(engine) as session:
        add_predictions(session, "stance", "m", "1", [
            (PredictionItem(s, k, "", ""), "favor", unsure if s % 7 == 0 else sure) for s in range(1, 91)])
    queue = AnnotationQueue(ids["alice"], "alice", [k], filters=QueueFilters(max_confidence=0.5))
    pages = []
    with transaction(engine) as session:
        for _ in range(10):
            pages += queue.next_keys(session, 2)
    assert [x.statement_id for x in pages] == [s for s in range(1, 91) if s % 7 == 0]


def test_jump_continues_after_the_found_item_then_wraps_to_the_head(engine):
    ids = build(engine)
    k = ids["csto"]
    queue = AnnotationQueue(ids["alice"], "alice", [k])
    with transaction(engine) as session:
        assert queue.next_keys(session, 2) == [ItemKey(1, k), ItemKey(2, k)]
        queue.jump_to(ItemKey(4, k), *_where(session, 4))
        rest = queue.next_keys(session, 10, exclude=[ItemKey(4, k)])
    # after the found item (4): 5, 6; then back to the head for what is still open (1, 2 were only buffered)
    assert rest == [ItemKey(5, k), ItemKey(6, k), ItemKey(1, k), ItemKey(2, k), ItemKey(3, k)]


def _where(session, statement_id):
    from db.schema import Statement
    s = session.get(Statement, statement_id)
    return s.document_id, s.start, s.end


def test_queue_command_prints_what_the_ui_queue_holds(engine):
    ids = build(engine)
    c, k = ids["coffee"], ids["csto"]
    score(engine, {(s, t): (0.9 if (s + t) % 2 else 0.1) for s in range(1, 7) for t in (c, k)})
    out = CliRunner().invoke(cli, ["queue", "--annotator", "alice", "--json", "--db", str(engine.url)])
    assert out.exit_code == 0, out.output
    rows = [json.loads(line) for line in out.output.splitlines()]
    assert {"doc", "start", "end", "target", "relatedness", "stance", "sentiment"} <= set(rows[0])
    assert all(r["relatedness"] == 0.9 for r in rows) and len(rows) == 6
    from workbench.tui.backend import Backend
    backend = Backend(engine, "alice")
    backend.start()
    items, _ = backend.fetch(100)
    assert [(r["doc"], r["start"], r["end"], r["target"]) for r in rows] == [
        (i.document_source, i.start, i.end, i.target_text) for i in items]
    limited = CliRunner().invoke(cli, ["queue", "--annotator", "nobody-yet", "--limit", "2", "--json",
                                       "--target", "the price of coffee in Brazil", "--speaker-type", "official",
                                       "--all-pairs", "--db", str(engine.url)])
    assert [json.loads(line)["start"] for line in limited.output.splitlines()] == [TEXT.replace("Markets", "Markets 0").index('"Our')] * 2
    bad = CliRunner().invoke(cli, ["queue", "--annotator", "alice", "--label", "maybe", "--db", str(engine.url)])
    assert bad.exit_code == 1 and bad.output.startswith("error: unknown label")


def test_search_jump_labels_the_found_item_then_continues_after_it(engine):
    from tests.test_tui_support import FixedClock, fake_factory, settle, sync
    from workbench.tui.app import AnnotateApp
    from workbench.tui.backend import Backend

    ids = build(engine, docs=tuple(f"d{n}.txt" for n in range(4)))
    k = ids["csto"]

    @sync
    async def scenario():
        app = AnnotateApp(Backend(engine, "alice", target=str(k), predictor_factory=fake_factory()),
                          clock=FixedClock())
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = app.annotate_screen
            assert screen.current.key == ItemKey(1, k)
            await pilot.press("slash")
            await pilot.press(*"d2.txt", "enter")  # the third document's title
            await settle(pilot)
            await pilot.press("enter")  # open the first match: statement 7
            await settle(pilot)
            assert screen.current.key == ItemKey(7, k)
            seen = []
            for _ in range(7):
                await pilot.press("enter")  # accept the suggestions
                await settle(pilot)
                seen.append(screen.current.key.statement_id if screen.current else None)
            return seen
    # after 7: 8, 9 (its document), 10-12 (the next), then the head: 1 (skipped over, not lost), 2
    assert scenario() == [8, 9, 10, 11, 12, 1, 2]


class FakeGate:
    name, version, threshold = "fake-gate", "1", 0.5

    def __init__(self):
        self.contexts = []

    def score(self, statements, targets, contexts):
        self.contexts += contexts
        return np.array([0.2] * len(statements))


def test_prelabel_stores_relatedness_with_keywords_in_the_paragraph_scoring_one(engine):
    from sqlalchemy import select

    from db.schema import Prediction
    from workbench.prelabel import prelabel_relatedness

    ids = build(engine, docs=("a.txt",))
    with transaction(engine) as session:  # the keyword is in the paragraph, not in the quote itself
        kz = add_target(session, "the withdrawal", aliases=["defence minister"]).id
    gate = FakeGate()
    assert prelabel_relatedness(engine, gate) == 9 and prelabel_relatedness(engine, gate) == 0  # once per version
    assert any("the defence minister" in c for c in gate.contexts)  # the paragraph, not the quote alone
    with transaction(engine) as session:
        rows = {(p.statement_id, p.target_id): p for p in session.scalars(
            select(Prediction).where(Prediction.task == "relatedness"))}
    assert (rows[(2, kz)].score, rows[(2, kz)].label) == (1.0, "related")
    assert rows[(2, kz)].probabilities == {"related": 0.2, "unrelated": 0.8}  # the model's own, kept
    assert (rows[(1, kz)].score, rows[(1, kz)].label) == (0.2, "unrelated")
    assert (rows[(3, ids["coffee"])].score, rows[(3, ids["coffee"])].model_name) == (1.0, "fake-gate")  # "harvest"
    assert [k.statement_id for k in drain(engine, ids, targets=[kz])] == [2]


def test_not_about_this_target_is_one_key_a_verdict_in_the_log_done_undoable_and_out_of_agreement(engine):
    from sqlalchemy import select

    from db.decisions import NewDecision, record
    from db.schema import Annotator, Decision
    from tests.test_tui_support import FixedClock, fake_factory, settle, sync
    from workbench.agreement.data import load_task
    from workbench.tui.app import AnnotateApp
    from workbench.tui.backend import Backend

    ids = build(engine, docs=("a.txt",))
    k = ids["csto"]

    @sync
    async def scenario():
        app = AnnotateApp(Backend(engine, "alice", target=str(k), predictor_factory=fake_factory()),
                          clock=FixedClock())
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            screen = app.annotate_screen
            await pilot.press("r")  # statement 1 (coffee) is not about the CSTO
            await settle(pilot)
            after_r = screen.current.key, screen.done
            await pilot.press("u")
            await settle(pilot)
            after_u = screen.current.key, screen.done
            await pilot.press("r")
            await settle(pilot)
            return after_r, after_u
    after_r, after_u = scenario()
    assert after_r == (ItemKey(2, k), 1) and after_u == (ItemKey(1, k), 0)
    with transaction(engine) as session:
        log = [(d.action, d.statement_id, d.stance) for d in session.scalars(select(Decision).order_by(Decision.id))]
        assert log == [("not_about", 1, None), ("undo", 1, None), ("not_about", 1, None)]
        assert load_task(session, "stance").items == []  # agreement: excluded, not a stance category
    assert ItemKey(1, k) not in drain(engine, ids, targets=[k])  # done: it does not come back
    with transaction(engine) as session, pytest.raises(StorageError, match="no stance"):
        record(session, session.get(Annotator, ids["alice"]), NewDecision(1, k, action="not_about", stance="neutral"))


def test_adjudication_queue_takes_the_statement_filters(engine):
    from db.adjudication import disagreement_queue
    from db.decisions import NewDecision, record
    from db.schema import Annotator

    ids = build(engine, docs=("brazil-1.txt", "kazakh-1.txt"))
    k = ids["csto"]
    with transaction(engine) as session:
        bob = get_or_create_annotator(session, "bob")
        alice = session.get(Annotator, ids["alice"])
        for s in range(1, 7):  # alice and bob disagree on every statement
            record(session, alice, NewDecision(s, k, stance="favor", sentiment="neutral"))
            record(session, bob, NewDecision(s, k, stance="against", sentiment="neutral"))
    with transaction(engine) as session:
        def queued(**f):
            return [i.statement_id for i in disagreement_queue(session, "stance", filters=QueueFilters(**f))]
        assert queued() == [1, 2, 3, 4, 5, 6]
        assert queued(document="kazakh-*") == [4, 5, 6]
        assert queued(speaker="SOUZA") == [1, 4]
        assert queued(speaker_type="official", document="brazil-*") == [2]
