"""The top bar: who, which target(s), the order, progress and rate."""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from workbench.plain import plain


class SessionBar(Static):
    def show(self, annotator: str, order: str, blind: bool, done: int, total: int, rate: float | None,
             note: str | None = None) -> None:
        text = Text()
        text.append(" stance workbench ", style="bold reverse")
        text.append_text(plain(f"  {annotator}", style="bold"))
        text.append(f"  · {order} order")
        if blind:
            text.append("  · BLIND", style="bold")
        pct = f" ({done / total:.1%})" if total else ""
        text.append(f"  · {done} / {total} done{pct}")
        text.append(f"  · {rate:.0f}/h" if rate is not None else "  · —/h")
        if note:
            text.append_text(plain(f"  · {note}", style="italic"))
        self.update(text)
