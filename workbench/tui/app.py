"""The annotation app. The backend (database + model access) is injected, so tests pass their own."""
from __future__ import annotations

import time
from collections.abc import Callable

from textual import events
from textual.app import App

from workbench.tui.backend import Backend
from workbench.tui.keymap import effective_keys
from workbench.tui.screens.annotate import AnnotateScreen


class AnnotateApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "stance workbench"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, backend: Backend, *, keymap: dict[str, str] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        super().__init__()
        self.backend = backend
        self.user_keymap = dict(keymap or {})
        self.clock = clock

    def get_default_screen(self) -> AnnotateScreen:
        self.set_keymap(self.user_keymap)
        return AnnotateScreen(self.backend, clock=self.clock, keys=effective_keys(self.user_keymap))

    async def on_event(self, event: events.Event) -> None:
        # every key or click, on any screen (a note typed in its dialog is work too), keeps the
        # working-time clock running; an idle gap counts only up to the pause (active_time)
        if isinstance(event, (events.Key, events.MouseDown)) and self.screen_stack:
            self.annotate_screen.activity.touch()
        await super().on_event(event)

    @property
    def annotate_screen(self) -> AnnotateScreen:
        return self.screen_stack[0]  # type: ignore[return-value]
