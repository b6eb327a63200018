"""Keys typed ahead and working time in the annotation UI (issue 22 item 14).

A burst of keys while a decision is being saved is kept and run in order (50 Enters save 50
decisions), or refused visibly (bell, status line, notice), never dropped in silence; idle time
counts only up to a pause, in `duration_ms` and in the header's rate. The real app under Pilot,
a real SQLite file; a gate holds saves in flight so that the bursts do not depend on timing.
"""
from __future__ import annotations

import threading

from sqlalchemy import select

from db.engine import transaction
from db.repository import PredictionItem, add_predictions
from db.schema import Decision, Statement, Target
from tests.test_tui_support import FixedClock, fake_factory, seed, settle, sync
from workbench.tui.active_time import IDLE_PAUSE
from workbench.tui.app import AnnotateApp
from workbench.tui.backend import Backend
from workbench.tui.screens.annotate import TYPE_AHEAD_LIMIT
from workbench.tui.screens.dialogs import FlagScreen
from workbench.tui.widgets.header import SessionBar

SIZE = (120, 40)


class GatedBackend(Backend):
    """Saves wait for the gate: a decision stays in flight while the test types."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gate = threading.Event()
        self.gate.set()

    def save(self, decision, **kwargs):
        assert self.gate.wait(timeout=30)
        return super().save(decision, **kwargs)


def corpus(engine, extra_docs: int = 29) -> None:
    """60 items (30 documents × 2 statements, one target), every one pre-labelled in the database."""
    seed(engine, extra_docs=extra_docs)
    with transaction(engine) as session:
        target_id = session.scalar(select(Target.id))
        statements = list(session.scalars(select(Statement).order_by(Statement.id)))
        add_predictions(session, "stance", "fake-stance", "1",
                        [(PredictionItem(s.id, target_id, s.text, None), "favor",
                          {"favor": 0.8, "against": 0.1, "neutral": 0.1}) for s in statements])
        add_predictions(session, "sentiment", "fake-sentiment", "1",
                        [(PredictionItem(s.id, None, s.text, None), "positive",
                          {"positive": 0.8, "negative": 0.1, "neutral": 0.1}) for s in statements])


def make_app(engine, clock=None) -> AnnotateApp:
    backend = GatedBackend(engine, "alice", predictor_factory=fake_factory())
    return AnnotateApp(backend, clock=clock or FixedClock())


def labels(engine) -> list[tuple[int, str]]:
    with transaction(engine) as session:
        return list(session.execute(select(Decision.statement_id, Decision.action).order_by(Decision.id)).all())


def document_order(engine) -> list[int]:
    with transaction(engine) as session:
        return list(session.scalars(select(Statement.id).order_by(Statement.document_id, Statement.start)))


def notices(app) -> list[str]:
    return [n.message for n in app._notifications]


@sync
async def test_fifty_enters_in_one_burst_save_fifty_decisions_in_order(engine):
    corpus(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*["enter"] * 50)
        for _ in range(60):
            await settle(pilot)
            if len(labels(engine)) == 50 and not app.annotate_screen.busy:
                break
        screen = app.annotate_screen
        assert screen.done == 50 and not screen.typed_ahead
    saved = labels(engine)
    assert [sid for sid, _ in saved] == document_order(engine)[:50]
    assert {action for _, action in saved} == {"label"}


@sync
async def test_keys_typed_while_a_save_is_in_flight_wait_and_follow_in_order(engine):
    corpus(engine, extra_docs=2)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.annotate_screen
        screen.backend.gate.clear()
        await pilot.press("enter", "a", "m", "enter", "s", "x", "enter")
        await pilot.pause()
        assert len(screen.typed_ahead) == 6 and labels(engine) == []
        assert "6 key(s) typed ahead follow in order" in str(screen.query_one("#status").content)
        screen.backend.gate.set()
        for _ in range(10):
            await settle(pilot)
    with transaction(engine) as session:
        rows = session.execute(select(Decision.action, Decision.stance, Decision.sentiment).order_by(Decision.id)).all()
    assert [tuple(r) for r in rows] == [("label", "favor", "positive"), ("label", "against", "negative"),
                                        ("skip", None, None), ("label", "neutral", "positive")]


@sync
async def test_past_the_limit_a_key_is_refused_with_a_bell_and_a_message(engine):
    corpus(engine)
    app = make_app(engine)
    bells = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.bell = lambda: bells.append(1)
        screen = app.annotate_screen
        screen.backend.gate.clear()
        await pilot.press(*["enter"] * (TYPE_AHEAD_LIMIT + 4))
        await pilot.pause()
        assert len(screen.typed_ahead) == TYPE_AHEAD_LIMIT and len(bells) == 3
        assert "this one was refused" in str(screen.query_one("#status").content)
        screen.backend.gate.set()
        for _ in range(80):
            await settle(pilot)
            if not screen.typed_ahead and not screen.busy:
                break
        # 60 items: the first Enter and 59 waiting ones found an item; the other 41 did not, and said so
        assert len(labels(engine)) == 60
        assert any("41 key(s) typed ahead were not applied: no item left" in n for n in notices(app))


@sync
async def test_keys_typed_after_a_dialog_key_are_refused_when_the_dialog_opens(engine):
    corpus(engine, extra_docs=2)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.annotate_screen
        screen.backend.gate.clear()
        await pilot.press("enter", "exclamation_mark", "enter", "enter")  # the Enters were not for the dialog
        await pilot.pause()
        screen.backend.gate.set()
        for _ in range(5):
            await settle(pilot)
        assert isinstance(app.screen, FlagScreen)
        assert any("2 key(s) typed ahead were not applied: they were typed before the dialog opened" in n
                   for n in notices(app))
    assert len(labels(engine)) == 1


@sync
async def test_idle_time_counts_up_to_the_pause_in_duration_and_rate(engine):
    corpus(engine, extra_docs=2)
    clock = FixedClock()
    app = make_app(engine, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        clock.now += 32 * 60  # the annotator walks away with the first item on screen
        await pilot.press("a")  # back: the 32 minutes count as the pause
        clock.now += 2
        await pilot.press("enter")
        await settle(pilot)
        clock.now += 3600  # away again, then 30 s on the next item
        await pilot.press("x")
        clock.now += 30
        await pilot.press("enter")
        await settle(pilot)
        bar = str(app.annotate_screen.query_one(SessionBar).content)
    with transaction(engine) as session:
        durations = list(session.scalars(select(Decision.duration_ms).order_by(Decision.id)))
    assert durations == [int((IDLE_PAUSE + 2) * 1000), int((IDLE_PAUSE + 30) * 1000)]
    # two items in 62 + 90 working seconds, not in the 1 h 33 min since launch
    assert f"{2 * 3600 / (IDLE_PAUSE + 2 + IDLE_PAUSE + 30):.0f}/h" in bar


@sync
async def test_keys_waiting_behind_the_help_screen_run_when_it_closes(engine):
    corpus(engine, extra_docs=2)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.annotate_screen
        screen.backend.gate.clear()
        await pilot.press("enter", "enter", "question_mark")  # help opens at once; the second Enter waits
        await pilot.pause()
        screen.backend.gate.set()
        for _ in range(3):
            await settle(pilot)
        assert app.screen is not screen and len(screen.typed_ahead) == 1
        await pilot.press("escape")
        for _ in range(3):
            await settle(pilot)
        assert not screen.typed_ahead
    assert len(labels(engine)) == 2


@sync
async def test_keys_typed_behind_a_failed_save_are_refused_and_q_still_quits(engine):
    from db.errors import StorageError

    corpus(engine, extra_docs=2)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.annotate_screen
        first = screen.current.key
        backend = screen.backend
        backend.gate.clear()
        real_save = Backend.save

        def failing_save(decision, **kwargs):
            assert backend.gate.wait(timeout=30)
            raise StorageError("database is locked")
        backend.save = failing_save
        await pilot.press("enter", "enter", "enter")
        await pilot.pause()
        backend.gate.set()
        for _ in range(3):
            await settle(pilot)
        assert screen.current.key == first and not screen.typed_ahead  # the item stays: nothing was saved
        assert any("2 key(s) typed ahead were not applied: a save failed first" in n for n in notices(app))
        backend.save = lambda decision, **kwargs: real_save(backend, decision, **kwargs)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("q")
        await settle(pilot)
    assert len(labels(engine)) == 1 and app.return_code in (0, None)
