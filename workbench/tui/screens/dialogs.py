"""Modal screens: help, guidelines, flag reasons, note, search."""
from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Markdown, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from db.queue import QueueItem
from vocabulary import REASON_CODES
from workbench.plain import plain
from workbench.tui.keymap import ACTIONS

REASON_HELP = {
    "sarcasm": "says the opposite of what it means",
    "hedge": "stance is hedged or conditional",
    "reported_speech": "the speaker reports someone else's view",
    "needs_context": "cannot judge without more context",
    "wrong_speaker": "attributed to the wrong person",
    "not_a_statement": "not a statement (extraction error)",
}


class _Dialog(ModalScreen):
    BINDINGS = [Binding("escape", "dismiss_none", "close", show=False)]

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class HelpScreen(_Dialog):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss_none", "close")]

    def __init__(self, keys: dict[str, list[str]], actions=ACTIONS, hint: str | None = None):
        super().__init__()
        self.keys, self.actions, self.hint = keys, actions, hint

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, padding=(0, 2))
        for action in self.actions:
            shown = ", ".join(_pretty(k) for k in self.keys.get(action.id, []))
            table.add_row(shown, action.description, f"[dim]{action.id}[/]")
        # scrolls (PageDown/End) when the terminal is shorter than the table
        with VerticalScroll(classes="dialog", id="help"):
            yield Label("Keys", classes="dialog-title")
            yield Static(table)
            yield Static(self.hint or (
                "Enter saves the labels shown as chosen (●): the model's suggestion unless you changed it.\n"
                "◀ yours marks the sentiment you gave this statement under another target (pre-selected).\n"
                "Every decision is saved before the next item appears; u undoes the last one, even after a restart.\n"
                "Remap keys in ~/.config/workbench/keymap.toml or $WORKBENCH_KEYMAP (binding id = \"key\")."),
                classes="dialog-hint")


class GuidelinesScreen(_Dialog):
    BINDINGS = [Binding("escape,g,q", "dismiss_none", "close")]

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", id="guidelines"):
            yield Markdown(self.text)


class FlagScreen(_Dialog):
    """Pick reason codes (space or their number), Enter flags the item and moves on."""

    BINDINGS = [Binding("escape", "dismiss_none", "cancel"), Binding("enter", "confirm", "flag", priority=True)]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="flag"):
            yield Label("Flag this item — why?", classes="dialog-title")
            yield SelectionList[str](*[(f"{i}  {code:<16} {REASON_HELP[code]}", code)
                                       for i, code in enumerate(REASON_CODES, 1)], id="reasons")
            yield Static("space or 1–6 toggles · Enter flags and moves on · Esc cancels", classes="dialog-hint")

    def on_key(self, event) -> None:
        if event.character and event.character.isdigit() and 1 <= int(event.character) <= len(REASON_CODES):
            self.query_one(SelectionList).toggle(REASON_CODES[int(event.character) - 1])
            event.stop()

    def action_confirm(self) -> None:
        chosen = list(self.query_one(SelectionList).selected)
        if not chosen:
            self.notify("choose at least one reason", severity="warning")
            return
        self.dismiss([c for c in REASON_CODES if c in chosen])


class NoteScreen(_Dialog):
    def __init__(self, note: str | None):
        super().__init__()
        self.note = note or ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note"):
            yield Label("Note (saved with this item's decision)", classes="dialog-title")
            yield Input(self.note, placeholder="what should an adjudicator know?", id="note-input")
            yield Static("Enter keeps the note · empty clears it · Esc cancels", classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())


class SearchScreen(_Dialog):
    """Type, Enter searches open items; pick one to annotate it next."""

    def __init__(self, run_search):
        super().__init__()
        self.run_search = run_search
        self.items: list[QueueItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="search"):
            yield Label("Search open items (statement, speaker, title)", classes="dialog-title")
            yield Input(placeholder="text…", id="search-input")
            yield OptionList(id="search-results")
            yield Static("Enter searches · Enter again opens the highlighted match (↑/↓ to choose) · Esc cancels",
                         classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one(OptionList).clear_options()
            self.query_one(OptionList).add_option(Option("searching…", disabled=True))
            self.run_search(event.value.strip())

    def show_results(self, items: list[QueueItem]) -> None:
        self.items = items
        results = self.query_one(OptionList)
        results.clear_options()
        if not items:
            results.add_option(Option("no open item matches", disabled=True))
            return
        for i, item in enumerate(items):
            # one row per item, cut with an ellipsis at the dialog's edge rather than wrapped mid-word
            row = Text(no_wrap=True, overflow="ellipsis")
            row.append_text(plain(f"{item.speaker or '?'}: ", "bold"))
            row.append_text(plain(f"→ {item.target_text}  ", "dim"))
            row.append_text(plain(" ".join(item.text.split())))
            results.add_option(Option(row, id=str(i)))
        results.highlighted = 0  # Enter opens the first match at once
        results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(self.items[int(event.option.id)])


def _pretty(key: str) -> str:
    return {"exclamation_mark": "!", "question_mark": "?", "slash": "/"}.get(key, key)
