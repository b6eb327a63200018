"""One panel per task: the three labels, the model's suggestion with its confidence, the choice."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from db.queue import Suggestion

BAR = 12
MIN_BAR = 4
ROW_FIXED = 3 + 4 + 9  # " ● " + "[k] " + label
PROBABILITY = 1 + 5    # " " before the bar + " 100%" after it


class LabelPanel(Static):
    """`keys` maps label → the key that picks it (after the user's keymap)."""

    COMPONENT_CLASSES = {"label-panel--chosen", "label-panel--suggested", "label-panel--key", "label-panel--bar"}

    def __init__(self, task: str, labels: tuple[str, ...], keys: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.task_name, self.labels, self.label_keys = task, labels, keys
        self.border_title = task.capitalize()
        self._shown: tuple | None = None

    def on_resize(self) -> None:
        if self._shown is not None:
            self.show(*self._shown[0], **self._shown[1])

    def _markers(self, label: str, suggestion: Suggestion | None, own: str | None, level: int) -> str:
        """Level 0 says everything; 1 drops "· yours" beside the model's marker; 2 keeps arrows only."""
        model = suggestion is not None and label == suggestion.label
        mine = own is not None and label == own
        if level == 2:
            return " ◀" if model or mine else ""
        if model:
            return "  ◀ model" + (" · yours" if mine and level == 0 else "")
        return "  ◀ yours" if mine else ""

    def _layout(self, suggestion: Suggestion | None, own: str | None) -> tuple[int, int]:
        """Bar length and marker level that keep every label on one row at this panel's width."""
        width = self.content_size.width or 80
        keys = max((len(k) for k in self.label_keys.values()), default=1) - 1
        for level in (0, 1, 2):
            widest = max(len(self._markers(label, suggestion, own, level)) for label in self.labels)
            room = width - ROW_FIXED - keys - PROBABILITY - widest
            if room >= MIN_BAR:
                return min(BAR, room), level
        return MIN_BAR, 2

    def show(self, suggestion: Suggestion | None, chosen: str | None, *, blind: bool, pending: bool,
             own: str | None = None, unavailable: bool = False) -> None:
        self._shown = ((suggestion, chosen), {"blind": blind, "pending": pending, "own": own,
                                              "unavailable": unavailable})
        visible = None if blind else suggestion
        bar, level = self._layout(visible, own)
        text = Text()
        style = self.get_component_rich_style
        for label in self.labels:
            is_chosen = label == chosen
            mark = "●" if is_chosen else "○"
            text.append(f" {mark} ", style=style("label-panel--chosen") if is_chosen else "")
            text.append(f"[{self.label_keys.get(label, '?')}] ", style=style("label-panel--key"))
            text.append(f"{label:<9}", style=style("label-panel--chosen") if is_chosen else "")
            if visible is not None:
                p = visible.probabilities.get(label, 0.0)
                filled = round(p * bar)
                text.append(" " + "█" * filled + "░" * (bar - filled), style=style("label-panel--bar"))
                text.append(f" {p:4.0%}")
            markers = self._markers(label, visible, own, level)
            if markers:
                text.append(markers, style=style("label-panel--suggested") if visible and label == visible.label
                            else "italic")
            text.append("\n")
        if blind:
            footer = "blind: choose a label"
        elif suggestion is not None:
            footer = f"model {suggestion.model}"
        elif unavailable:
            footer = "model unavailable: choose a label"
        elif pending:
            footer = "asking the model…"
        else:
            footer = "no suggestion: choose a label"
        text.append(f" {footer}", style="dim")
        self.update(text)
