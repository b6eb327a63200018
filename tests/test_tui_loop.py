"""Model in the loop from the annotation screen: the blind slice and training with `t`."""
from __future__ import annotations

import threading

from sqlalchemy import select

from db.engine import transaction
from db.queue import ItemKey
from db.schema import Decision
from tests.test_tui_support import FixedClock, fake_factory, seed, settle, sync
from workbench.tui.app import AnnotateApp
from workbench.tui.backend import Backend

SIZE = (120, 40)


def test_blind_slice_is_a_stable_fraction_per_annotator(engine):
    keys = [ItemKey(s, t) for s in range(1, 2001) for t in (1, 2)]
    alice = Backend(engine, "alice", blind_fraction=0.1)
    hidden = [k for k in keys if alice.hides_suggestions(k)]
    assert 0.08 < len(hidden) / len(keys) < 0.12
    again = Backend(engine, "alice", blind_fraction=0.1)  # a restart: the same items stay blind
    assert hidden == [k for k in keys if again.hides_suggestions(k)]
    bob = [k for k in keys if Backend(engine, "bob", blind_fraction=0.1).hides_suggestions(k)]
    assert hidden != bob  # another annotator gets another slice
    assert not any(Backend(engine, "alice", blind_fraction=0.0).hides_suggestions(k) for k in keys)
    assert all(Backend(engine, "alice", blind=True).hides_suggestions(k) for k in keys[:50])


@sync
async def test_blind_slice_items_hide_suggestions_and_are_recorded_as_blind(engine):
    seed(engine, extra_docs=3)  # 8 items
    backend = Backend(engine, "alice", predictor_factory=fake_factory(), blind_fraction=0.5)
    app = AnnotateApp(backend, clock=FixedClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(8):
            screen = app.annotate_screen
            if screen.current is None:
                break
            if backend.hides_suggestions(screen.current.key):
                assert "blind" in str(screen.query_one("#stance").render())
                await pilot.press("x", "o", "enter")  # nothing pre-selected: labels by hand
            else:
                await pilot.press("enter")
            await settle(pilot)
    with transaction(engine) as session:
        rows = list(session.scalars(select(Decision).order_by(Decision.id)))
    assert len(rows) == 8
    blind = [d for d in rows if backend.hides_suggestions(ItemKey(d.statement_id, d.target_id))]
    shown = [d for d in rows if d not in blind]
    assert blind and shown
    assert all(not d.suggestions_shown and d.stance_prediction_id is None and d.accepted_as_is is None
               for d in blind)
    assert all(d.suggestions_shown and d.accepted_as_is and d.stance == "favor" for d in shown)


@sync
async def test_t_trains_in_a_worker_while_annotation_goes_on(engine):
    seed(engine, extra_docs=1)
    release = threading.Event()
    calls = []

    def trainer(task, target, progress):
        calls.append((task, target))
        progress(1, 2, "epoch 1")
        release.wait(timeout=10)  # a slow training run: the screen must keep working meanwhile
        return {"version": f"{task}-v2"}

    backend = Backend(engine, "alice", predictor_factory=fake_factory(), trainer=trainer)
    app = AnnotateApp(backend, clock=FixedClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, rounds=1)
        for _ in range(50):  # on a loaded machine the first item can land after the first settle
            if app.annotate_screen.current is not None:
                break
            await pilot.pause()
        await pilot.press("t")
        await pilot.pause()
        first = app.annotate_screen.current.key
        await pilot.press("enter")  # annotating while the model trains
        for _ in range(20):
            await pilot.pause()
            if app.annotate_screen.current and app.annotate_screen.current.key != first:
                break
        assert app.annotate_screen.current.key != first
        assert app.annotate_screen.training
        release.set()
        await settle(pilot)
        status = str(app.annotate_screen.query_one("#status").render())
        assert "training finished" in status and "stance: new version stance-v2" in status
        [notice] = [n for n in app._notifications if n.title == "training finished"]
        assert "sentiment: new version sentiment-v2" in notice.message and "workbench prelabel" in notice.message
        assert not app.annotate_screen.training
    assert calls == [("stance", "the CSTO peacekeeping operation in Kazakhstan"), ("sentiment", None)]
    with transaction(engine) as session:
        assert len(list(session.scalars(select(Decision)))) == 1


@sync
async def test_t_with_too_few_decisions_says_why_plainly(engine):
    from workbench.errors import WorkbenchError

    seed(engine)

    def trainer(task, target, progress):
        raise WorkbenchError(f"too few {task} examples: 1 usable; fine-tuning needs at least 10 (9 more)")

    app = AnnotateApp(Backend(engine, "alice", predictor_factory=fake_factory(), trainer=trainer), clock=FixedClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        [notice] = [n for n in app._notifications if n.title == "training finished"]
        assert notice.message.splitlines() == [
            "stance: not trained, too few stance examples: 1 usable; fine-tuning needs at least 10 (9 more)",
            "sentiment: not trained, too few sentiment examples: 1 usable; fine-tuning needs at least 10 (9 more)"]
        assert notice.severity == "warning"  # and no word of new versions
        assert not app.annotate_screen.training
