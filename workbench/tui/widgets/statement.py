"""The item: document title, the paragraph with the statement highlighted, speaker, target."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from db.queue import QueueItem
from workbench.passages import context_window


class StatementView(VerticalScroll):
    """Slices the stored document text with the statement's offsets; nothing is re-typed."""

    COMPONENT_CLASSES = {"statement-view--span", "statement-view--context"}
    can_focus = False

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.item: QueueItem | None = None
        self.extra = 0

    def compose(self) -> ComposeResult:
        yield Static(id="document-title")
        yield Static(id="passage")

    def show(self, item: QueueItem | None, extra: int = 0) -> None:
        self.item, self.extra = item, extra
        title = self.query_one("#document-title", Static)
        passage = self.query_one("#passage", Static)
        if item is None:
            title.update("")
            passage.update("")
            return
        title.update(Text.assemble(("▌ ", "dim"), (item.document_title or "(untitled)", "bold"),
                                   (f"   {item.document_source}", "dim")))
        a, b = context_window(item.document_text, item.start, item.end, extra)
        body = Text(item.document_text[a:b], style=self.get_component_rich_style("statement-view--context"))
        body.stylize(self.get_component_rich_style("statement-view--span"), item.start - a, item.end - a)
        passage.update(body)
        self.scroll_home(animate=False)
        if extra:
            self.call_after_refresh(self._scroll_to_span, item.start - a, b - a)

    def _scroll_to_span(self, offset: int, length: int) -> None:
        if length:
            self.scroll_to(y=max(0, int(self.virtual_size.height * offset / length) - 3), animate=False)


def _one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class SpeakerLine(Static):
    def show(self, item: QueueItem | None) -> None:
        if item is None:
            self.update("")
            return
        line = Text()
        line.append("Speaker  ", style="dim")
        line.append(item.speaker or "(unknown speaker)", style="bold")
        if item.speaker_role:
            line.append(f" — {item.speaker_role}")
        line.append(f"  [{item.speaker_type}]", style="italic")
        detail = f"   {item.kind} quote" + (f", cue “{item.cue}”" if item.cue else "")
        line.append(detail, style="dim")
        line.append("\nTarget   ", style="dim")
        line.append(item.target_text, style="bold underline")
        if item.relatedness is not None:
            line.append(f"   related {item.relatedness:.2f}", style="dim")
        if item.target_description:
            # what the target means, under it; typed by a user: shown as text, line breaks and controls flattened
            line.append("\n         " + _one_line(item.target_description), style="italic")
        if item.skipped_before:
            line.append("   (you skipped this before)", style="italic dim")
        self.update(line)
