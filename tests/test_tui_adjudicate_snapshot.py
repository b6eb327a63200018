"""Snapshot of the adjudication screen at a fixed terminal size: queue, paragraph, suggestion, labels, gold."""
from __future__ import annotations

from tests.test_export import build_corpus
from tests.test_tui_support import settle
from workbench.tui.adjudicate_app import AdjudicateApp
from workbench.tui.adjudicate_backend import AdjudicationBackend


def test_adjudication_screen(engine, snap_compare):
    build_corpus(engine)
    app = AdjudicateApp(AdjudicationBackend(engine, "lead", "stance", mode="review"))
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)
