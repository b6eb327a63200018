"""The adjudication / review screen: an item, every annotator's label side by side, a gold choice.

Choosing a label or a verdict appends an adjudication event (with the note typed for it, if
any); undo appends an event that withdraws the standing choice. All database work runs on
thread workers that post typed messages (workbench.tui.adjudicate_messages); a key that
would write while a write is in flight is refused with a bell, never queued behind it.
"""
from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from db.adjudication import QueueItem
from db.plaintext import clean_line
from vocabulary import GOLD_VERDICTS, NOT_A_STATEMENT, NOT_ABOUT
from workbench.plain import plain
from workbench.tui import adjudicate_messages as msg
from workbench.tui.adjudicate_backend import AdjudicationBackend
from workbench.tui.keymap import ADJUDICATE_ACTIONS
from workbench.tui.screens.dialogs import HelpScreen, NoteScreen
from workbench.tui.widgets.statement import StatementView

VERDICT_NAMES = {NOT_ABOUT: "not about this target", NOT_A_STATEMENT: "not a statement"}
CONTEXT_NAMES = ("paragraph only", "± 1 paragraph", "± 2 paragraphs")
DONE = "All done — every item in this queue has a gold label."
HELP_HINT = ("A gold choice is saved before the screen moves on; u withdraws it (the earlier choice stands again).\n"
             "n types a rationale: it is saved with the next gold choice on this item (the export's gold_note).\n"
             "Remap keys in ~/.config/workbench/keymap.toml or $WORKBENCH_KEYMAP (binding id = \"key\").")


def shown(label: str | None) -> str:
    return VERDICT_NAMES.get(label, label) if label else "—"


class AdjudicateScreen(Screen):
    BINDINGS = [Binding(a.key, a.action, a.description, show=a.show, id=a.id) for a in ADJUDICATE_ACTIONS]

    def __init__(self, backend: AdjudicationBackend, keys: dict[str, list[str]]):
        super().__init__()
        self.backend, self.keys = backend, keys
        self.items: list[QueueItem] = []
        self.index = 0
        self.display_item = None          # the current item's document, speaker and suggestions
        self.extra_context = 0
        self.note: str | None = None      # the rationale typed for the current item's next choice
        self.busy = False                 # a write is in flight
        self.loaded = False
        self.last_error: str | None = None

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            queue = OptionList(id="queue")
            queue.can_focus = False  # keys go to the screen's bindings (the list would take j/k, Enter)
            yield queue
            with Vertical(id="item"):
                yield StatementView(id="statement")
                yield Static("", id="about")
                yield Static("", id="suggestion")
                table = DataTable(id="labels", cursor_type="none", zebra_stripes=True)
                table.can_focus = False  # a focused table would take Enter
                yield table
                yield Static("", id="gold")
                yield Static(self._keys_hint(), id="keys")
        yield Static("Reading the database…", id="message")
        yield Static("", id="status")
        yield Footer()

    def _key(self, binding_id: str) -> str:
        pretty = {"exclamation_mark": "!", "question_mark": "?", "slash": "/", "enter": "Enter"}
        key = self.keys[binding_id][0]
        return pretty.get(key, key)

    def _keys_hint(self) -> Text:
        hint = Text("gold: ")
        for n, label in enumerate(self.backend.labels[:3]):
            hint.append(self._key(f"adjudicate.gold{n + 1}"), "bold")
            hint.append(f" {label}  ")
        for verdict in GOLD_VERDICTS[self.backend.task]:
            binding = "adjudicate.not_about" if verdict == "not_about" else "adjudicate.not_statement"
            hint.append(self._key(binding), "bold")
            hint.append(f" {VERDICT_NAMES[verdict]}  ")
        hint.append(self._key("adjudicate.confirm"), "bold")
        hint.append(" confirm the annotators' label")
        return hint

    def on_mount(self) -> None:
        table = self.query_one("#labels", DataTable)
        table.add_columns("annotator", "label", "reasons", "note")
        self.query_one("#body").display = False
        self.load_queue()

    # -- workers (database) --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="queue")
    def load_queue(self) -> None:
        try:
            self.post_message(msg.QueueLoaded(self.backend.start()))
        except Exception as exc:  # noqa: BLE001 - shown on screen, never a traceback
            self.post_message(msg.QueueFailed(_first_line(exc)))

    @work(thread=True, exclusive=True, group="details")
    def load_details(self, item: QueueItem) -> None:
        try:
            self.post_message(msg.DetailsLoaded(item.key, self.backend.details(item)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(msg.DetailsFailed(item.key, _first_line(exc)))

    @work(thread=True, exclusive=True, group="write")
    def save_gold(self, item: QueueItem, label: str, note: str | None) -> None:
        try:
            gold = self.backend.set_gold(item, label, note, on_wait=self._tell_waiting)
        except Exception as exc:  # noqa: BLE001 - the event was not written
            self.post_message(msg.WriteFailed(f"not saved: {_first_line(exc)}"))
            return
        self.post_message(msg.GoldChanged(item.key, gold, advance=True))

    @work(thread=True, exclusive=True, group="write")
    def withdraw_gold(self, item: QueueItem) -> None:
        try:
            gold = self.backend.undo_gold(item, on_wait=self._tell_waiting)
        except Exception as exc:  # noqa: BLE001
            self.post_message(msg.WriteFailed(f"undo failed: {_first_line(exc)}"))
            return
        self.post_message(msg.GoldChanged(item.key, gold, advance=False))

    def _tell_waiting(self, waited_s: float) -> None:
        self.post_message(msg.WriteWaiting(waited_s))

    # -- messages -------------------------------------------------------------------------

    @on(msg.QueueLoaded)
    def _queue_loaded(self, event: msg.QueueLoaded) -> None:
        self.loaded = True
        self.items = event.items
        queue = self.query_one("#queue", OptionList)
        queue.clear_options()
        queue.add_options([Option(self._queue_label(i), id=str(n)) for n, i in enumerate(self.items)])
        self.index = 0
        if not self.items:
            self._message(self._empty_text())
            return
        self.query_one("#message").display = False
        self.query_one("#body").display = True
        queue.highlighted = 0
        self._show_current()

    @on(msg.QueueFailed)
    def _queue_failed(self, event: msg.QueueFailed) -> None:
        self._message(f"Cannot open the {self.backend.mode} queue: {event.message}\n\nq quits")

    @on(msg.DetailsLoaded)
    def _details_loaded(self, event: msg.DetailsLoaded) -> None:
        if self.current is None or event.key != self.current.key:
            return  # the user moved on before it arrived
        self.display_item = event.display
        self._render_details()

    @on(msg.DetailsFailed)
    def _details_failed(self, event: msg.DetailsFailed) -> None:
        if self.current is not None and event.key == self.current.key:
            self._status(f"could not read the item's document: {event.message}")

    @on(msg.GoldChanged)
    def _gold_changed(self, event: msg.GoldChanged) -> None:
        self.busy = False
        self.last_error = None
        position = next((n for n, i in enumerate(self.items) if i.key == event.key), None)
        if position is None:
            return
        item = self.items[position]
        item.gold, item.gold_by, item.gold_note = event.gold.label, event.gold.by, event.gold.note
        self.query_one("#queue", OptionList).replace_option_prompt_at_index(position, self._queue_label(item))
        if event.advance:
            if position == self.index:
                self.note = None  # it went with this choice (a note typed on another item meanwhile stays)
            self._status(f"gold saved: {shown(item.gold)}")
            nxt = self._next_open(position)
            if nxt is not None and position == self.index:
                self._go(nxt)
                return
            if nxt is None:
                self.notify(DONE, title="done", timeout=6)
        else:
            self._status("gold withdrawn" + (f"; {shown(item.gold)} stands again" if item.gold else ""))
        self._render_item()

    @on(msg.WriteFailed)
    def _write_failed(self, event: msg.WriteFailed) -> None:
        self.busy = False
        self.last_error = event.message
        self.notify(clean_line(event.message), severity="error", markup=False)
        self._status(event.message)

    @on(msg.WriteWaiting)
    def _write_waiting(self, event: msg.WriteWaiting) -> None:
        self._status(f"another program is writing to the database: saving as soon as it is done "
                     f"({event.waited_s:.0f}s)")

    # -- showing ---------------------------------------------------------------------------

    @property
    def current(self) -> QueueItem | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    @property
    def open_count(self) -> int:
        return sum(1 for i in self.items if i.gold is None)

    def _empty_text(self) -> str:
        if self.backend.mode == "review":
            return "Nothing to review: no labelled, flagged or adjudicated item matches.\n\nq quits"
        what = "disagreements or flags" if self.backend.include_flagged else "disagreements"
        return f"Nothing to adjudicate: no {what} match.\n\nq quits"

    def _queue_label(self, item: QueueItem) -> Text:
        mark = "✓" if item.gold else ("⚑" if item.flagged and not item.disagreement else "•")
        return plain(f"{mark} {item.doc}:{item.start} {item.target or ''}".rstrip())

    def _next_open(self, after: int) -> int | None:
        order = list(range(after + 1, len(self.items))) + list(range(0, after))
        return next((n for n in order if self.items[n].gold is None), None)

    def _go(self, index: int) -> None:
        if index != self.index:
            self.note = None  # a rationale belongs to the item it was typed on
        self.index = index
        self.query_one("#queue", OptionList).highlighted = index
        self._show_current()

    def _show_current(self) -> None:
        self.display_item = None
        self.extra_context = 0
        self._render_item()
        if self.current is not None:
            self.load_details(self.current)

    def _render_item(self) -> None:
        item = self.current
        if item is None:
            return
        table = self.query_one("#labels", DataTable)
        table.clear()
        for view in item.views:
            table.add_row(plain(view.annotator + (" ⚑" if view.flagged else "")), plain(shown(view.label)),
                          plain(", ".join(view.reason_codes)), plain(view.note or ""))
        gold = Text.assemble((f"{self.index + 1}/{len(self.items)}", "bold"), "   ", ("gold:", "bold"), " ")
        if item.gold is None:
            gold.append("not chosen yet")
        else:
            gold.append_text(plain(f"{shown(item.gold)} (by {item.gold_by})", "bold"))
            if item.gold_note:
                gold.append_text(plain(f"   rationale: {item.gold_note}", "italic"))
        if self.note:
            gold.append("\n")
            gold.append_text(plain(f"note for the next choice: {self.note}", "italic"))
        if self.open_count == 0:
            gold.append(f"\n{DONE} {self._key('adjudicate.next')}/{self._key('adjudicate.previous')} revisit · "
                        f"{self._key('adjudicate.undo')} undoes · {self._key('adjudicate.quit')} quits",
                        style="bold green")
        self.query_one("#gold", Static).update(gold)
        self._render_details()
        self.sub_title = clean_line(f"{self.backend.task} · {self.backend.adjudicator} · "
                                    f"{self.open_count} open of {len(self.items)}")

    def _render_details(self) -> None:
        item, display = self.current, self.display_item
        view = self.query_one(StatementView)
        about = self.query_one("#about", Static)
        suggestion = self.query_one("#suggestion", Static)
        if item is None or display is None:
            view.show(None)
            about.update(plain(f"“{item.text}” — {item.speaker or '(unknown speaker)'}", multiline=True)
                         if item is not None else "")
            suggestion.update("")
            return
        view.show(display, self.extra_context)
        line = Text()
        line.append("Speaker  ", style="dim")
        line.append_text(plain(display.speaker or "(unknown speaker)", "bold"))
        if display.speaker_role:
            line.append_text(plain(f" — {display.speaker_role}"))
        if display.target_text is not None:
            line.append("\nTarget   ", style="dim")
            line.append_text(plain(display.target_text, "bold underline"))
            if display.target_description:
                line.append_text(plain("\n         " + " ".join(display.target_description.split()), "italic"))
        about.update(line)
        wanted = display.stance if self.backend.task == "stance" else display.sentiment
        suggestion.update(Text.assemble(("Model    ", "dim"), plain(
            f"{wanted.label} {wanted.confidence:.2f} ({wanted.model})" if wanted else "no prediction")))

    def _message(self, text: str) -> None:
        self.query_one("#body").display = False
        message = self.query_one("#message", Static)
        message.update(plain(text, multiline=True))
        message.display = True

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(plain(text))

    # -- actions ---------------------------------------------------------------------------

    def _writable(self) -> QueueItem | None:
        if self.current is None:
            return None
        if self.busy:
            self.app.bell()
            self._status("still saving the last choice: press again once it is saved")
            return None
        return self.current

    def _choose(self, label: str) -> None:
        item = self._writable()
        if item is not None:
            self.busy = True
            self.save_gold(item, label, self.note)

    def action_choose(self, position: int) -> None:
        if position < len(self.backend.labels) - len(GOLD_VERDICTS[self.backend.task]):
            self._choose(self.backend.labels[position])

    def action_verdict(self, verdict: str) -> None:
        if verdict not in GOLD_VERDICTS[self.backend.task]:
            self.app.bell()
            self._status("'not about this target' is a stance verdict: sentiment belongs to the statement")
            return
        self._choose(verdict)

    def action_confirm(self) -> None:
        item = self.current
        if item is None:
            return
        label = item.majority()
        if label is None:
            self.app.bell()
            self._status("no label most annotators agree on: choose one with "
                         + "/".join(self._key(f"adjudicate.gold{n + 1}") for n in range(3)))
            return
        self._choose(label)

    def action_note(self) -> None:
        item = self.current
        if item is None:
            return

        def noted(text: str | None) -> None:
            if text is not None:
                self.note = text or None
                self._render_item()
                self._status("note kept: it is saved with the gold you choose next on this item" if text
                             else "note cleared")
        self.app.push_screen(NoteScreen(self.note or item.gold_note), noted)

    def action_undo(self) -> None:
        item = self._writable()
        if item is None:
            return
        if item.gold is None:
            self._status("no gold label to withdraw on this item")
            return
        self.busy = True
        self.withdraw_gold(item)

    def action_context(self) -> None:
        if self.current is not None and self.display_item is not None:
            self.extra_context = (self.extra_context + 1) % len(CONTEXT_NAMES)
            self.query_one(StatementView).show(self.display_item, self.extra_context)
            self._status(CONTEXT_NAMES[self.extra_context])

    def action_move(self, step: int) -> None:
        if self.items:
            self._go(max(0, min(len(self.items) - 1, self.index + step)))

    def action_reload(self) -> None:
        if not self.busy:
            self.load_queue()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.keys, ADJUDICATE_ACTIONS, HELP_HINT))

    def action_quit(self) -> None:
        if self.busy:
            self._status("saving the last choice first…")
            self.set_timer(0.2, self.action_quit)
            return
        self.app.exit()

    @on(OptionList.OptionHighlighted, "#queue")
    def _picked(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self.index and 0 <= event.option_index < len(self.items):
            self._go(event.option_index)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
