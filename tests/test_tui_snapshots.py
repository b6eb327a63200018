"""Snapshots of the annotation screen at a fixed terminal size (fake model, fixed clock)."""
from __future__ import annotations

from tests.test_tui_support import FixedClock, fake_factory, seed, settle
from workbench.tui.app import AnnotateApp
from workbench.tui.backend import Backend

SIZE = (120, 40)


def app_for(engine, **kw):
    seed(engine, targets=("the CSTO peacekeeping operation in Kazakhstan", "Askar Umarov's appointment as minister"))
    return AnnotateApp(Backend(engine, "alice", predictor_factory=fake_factory("favor", "neutral"), **kw),
                       clock=FixedClock())


async def _ready(pilot) -> None:
    await settle(pilot)


def test_item_with_suggestions(engine, snap_compare):
    assert snap_compare(app_for(engine), terminal_size=SIZE, run_before=_ready)


def test_corrected_labels(engine, snap_compare):
    async def correct(pilot):
        await settle(pilot)
        await pilot.press("a", "m")
        await pilot.pause()
    assert snap_compare(app_for(engine), terminal_size=SIZE, run_before=correct)


def test_blind_mode(engine, snap_compare):
    assert snap_compare(app_for(engine, blind=True), terminal_size=SIZE, run_before=_ready)


def test_help_screen(engine, snap_compare):
    async def help_(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
    assert snap_compare(app_for(engine), terminal_size=SIZE, run_before=help_)


def test_small_terminal_keeps_the_labels_in_view(engine, snap_compare):
    """80x24 with ±2 paragraphs of context: the passage scrolls, the label panels stay whole."""
    async def context(pilot):
        await settle(pilot)
        await pilot.press("enter")  # the next item carries this statement's sentiment: "◀ yours"
        await settle(pilot)
        await pilot.press("c", "c")
        await pilot.pause()
    assert snap_compare(app_for(engine), terminal_size=(80, 24), run_before=context)
