"""The adjudication and review app. The backend (database access) is injected, so tests pass their own.

`workbench adjudicate` opens it on the items annotators disagree on; `workbench review` on every
annotated item. Screen: workbench/tui/screens/adjudicate.py; keys: keymap.ADJUDICATE_ACTIONS.
"""
from __future__ import annotations

from textual.app import App

from workbench.tui.adjudicate_backend import AdjudicationBackend
from workbench.tui.keymap import ADJUDICATE_ACTIONS, effective_keys
from workbench.tui.screens.adjudicate import AdjudicateScreen


class AdjudicateApp(App):
    CSS_PATH = "adjudicate.tcss"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, backend: AdjudicationBackend, *, keymap: dict[str, str] | None = None):
        super().__init__()
        self.backend = backend
        self.user_keymap = dict(keymap or {})
        self.title = f"stance workbench — {'review' if backend.mode == 'review' else 'adjudication'}"

    def get_default_screen(self) -> AdjudicateScreen:
        self.set_keymap(self.user_keymap)
        return AdjudicateScreen(self.backend, effective_keys(self.user_keymap, ADJUDICATE_ACTIONS))

    @property
    def adjudicate_screen(self) -> AdjudicateScreen:
        return self.screen_stack[0]  # type: ignore[return-value]
