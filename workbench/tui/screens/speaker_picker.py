"""Who said it: pick one of the people the article names (its canonical speakers), or type a name.
Returns a SpeakerChoice or None."""
from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from db.corrections import SpeakerChoice
from db.plaintext import clean_line
from workbench.plain import plain


def typed_speaker(name: str, people: list[SpeakerChoice]) -> SpeakerChoice | None:
    """A typed name as a speaker: the article's person of that name (same canonical key, so 'Vogel' typed
    as 'Katrin Vogel' finds her), else a new one whose title, if any, becomes the role."""
    from workbench.extract.canonical import speaker_key, strip_titles
    from workbench.extract.speaker_type import classify

    name = " ".join(clean_line(name).split())
    if not name:
        return None
    bare, title = strip_titles(name)
    key = speaker_key(bare)
    for person in people:
        if key is not None and person.speaker_id == key or person.speaker.casefold() == name.casefold():
            return person
    return SpeakerChoice(bare or name, key, title, classify(title))


def describe(person: SpeakerChoice) -> Text:
    row = plain(person.speaker, "bold")
    if person.speaker_role:
        row.append_text(plain(f" — {person.speaker_role}"))
    row.append(f"  [{person.speaker_type}]", style="italic")
    return row


class SpeakerScreen(ModalScreen[SpeakerChoice | None]):
    BINDINGS = [Binding("escape", "cancel", "cancel", show=False),
                Binding("enter", "pick", "pick", show=False, priority=True),
                Binding("up", "move(-1)", show=False, priority=True),
                Binding("down", "move(1)", show=False, priority=True)]

    def __init__(self, people: list[SpeakerChoice], current: str | None, title: str = "Who said it?"):
        super().__init__()
        self.people, self.current, self.title = people, current, title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="speaker-picker"):
            yield Label(self.title, classes="dialog-title")
            yield Static(Text.assemble(("now: ", "dim"), plain(self.current or "(unknown speaker)")), id="speaker-now")
            yield Input(placeholder="type a name, or pick one the article names below", id="speaker-input")
            options = [Option(describe(p), id=str(i)) for i, p in enumerate(self.people)]
            yield OptionList(*(options or [Option("the article names no one (type a name)", disabled=True)]),
                             id="speaker-people")
            yield Static("↑/↓ picks a person · typing a name overrides · Enter saves · Esc cancels",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        if self.people:
            self.query_one(OptionList).highlighted = 0
        self.query_one(Input).focus()

    def action_move(self, step: int) -> None:
        people = self.query_one(OptionList)
        if self.people:
            people.highlighted = ((people.highlighted or 0) + step) % len(self.people)

    def action_pick(self) -> None:
        typed = self.query_one(Input).value
        if typed.strip():
            self.dismiss(typed_speaker(typed, self.people))
            return
        at = self.query_one(OptionList).highlighted
        if not self.people or at is None:
            self.app.bell()
            self.notify("type a name", severity="warning")
            return
        self.dismiss(self.people[at])

    def action_cancel(self) -> None:
        self.dismiss(None)
