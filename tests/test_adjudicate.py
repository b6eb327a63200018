"""Adjudication: the queue query, the event log (set/undo, never UPDATE/DELETE), and the TUI via Pilot."""
from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, select

from db.adjudication import disagreement_queue, gold_label, gold_labels, set_gold, undo_gold
from db.engine import transaction
from db.errors import StorageError
from db.repository import get_or_create_annotator
from db.schema import Adjudication
from tests.test_export import TARGETS, build_corpus


def test_queue_lists_disagreements_with_labels_reasons_and_notes(engine):
    ids = build_corpus(engine)
    s0, s1, s2, s3, _ = ids["statements"]
    with transaction(engine) as session:
        stance = disagreement_queue(session, "stance")
        assert [(i.statement_id, i.target) for i in stance] == [(s0, TARGETS[0])]  # s3 already has gold
        views = {v.annotator: v for v in stance[0].views}
        assert {n: v.label for n, v in views.items()} == {"ann1": "favor", "ann2": "favor", "ann3": "against"}
        assert views["ann3"].reason_codes == ("sarcasm",) and views["ann3"].note == "ironic?"
        with_gold = disagreement_queue(session, "stance", include_adjudicated=True)
        assert {i.statement_id for i in with_gold} == {s0, s3}
        assert next(i for i in with_gold if i.statement_id == s3).gold == "against"
        flagged = disagreement_queue(session, "stance", include_flagged=True)
        flag_item = next(i for i in flagged if i.statement_id == s2)
        assert flag_item.flagged and flag_item.views[0].annotator == "ann3" and flag_item.views[0].flagged
        assert flag_item.views[0].reason_codes == ("needs_context",)
        sentiment = disagreement_queue(session, "sentiment")
        assert [(i.statement_id, i.target_id) for i in sentiment] == [(s0, None)]


def test_gold_is_an_event_log(engine):
    ids = build_corpus(engine)
    s0 = ids["statements"][0]
    t1 = ids["targets"][0]
    statements: list[str] = []

    def spy(conn, cursor, statement, *args):
        statements.append(statement.split()[0].upper())

    event.listen(engine, "before_cursor_execute", spy)
    with transaction(engine) as session:
        judge = get_or_create_annotator(session, "judge")
        set_gold(session, judge, s0, t1, "stance", "favor")
        set_gold(session, judge, s0, t1, "stance", "against")
        assert gold_label(session, s0, t1, "stance") == "against"
        withdrawn = undo_gold(session, judge, s0, t1, "stance")
        assert withdrawn.label == "against"
        assert gold_label(session, s0, t1, "stance") == "favor"  # the earlier choice stands again
        undo_gold(session, judge, s0, t1, "stance")
        assert gold_label(session, s0, t1, "stance") is None
        assert undo_gold(session, judge, s0, t1, "stance") is None
        assert (s0, t1) not in gold_labels(session, "stance")
        with pytest.raises(StorageError, match="unknown stance label"):
            set_gold(session, judge, s0, t1, "stance", "positive")
        with pytest.raises(StorageError, match="needs a target"):
            set_gold(session, judge, s0, None, "stance", "favor")
    event.remove(engine, "before_cursor_execute", spy)
    assert "UPDATE" not in statements and "DELETE" not in statements
    with transaction(engine) as session:
        actions = session.execute(select(Adjudication.action, Adjudication.label)
                                  .where(Adjudication.statement_id == s0).order_by(Adjudication.id)).all()
    assert [tuple(a) for a in actions] == [("set", "favor"), ("set", "against"), ("undo", None), ("undo", None)]


async def _settle(app, pilot):
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


def test_tui_choose_and_undo(engine):
    asyncio.run(_tui_choose_and_undo(engine))


async def _tui_choose_and_undo(engine):
    ids = build_corpus(engine)
    s0, t1 = ids["statements"][0], ids["targets"][0]
    from textual.widgets import DataTable, OptionList, Static

    from workbench.tui.adjudicate_app import AdjudicateApp
    from workbench.tui.adjudicate_backend import AdjudicationBackend

    app = AdjudicateApp(AdjudicationBackend(engine, "judge", "stance"))
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(app, pilot)
        screen = app.adjudicate_screen
        # open item first, then the already adjudicated one
        assert [(i.statement_id, i.gold) for i in screen.items][0] == (s0, None)
        assert app.query_one("#queue", OptionList).option_count == 2
        table = app.query_one("#labels", DataTable)
        assert table.row_count == 3
        rows = [[str(cell) for cell in table.get_row_at(r)] for r in range(3)]  # cells are plain Text
        assert [r[:2] for r in rows] == [["ann1", "favor"], ["ann2", "favor"], ["ann3", "against"]]
        assert rows[2][2] == "sarcasm" and rows[2][3] == "ironic?"
        assert "We support the mission fully" in str(app.query_one("#passage", Static).render())  # the paragraph
        assert "the peacekeeping mission" in str(app.query_one("#about", Static).render())  # the target

        await pilot.press("2")  # against
        await _settle(app, pilot)
        with transaction(engine) as session:
            assert gold_label(session, s0, t1, "stance") == "against"
        assert screen.items[0].gold == "against"

        await pilot.press("k")  # back to the first item
        await _settle(app, pilot)
        assert screen.current.statement_id == s0
        await pilot.press("u")
        await _settle(app, pilot)
        with transaction(engine) as session:
            assert gold_label(session, s0, t1, "stance") is None
            log = session.execute(select(Adjudication.action).where(Adjudication.statement_id == s0)
                                  .order_by(Adjudication.id)).scalars().all()
        assert log == ["set", "undo"]
        assert screen.items[0].gold is None
        assert "not chosen yet" in str(app.query_one("#gold", Static).render())


def test_tui_empty_queue(engine):
    asyncio.run(_tui_empty_queue(engine))


async def _tui_empty_queue(engine):
    from textual.widgets import Static

    from workbench.tui.adjudicate_app import AdjudicateApp
    from workbench.tui.adjudicate_backend import AdjudicationBackend

    app = AdjudicateApp(AdjudicationBackend(engine, "judge", "sentiment"))
    async with app.run_test() as pilot:
        await _settle(app, pilot)
        assert app.adjudicate_screen.items == []
        assert "Nothing to adjudicate" in str(app.query_one("#message", Static).render())
        await pilot.press("1")  # nothing happens, nothing breaks
        await _settle(app, pilot)
