"""The span editor: grow or shrink a statement's span a word at a time at either end, or take a whole
sentence, seen live in the passage. Fixes a statement's span, or selects a statement the extractor
missed (the context view with a keyboard selection). Returns (start, end) or None."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from db.plaintext import clean_text
from workbench import spans
from workbench.passages import context_window
from workbench.tui.keymap import SPAN_ACTIONS, effective_keys

_PRETTY = {"left": "←", "right": "→", "shift+left": "⇧←", "shift+right": "⇧→", "up": "↑", "down": "↓",
           "enter": "Enter", "escape": "Esc"}


class SpanPassage(Static):
    """The passage around the span, the span highlighted (re-drawn on every move)."""

    COMPONENT_CLASSES = {"span-passage--span", "span-passage--context"}

    def show(self, text: str, start: int, end: int) -> None:
        a, b = context_window(text, start, end, 0)  # the span's paragraph(s): the span stays in view
        a, b = min(a, start), max(b, end)
        body = Text(clean_text(text[a:b], " "), style=self.get_component_rich_style("span-passage--context"))
        body.stylize(self.get_component_rich_style("span-passage--span"), start - a, end - a)
        self.update(body)


class SpanEditorScreen(ModalScreen[tuple[int, int] | None]):
    BINDINGS = [Binding(a.key, a.action, a.description, show=False, id=a.id, priority=a.id == "span.save")
                for a in SPAN_ACTIONS]

    def __init__(self, document_text: str, start: int, end: int, title: str, keymap: dict[str, str] | None = None):
        super().__init__()
        self.text, self.start, self.end, self.title = document_text, start, end, title
        self.original = (start, end)
        self.keys = effective_keys(keymap or {}, SPAN_ACTIONS)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="span-editor"):
            yield Label(self.title, classes="dialog-title")
            with VerticalScroll(id="span-scroll"):
                yield SpanPassage(id="span-passage")
            yield Static(id="span-selected")
            yield Static(self._hint(), classes="dialog-hint")

    def _hint(self) -> str:
        def k(binding_id: str) -> str:
            return "/".join(_PRETTY.get(key, key) for key in self.keys[binding_id])
        return (f"start {k('span.start_earlier')} {k('span.start_later')} · end {k('span.end_earlier')} "
                f"{k('span.end_later')} · {k('span.sentence')} sentence · {k('span.previous_sentence')} "
                f"{k('span.next_sentence')} sentence before/after · {k('span.save')} save · "
                f"{k('span.cancel')} cancel")

    def on_mount(self) -> None:
        self._render_span()

    def _render_span(self) -> None:
        self.query_one(SpanPassage).show(self.text, self.start, self.end)
        words = len(self.text[self.start:self.end].split())
        changed = "" if (self.start, self.end) == self.original else "   (changed)"
        self.query_one("#span-selected", Static).update(
            Text(f"{self.start}:{self.end} · {words} word(s){changed}", style="dim"))

    def _move(self, span: tuple[int, int] | None) -> None:
        if span is None or span[1] <= span[0]:
            self.app.bell()
            return
        self.start, self.end = span
        self._render_span()

    def action_start_earlier(self) -> None:
        self._move(spans.start_earlier(self.text, self.start, self.end))

    def action_start_later(self) -> None:
        self._move(spans.start_later(self.text, self.start, self.end))

    def action_end_earlier(self) -> None:
        self._move(spans.end_earlier(self.text, self.start, self.end))

    def action_end_later(self) -> None:
        self._move(spans.end_later(self.text, self.start, self.end))

    def action_sentence(self) -> None:
        self._move(spans.sentence_at(self.text, self.start))

    def action_next_sentence(self) -> None:
        self._move(spans.next_sentence(self.text, self.end))

    def action_previous_sentence(self) -> None:
        self._move(spans.previous_sentence(self.text, self.start))

    def action_save(self) -> None:
        self.dismiss((self.start, self.end))

    def action_cancel(self) -> None:
        self.dismiss(None)
