"""Pilot tests: key sequences in the annotation app, checked against the decision log."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from db.engine import transaction
from db.schema import Decision, Prediction
from tests.test_tui_support import TARGETS, FixedClock, fake_factory, seed, settle, sync
from workbench.tui.app import AnnotateApp
from workbench.tui.backend import Backend

SIZE = (120, 40)


def make_app(engine, annotator="alice", blind=False, factory=None, **kw):
    backend = Backend(engine, annotator, blind=blind,
                      predictor_factory=factory if factory is not None else fake_factory(), **kw)
    return AnnotateApp(backend, clock=FixedClock())


def decisions(engine):
    with transaction(engine) as session:
        return list(session.scalars(select(Decision).order_by(Decision.id)))


def current(app):
    return app.annotate_screen.current


@sync
async def test_accept_records_suggestions_and_moves_on(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        assert current(app).stance is not None  # the worker asked the fake model
        await pilot.press("enter")
        await settle(pilot)
        assert current(app).key != first
    [d] = decisions(engine)
    assert (d.statement_id, d.target_id) == first
    assert (d.action, d.stance, d.sentiment, d.accepted_as_is, d.suggestions_shown) == (
        "label", "favor", "positive", True, True)
    assert d.stance_prediction_id is not None and d.sentiment_prediction_id is not None
    assert d.order_mode == "document" and d.duration_ms == 0


@sync
async def test_correct_then_save(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("a", "m", "enter")
        await settle(pilot)
    [d] = decisions(engine)
    assert (d.stance, d.sentiment, d.accepted_as_is) == ("against", "negative", False)


@sync
async def test_undo_brings_item_back(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert current(app).key == first
        assert app.annotate_screen.done == 0
    log = decisions(engine)
    assert [d.action for d in log] == ["label", "undo"] and log[1].supersedes_id == log[0].id


@sync
async def test_undo_after_restart(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q")
    app2 = make_app(engine)
    async with app2.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current(app2).key != first
        await pilot.press("u")
        await settle(pilot)
        assert current(app2).key == first
    assert [d.action for d in decisions(engine)] == ["label", "undo"]


@sync
async def test_undo_withdraws_the_sentiment_carried_to_other_targets(engine):
    seed(engine, targets=TARGETS)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        await pilot.press("a", "m", "enter")   # negative, carried to the statement's other target
        await settle(pilot)
        assert current(app).key.statement_id == first.statement_id
        assert app.annotate_screen.effective() == ("favor", "negative")
        assert "◀ yours" in str(app.screen.query_one("#sentiment").render())
        await pilot.press("u")                 # the label is withdrawn: so is what it carried
        await settle(pilot)
        assert current(app).key == first
        await pilot.press("s")
        await settle(pilot)
        assert current(app).key.statement_id == first.statement_id
        assert app.annotate_screen.effective() == ("favor", "positive")  # the model's, not the withdrawn one
        await pilot.press("enter")
        await settle(pilot)
    label = decisions(engine)[-1]
    assert (label.action, label.sentiment, label.accepted_as_is) == ("label", "positive", True)


@sync
async def test_blind_item_gets_no_carried_sentiment(engine):
    seed(engine, targets=TARGETS)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        # the statement's second target falls in the blind slice
        app.annotate_screen.backend.hides_suggestions = lambda key: key.target_id != first.target_id
        await pilot.press("enter")  # positive, chosen with the model's suggestion in view
        await settle(pilot)
        assert current(app).key.statement_id == first.statement_id and app.annotate_screen.hidden()
        assert app.annotate_screen.effective() == (None, None)
        assert "yours" not in str(app.screen.query_one("#sentiment").render())
        await pilot.press("x", "o", "enter")
        await settle(pilot)
    blind = decisions(engine)[-1]
    assert (blind.stance, blind.sentiment, blind.suggestions_shown) == ("neutral", "neutral", False)


@sync
async def test_escape_keeps_the_note(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", *"speaker unclear", "enter", "a", "escape", "enter")
        await settle(pilot)
    [d] = decisions(engine)
    assert (d.stance, d.note, d.accepted_as_is) == ("favor", "speaker unclear", True)


@sync
async def test_skip_comes_back_at_the_end(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        await pilot.press("s")
        await settle(pilot)
        second = current(app).key
        assert second != first
        await pilot.press("enter")
        await settle(pilot)
        assert current(app).key == first and current(app).skipped_before
    assert [d.action for d in decisions(engine)] == ["skip", "label"]


@sync
async def test_flag_with_reasons_and_note(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n", *"irony?", "enter")
        await pilot.press("exclamation_mark", "1", "4", "enter")
        await settle(pilot)
    [d] = decisions(engine)
    assert (d.action, d.reason_codes, d.note) == ("flag", ["sarcasm", "needs_context"], "irony?")


@sync
async def test_blind_hides_and_never_reads_predictions(engine):
    seed(engine)
    factory_calls = []

    def factory():
        factory_calls.append(1)
        return fake_factory()()
    # alice's (non-blind) session leaves predictions in the database
    app = make_app(engine, factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    app = make_app(engine, annotator="bob", blind=True, factory=factory)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        item = current(app)
        assert item.stance is None and item.sentiment is None
        footer = " ".join(str(key.render()) for key in app.screen.query("FooterKey"))
        assert "skip" in footer and "train" not in footer  # no training in a blind session
        text = str(app.screen.query_one("#stance").render())
        assert "model" not in text and "%" not in text
        await pilot.press("enter")  # nothing chosen: nothing saved
        await settle(pilot)
        await pilot.press("x", "o", "enter")
        await settle(pilot)
    assert len(factory_calls) == 1  # only alice's session loaded a model
    [d] = [d for d in decisions(engine)]
    assert (d.stance, d.sentiment, d.suggestions_shown, d.accepted_as_is) == ("neutral", "neutral", False, None)
    assert d.stance_prediction_id is None and d.sentiment_prediction_id is None


@sync
async def test_annotators_do_not_see_each_other(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        await pilot.press("a", "m", "enter")
        await settle(pilot)
    app = make_app(engine, annotator="bob")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        item = current(app)
        assert item.key == first            # alice's label does not remove it from bob's queue
        assert item.own_sentiment is None   # and her sentiment is not pre-selected
        assert app.annotate_screen.done == 0
        assert app.annotate_screen.effective() == ("favor", "positive")


@sync
async def test_empty_queue_and_empty_database(engine):
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "no statements" in str(app.screen.query_one("#message").render())
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(2):
            await pilot.press("enter")
            await settle(pilot)
        assert current(app) is None
        assert "All done" in str(app.screen.query_one("#message").render())


@sync
async def test_no_targets_and_wrong_revision(engine, tmp_path):
    from db.engine import make_engine

    with transaction(engine) as session:
        from db.repository import add_document
        add_document(session, "a.txt", "text")
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "no stance targets" in str(app.screen.query_one("#message").render())
    bare = make_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    app = make_app(bare)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "not initialised" in str(app.screen.query_one("#message").render())


@sync
async def test_model_failure_is_a_message_not_a_crash(engine):
    seed(engine)

    def broken():
        raise RuntimeError("weights missing")
    app = make_app(engine, factory=broken)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "weights missing" in str(app.screen.query_one("#status").render())
        await pilot.press("f", "p", "enter")
        await settle(pilot)
    [d] = decisions(engine)
    assert (d.stance, d.suggestions_shown, d.accepted_as_is) == ("favor", False, None)
    with transaction(engine) as session:
        assert session.scalar(select(Prediction.id)) is None
