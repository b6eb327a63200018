"""One panel per task: the three labels, the model's suggestion with its confidence, the choice."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from db.queue import Suggestion

BAR = 12


class LabelPanel(Static):
    """`keys` maps label → the key that picks it (after the user's keymap)."""

    COMPONENT_CLASSES = {"label-panel--chosen", "label-panel--suggested", "label-panel--key", "label-panel--bar"}

    def __init__(self, task: str, labels: tuple[str, ...], keys: dict[str, str], **kwargs):
        super().__init__(**kwargs)
        self.task_name, self.labels, self.label_keys = task, labels, keys
        self.border_title = task.capitalize()

    def show(self, suggestion: Suggestion | None, chosen: str | None, *, blind: bool, pending: bool,
             own: str | None = None, unavailable: bool = False) -> None:
        text = Text()
        style = self.get_component_rich_style
        for label in self.labels:
            is_chosen = label == chosen
            mark = "●" if is_chosen else "○"
            text.append(f" {mark} ", style=style("label-panel--chosen") if is_chosen else "")
            text.append(f"[{self.label_keys.get(label, '?')}] ", style=style("label-panel--key"))
            text.append(f"{label:<9}", style=style("label-panel--chosen") if is_chosen else "")
            if suggestion is not None and not blind:
                p = suggestion.probabilities.get(label, 0.0)
                filled = round(p * BAR)
                text.append(" " + "█" * filled + "░" * (BAR - filled), style=style("label-panel--bar"))
                text.append(f" {p:4.0%}")
                if label == suggestion.label:
                    text.append("  ◀ model", style=style("label-panel--suggested"))
            if own is not None and label == own:
                # short when it shares the line with the model's marker, so the panel never wraps
                both = suggestion is not None and not blind and label == suggestion.label
                text.append(" · yours" if both else "  ◀ your earlier label", style="italic")
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
