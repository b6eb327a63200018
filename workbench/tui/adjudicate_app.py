"""The adjudication queue: items where annotators disagree, their labels side by side, a gold choice.

Choosing a label appends an Adjudication event (db.adjudication.set_gold); `u` appends an
undo event superseding the standing choice. Database work runs on thread workers, so the
screen never blocks on the database.
"""
from __future__ import annotations

from rich.text import Text
from sqlalchemy import Engine
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from db.adjudication import QueueItem, disagreement_queue, set_gold, undo_gold
from db.corrections import not_statement_verdicts, toggle_adjudicated_not_statement
from db.engine import readonly, transaction
from db.repository import get_or_create_annotator
from db.plaintext import clean_line
from db.schema import LABELS_BY_TASK
from workbench.plain import plain


class AdjudicateApp(App):
    CSS_PATH = "adjudicate.tcss"
    TITLE = "stance workbench — adjudication"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS = [
        Binding("1", "choose(0)", "1st label", show=False),
        Binding("2", "choose(1)", "2nd label", show=False),
        Binding("3", "choose(2)", "3rd label", show=False),
        Binding("u", "undo", "undo gold"),
        Binding("k", "not_statement", "not a statement"),
        Binding("n", "move(1)", "next"),
        Binding("p", "move(-1)", "previous"),
        Binding("r", "reload", "reload"),
        Binding("q", "quit", "quit"),
    ]

    def __init__(self, engine: Engine, adjudicator: str, task: str = "stance", include_flagged: bool = False,
                 filters=None):
        super().__init__()
        self.filters = filters
        self.engine = engine
        self.adjudicator = adjudicator
        self.label_task = task
        self.include_flagged = include_flagged
        self.labels = LABELS_BY_TASK[task]
        self.items: list[QueueItem] = []
        self.index = 0
        self.last_error: str | None = None
        self.not_statements: dict[int, tuple[list[str], bool]] = {}  # statement id -> (who said so, agreed)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal():
            yield OptionList(id="queue")
            with Vertical(id="item"):
                yield Static("loading…", id="statement")
                yield DataTable(id="labels", cursor_type="none", zebra_stripes=True)
                yield Static("", id="gold")
                keys = "  ".join(f"[b]{i + 1}[/b] {label}" for i, label in enumerate(self.labels))
                yield Static(f"gold label: {keys}   [b]u[/b] undo   [b]n[/b]/[b]p[/b] next/previous   "
                             "[b]k[/b] not a statement (again: withdraw)", id="keys")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = clean_line(f"{self.label_task} · adjudicator {self.adjudicator}")
        table = self.query_one("#labels", DataTable)
        table.add_columns("annotator", "label", "reasons", "note")
        self.load_queue()

    # -- database (thread workers) ------------------------------------------------------------
    @work(thread=True, exclusive=True, group="db")
    def load_queue(self) -> None:
        with transaction(readonly(self.engine)) as session:
            items = disagreement_queue(session, self.label_task, include_flagged=self.include_flagged,
                                       include_adjudicated=True, filters=self.filters)
        # already adjudicated items stay listed (marked) so a choice can be revisited; open ones first
        items.sort(key=lambda i: i.gold is not None)
        with transaction(readonly(self.engine)) as session:
            verdicts = not_statement_verdicts(session, {i.statement_id for i in items})
        self.call_from_thread(self._show_queue, items, verdicts)

    @work(thread=True, exclusive=True, group="db")
    def save_not_statement(self, item: QueueItem) -> None:
        """An adjudicator's verdict is agreed at once: the statement leaves every annotator's queue."""
        try:
            with transaction(self.engine) as session:
                adjudicator = get_or_create_annotator(session, self.adjudicator)
                toggle_adjudicated_not_statement(session, adjudicator, item.statement_id, item.target_id)
            with transaction(readonly(self.engine)) as session:
                verdicts = not_statement_verdicts(session, [item.statement_id])
        except Exception as exc:  # noqa: BLE001 - shown on screen, the event was not written
            self.call_from_thread(self._error, f"not saved: {exc}")
            return
        self.call_from_thread(self._verdict_changed, item.statement_id, verdicts.get(item.statement_id))

    @work(thread=True, exclusive=True, group="db")
    def save_gold(self, item: QueueItem, label: str) -> None:
        try:
            with transaction(self.engine) as session:
                adjudicator = get_or_create_annotator(session, self.adjudicator)
                set_gold(session, adjudicator, item.statement_id, item.target_id, self.label_task, label)
        except Exception as exc:  # noqa: BLE001 - shown on screen, the event was not written
            self.call_from_thread(self._error, f"not saved: {exc}")
            return
        self.call_from_thread(self._gold_changed, item, label, True)

    @work(thread=True, exclusive=True, group="db")
    def withdraw_gold(self, item: QueueItem) -> None:
        try:
            with transaction(self.engine) as session:
                adjudicator = get_or_create_annotator(session, self.adjudicator)
                undo_gold(session, adjudicator, item.statement_id, item.target_id, self.label_task)
            with transaction(readonly(self.engine)) as session:
                from db.adjudication import gold_label

                now = gold_label(session, item.statement_id, item.target_id, self.label_task)
        except Exception as exc:  # noqa: BLE001
            self.call_from_thread(self._error, f"undo failed: {exc}")
            return
        self.call_from_thread(self._gold_changed, item, now, False)

    # -- screen updates ----------------------------------------------------------------------
    def _show_queue(self, items: list[QueueItem], verdicts: dict | None = None) -> None:
        self.items = items
        self.not_statements = dict(verdicts or {})
        queue = self.query_one("#queue", OptionList)
        queue.clear_options()
        queue.add_options([Option(self._queue_label(i), id=str(n)) for n, i in enumerate(items)])
        self.index = 0
        if items:
            queue.highlighted = 0
        self._render_item()

    def _queue_label(self, item: QueueItem) -> Text:
        mark = "✓" if item.gold else ("⚑" if item.flagged and not item.disagreement else "•")
        where = f"{item.doc}:{item.start}"
        return plain(f"{mark} {where} {item.target or ''}".rstrip())

    @property
    def current(self) -> QueueItem | None:
        return self.items[self.index] if 0 <= self.index < len(self.items) else None

    def _render_item(self) -> None:
        item = self.current
        statement = self.query_one("#statement", Static)
        table = self.query_one("#labels", DataTable)
        gold = self.query_one("#gold", Static)
        table.clear()
        if item is None:
            statement.update("Nothing to adjudicate: no disagreements" +
                             (" or flags." if self.include_flagged else "."))
            gold.update("")
            return
        # every value here comes from the database or a file: Text, never markup (a note "[/red]" crashed it)
        shown = Text.assemble((f"{self.index + 1}/{len(self.items)}", "bold"), "  ",
                              plain(f"{item.doc} {item.start}:{item.end}"), "\n\n“", plain(item.text, multiline=True),
                              "”")
        if item.speaker:
            shown.append_text(plain(f" — {item.speaker}"))
        if item.target:
            shown.append_text(Text.assemble("\n", ("target:", "bold"), " ", plain(item.target)))
        statement.update(shown)
        for view in item.views:
            table.add_row(plain(view.annotator + (" ⚑" if view.flagged else "")), plain(view.label or "—"),
                          plain(", ".join(view.reason_codes)), plain(view.note or ""))
        gold.update(Text.assemble(("gold:", "bold"), " ", plain(item.gold or "not chosen yet"),
                                  self._verdict_text(item.statement_id)))

    def _verdict_text(self, statement_id: int) -> Text:
        found = self.not_statements.get(statement_id)
        if not found:
            return Text("")
        who, agreed = found
        return Text.assemble("\n", ("not a statement", "bold"), plain(f" ({', '.join(who)}"),
                             " — agreed)" if agreed else ")")

    def _verdict_changed(self, statement_id: int, verdict) -> None:
        if verdict is None:
            self.not_statements.pop(statement_id, None)
        else:
            self.not_statements[statement_id] = verdict
        self._render_item()

    def _gold_changed(self, item: QueueItem, label: str | None, advance: bool) -> None:
        item.gold = label
        self.last_error = None
        queue = self.query_one("#queue", OptionList)
        position = self.items.index(item)
        queue.replace_option_prompt_at_index(position, self._queue_label(item))
        if advance and self.index == position:
            nxt = next((n for n in range(position + 1, len(self.items)) if self.items[n].gold is None), None)
            if nxt is not None:
                self.index = nxt
                queue.highlighted = nxt
        self._render_item()

    def _error(self, message: str) -> None:
        self.last_error = message
        self.notify(clean_line(message), severity="error", markup=False)

    # -- actions -----------------------------------------------------------------------------
    def action_choose(self, position: int) -> None:
        item = self.current
        if item is None or position >= len(self.labels):
            return
        self.save_gold(item, self.labels[position])

    def action_not_statement(self) -> None:
        if self.current is not None:
            self.save_not_statement(self.current)

    def action_undo(self) -> None:
        item = self.current
        if item is not None and item.gold is not None:
            self.withdraw_gold(item)

    def action_move(self, step: int) -> None:
        if not self.items:
            return
        self.index = max(0, min(len(self.items) - 1, self.index + step))
        self.query_one("#queue", OptionList).highlighted = self.index
        self._render_item()

    def action_reload(self) -> None:
        self.load_queue()

    @on(OptionList.OptionHighlighted, "#queue")
    def _picked(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index != self.index and 0 <= event.option_index < len(self.items):
            self.index = event.option_index
            self._render_item()
