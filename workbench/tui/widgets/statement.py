"""The item: document title, the paragraph with the statement highlighted, speaker, target."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.content import Content
from textual.geometry import Region
from textual.containers import VerticalScroll
from textual.widgets import Static

from db.plaintext import clean_text
from db.queue import QueueItem
from workbench.passages import context_window
from workbench.plain import plain


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
        title.update(Text.assemble(("▌ ", "dim"), plain(item.document_title or "(untitled)", "bold"),
                                   plain(f"   {item.document_source}", "dim")))
        a, b = context_window(item.document_text, item.start, item.end, extra)
        # a control character becomes a space (one for one: the span's offsets stay right)
        body = Text(clean_text(item.document_text[a:b], " "), style=self.get_component_rich_style("statement-view--context"))
        body.stylize(self.get_component_rich_style("statement-view--span"), item.start - a, item.end - a)
        passage.update(body)
        self.scroll_home(animate=False)
        # after layout, when the passage's width (and so its wrapping) is known
        self.call_after_refresh(self.scroll_to_span, item.document_text[a:item.start], item.document_text[a:item.end])

    def scroll_to_span(self, before: str, through: str) -> None:
        """Bring the highlighted statement into view, at any terminal size.

        Its rows are found by wrapping the passage up to its first and its last character at the
        passage's width (a word cut at the span's edge may wrap one row later: one row of slack
        is added each side). A statement taller than the pane shows from its first row.
        """
        passage = self.query_one("#passage", Static)
        width = passage.content_region.width
        if width <= 0 or self.scrollable_content_region.height <= 0:
            return
        first = max(0, _rows(before, width) - 1)
        last = _rows(through, width)  # one past the span's last row, as a row of slack
        top = passage.virtual_region.y
        window = self.scrollable_content_region.height
        if last - first + 1 > window:
            self.scroll_to(y=top + max(0, first - 1), animate=False)
        else:
            self.scroll_to_region(Region(0, top + max(0, first - 1), width, last - first + 2), animate=False)


def _rows(text: str, width: int) -> int:
    """How many rows `text` takes wrapped at `width` cells, as the passage wraps it."""
    return len(Content(text).wrap(width)) if text else 0


def _one_line(text: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


class SpeakerLine(Static):
    def show(self, item: QueueItem | None) -> None:
        if item is None:
            self.update("")
            return
        line = Text()
        line.append("Speaker  ", style="dim")
        line.append_text(plain(item.speaker or "(unknown speaker)", "bold"))
        if item.speaker_role:
            line.append_text(plain(f" — {item.speaker_role}"))
        line.append(f"  [{item.speaker_type}]", style="italic")
        detail = f"   {item.kind} quote" + (f", cue “{item.cue}”" if item.cue else "")
        line.append_text(plain(detail, "dim"))
        if item.corrected:  # annotators corrected what the extractor found (db.corrections)
            line.append(f"   corrected: {', '.join(item.corrected)}", style="italic")
        line.append("\nTarget   ", style="dim")
        line.append_text(plain(item.target_text, "bold underline"))
        if item.relatedness is not None:
            line.append(f"   related {item.relatedness:.2f}", style="dim")
        if item.target_description:
            # what the target means, under it; typed by a user: shown as text, line breaks and controls flattened
            line.append("\n         " + _one_line(item.target_description), style="italic")
        if item.skipped_before:
            line.append("   (you skipped this before)", style="italic dim")
        self.update(line)
