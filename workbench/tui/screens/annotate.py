"""The annotation screen: one item at a time, one key per action.

All database and model work runs on thread workers that post typed messages back; the
screen only moves to the next item once the decision's transaction has returned.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from db.decisions import NewDecision
from db.queue import ItemKey, Progress, QueueItem
from db.schema import SENTIMENT_LABELS, STANCE_LABELS
from workbench.tui import messages as msg
from workbench.tui.backend import Backend
from workbench.tui.keymap import ACTIONS
from workbench.tui.screens.dialogs import FlagScreen, GuidelinesScreen, HelpScreen, NoteScreen, SearchScreen
from workbench.tui.widgets.header import SessionBar
from workbench.tui.widgets.labels import LabelPanel
from workbench.tui.widgets.statement import SpeakerLine, StatementView

PREFETCH = 20    # items per fetch
LOW_WATER = 6    # fetch more when fewer than this are buffered
PREDICT_BATCH = 32


class AnnotateScreen(Screen):
    BINDINGS = [Binding(a.key, a.action, a.description, show=a.show, id=a.id) for a in ACTIONS]

    def __init__(self, backend: Backend, *, clock: Callable[[], float], keys: dict[str, list[str]]):
        super().__init__()
        self.backend, self.clock, self.keys = backend, clock, keys
        self.buffer: deque[QueueItem] = deque()
        self.current: QueueItem | None = None
        self.stance: str | None = None       # what the annotator chose on this item
        self.sentiment: str | None = None
        self.note: str | None = None
        self.extra_context = 0
        self.shown_at = 0.0
        self.busy = False                     # a write is in flight: keys wait for it
        self.fetching = False
        self.exhausted = False
        self.waiting = False                  # nothing on screen until items arrive
        self.predicting = False
        self.predictor_problem: str | None = None
        self.asked: set[ItemKey] = set()
        self.started = False
        self.done = self.total = 0
        self.session_count = 0
        self.session_start = clock()
        self.guidelines = ""
        self.annotator = backend.annotator_name
        self.rendered = 0                     # items rendered so far (tests and the benchmark watch it)
        self.quit_after_write = False

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SessionBar(id="session")
        with Vertical(id="item"):
            yield StatementView(id="statement")
            yield SpeakerLine(id="speaker")
            with Horizontal(id="labels"):
                yield LabelPanel("stance", STANCE_LABELS, self._label_keys("stance"), id="stance")
                yield LabelPanel("sentiment", SENTIMENT_LABELS, self._label_keys("sentiment"), id="sentiment")
        yield Static("Opening the database…", id="message")
        yield Static("", id="status")
        yield Footer()

    def _label_keys(self, task: str) -> dict[str, str]:
        pretty = {"exclamation_mark": "!", "question_mark": "?", "slash": "/"}
        return {a.id.split(".")[1]: pretty.get(k := self.keys[a.id][0], k)
                for a in ACTIONS if a.id.startswith(task + ".")}

    def on_mount(self) -> None:
        self.query_one("#item").display = False
        self._spawn("start", self._start_job)

    # -- workers ---------------------------------------------------------------------------

    def _spawn(self, group: str, job: Callable[[], None]) -> None:
        def guarded() -> None:
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - shown on screen, never a traceback
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                self.post_message(msg.DbError(first))
        self.run_worker(guarded, thread=True, group=group, exit_on_error=False)

    def _start_job(self) -> None:
        from db.errors import StorageError

        try:
            info = self.backend.start()
        except StorageError as exc:
            self.post_message(msg.StartFailed(str(exc)))
            return
        self.post_message(msg.Started(info.annotator, info.targets, info.progress, info.guidelines, info.problem))

    def _fetch(self) -> None:
        if self.fetching or not self.started:
            return
        self.fetching = True
        exclude = [i.key for i in self.buffer] + ([self.current.key] if self.current else [])

        def job() -> None:
            try:
                items, dry = self.backend.fetch(PREFETCH, exclude)
            finally:
                self.fetching = False
            self.post_message(msg.ItemsLoaded(items, dry))
        self._spawn("fetch", job)

    def _maybe_prefetch(self) -> None:
        if len(self.buffer) < LOW_WATER and not self.exhausted:
            self._fetch()

    def _write(self, job: Callable[[], None]) -> None:
        self.busy = True
        self._spawn("write", job)

    def _maybe_predict(self) -> None:
        if (self.predicting or self.predictor_problem or self.backend.blind
                or self.backend.predictor_factory is None):
            return
        todo = [i for i in ([self.current] if self.current else []) + list(self.buffer)
                if (i.stance is None or i.sentiment is None) and i.key not in self.asked][:PREDICT_BATCH]
        if not todo:
            return
        self.asked.update(i.key for i in todo)
        self.predicting = True

        def job() -> None:
            try:
                found = self.backend.predict(todo)
            except Exception as exc:  # noqa: BLE001 - the model is optional: say so and go on
                self.post_message(msg.PredictorFailed(str(exc).strip().splitlines()[0] if str(exc).strip()
                                                      else type(exc).__name__))
                return
            self.post_message(msg.PredictionsReady(found))
        self.run_worker(job, thread=True, group="predict", exit_on_error=False)

    # -- messages from workers -------------------------------------------------------------

    @on(msg.Started)
    def _started(self, event: msg.Started) -> None:
        self.guidelines = event.guidelines
        self.done, self.total = event.progress.done, event.progress.total
        if event.problem:
            self._message(event.problem)
            return
        self.started = True
        self._message("Loading items…")
        self.waiting = True
        self._fetch()

    @on(msg.StartFailed)
    def _start_failed(self, event: msg.StartFailed) -> None:
        self._message(f"Cannot open the annotation session:\n\n{event.message}\n\nPress q to quit.")

    @on(msg.ItemsLoaded)
    def _items_loaded(self, event: msg.ItemsLoaded) -> None:
        self.exhausted = event.exhausted
        known = {i.key for i in self.buffer} | ({self.current.key} if self.current else set())
        self.buffer.extend(i for i in event.items if i.key not in known)
        if self.waiting:
            self._advance() if self.buffer else self._all_done()
        else:
            self._maybe_predict()

    @on(msg.DecisionSaved)
    def _saved(self, event: msg.DecisionSaved) -> None:
        self.busy = False
        if event.counts_as_done:
            self.done += 1
            self.session_count += 1
        verb = {"label": "saved", "skip": "skipped", "flag": "flagged"}[event.action]
        self._status(f"{verb} ✓")
        if self.quit_after_write:
            self.app.exit()
            return
        self._advance()

    @on(msg.Undone)
    def _undone(self, event: msg.Undone) -> None:
        self.busy = False
        if event.action is None:
            self._status("nothing to undo")
            return
        if event.action in ("label", "flag"):
            self.done = max(0, self.done - 1)
            self.session_count = max(0, self.session_count - 1)
        item = event.item
        if item is None or self.backend.queue is None or item.key.target_id not in self.backend.queue.target_ids:
            self._status(f"undid your {event.action} (on an item outside this session)")
            self._render_bar()
            return
        self.buffer = deque(i for i in self.buffer if i.key != item.key)
        if self.current is not None:
            self.buffer.appendleft(self.current)
        self._show(item)
        self._status(f"undid your {event.action} — the item is back")

    @on(msg.PredictionsReady)
    def _predictions(self, event: msg.PredictionsReady) -> None:
        self.predicting = False
        for item in ([self.current] if self.current else []) + list(self.buffer):
            stance, sentiment = event.suggestions.get(item.key, (None, None))
            item.stance = item.stance or stance
            item.sentiment = item.sentiment or sentiment
        if self.current is not None and self.current.key in event.suggestions:
            self._render_labels()
        self._maybe_predict()

    @on(msg.PredictorFailed)
    def _predictor_failed(self, event: msg.PredictorFailed) -> None:
        self.predicting = False
        self.predictor_problem = event.message
        self._status(f"model unavailable ({event.message}); choose labels by hand")
        self._render_labels()

    @on(msg.SearchResults)
    def _search_results(self, event: msg.SearchResults) -> None:
        if isinstance(self.app.screen, SearchScreen):
            self.app.screen.show_results(event.items)

    @on(msg.DbError)
    def _db_error(self, event: msg.DbError) -> None:
        self.busy = self.fetching = False
        self._status(f"database problem: {event.message} — nothing was lost; try again")
        if self.waiting and not self.buffer:
            self._message(f"Database problem:\n\n{event.message}\n\nPress q to quit.")

    # -- showing ---------------------------------------------------------------------------

    def _advance(self) -> None:
        if self.buffer:
            self._show(self.buffer.popleft())
            self._maybe_prefetch()
            return
        self.current = None
        self.waiting = True
        self._message("Loading items…")
        self._fetch()  # also finds items skipped a moment ago: they come back at the end

    def _all_done(self) -> None:
        self.waiting = False
        self._message("All done — nothing left in your queue.\n\nu undoes your last decision · q quits")

    def _show(self, item: QueueItem) -> None:
        self.waiting = False
        self.current = item
        self.stance = self.sentiment = self.note = None
        self.extra_context = 0
        self.query_one("#message").display = False
        self.query_one("#item").display = True
        self.query_one(StatementView).show(item)
        self.query_one(SpeakerLine).show(item)
        self._render_labels()
        self._render_bar()
        self._status("")
        self.shown_at = self.clock()
        self.call_after_refresh(self._mark_rendered)
        self._maybe_predict()

    def _mark_rendered(self) -> None:
        self.rendered += 1

    def _message(self, text: str) -> None:
        self.query_one("#item").display = False
        message = self.query_one("#message", Static)
        message.update(text)
        message.display = True
        self._render_bar()

    def effective(self) -> tuple[str | None, str | None]:
        """The labels Enter would save now."""
        item, blind = self.current, self.backend.blind
        if item is None:
            return None, None
        stance = self.stance or (item.stance.label if item.stance and not blind else None)
        sentiment = self.sentiment or item.own_sentiment or (item.sentiment.label if item.sentiment and not blind else None)
        return stance, sentiment

    def _render_labels(self) -> None:
        item = self.current
        if item is None:
            return
        stance, sentiment = self.effective()
        blind = self.backend.blind
        pending = self.predictor_problem is None and self.backend.predictor_factory is not None
        self.query_one("#stance", LabelPanel).show(None if blind else item.stance, stance, blind=blind, pending=pending)
        self.query_one("#sentiment", LabelPanel).show(None if blind else item.sentiment, sentiment, blind=blind,
                                                      pending=pending, own=item.own_sentiment)

    def _render_bar(self) -> None:
        elapsed = self.clock() - self.session_start
        rate = self.session_count * 3600 / elapsed if elapsed >= 60 else None
        self.query_one(SessionBar).show(self.annotator, self.backend.order, self.backend.blind, self.done,
                                        self.total, rate, note=f"note: {self.note}" if self.note else None)

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

    # -- actions ---------------------------------------------------------------------------

    def _ready(self) -> bool:
        return self.current is not None and not self.busy

    def _decision(self, action: str, **fields) -> NewDecision:
        item = self.current
        assert item is not None
        return NewDecision(statement_id=item.key.statement_id, target_id=item.key.target_id, action=action,
                           duration_ms=max(0, int((self.clock() - self.shown_at) * 1000)), note=self.note,
                           order_mode=self.backend.order, **fields)

    def _save(self, decision: NewDecision, counts_as_done: bool) -> None:
        key = self.current.key

        def job() -> None:
            decision_id = self.backend.save(decision)
            self.post_message(msg.DecisionSaved(decision_id, decision.action, key, counts_as_done))
        self._write(job)

    def action_accept(self) -> None:
        if not self._ready():
            return
        item, blind = self.current, self.backend.blind
        stance, sentiment = self.effective()
        missing = [f"a {task} ({'/'.join(self._label_keys(task).values())})"
                   for task, value in (("stance", stance), ("sentiment", sentiment)) if value is None]
        if missing:
            self._status("choose " + " and ".join(missing) + ", then Enter")
            self.app.bell()
            return
        shown = [] if blind else [s for s in (item.stance, item.sentiment) if s is not None]
        accepted = None
        if shown:
            accepted = (len(shown) == 2 and stance == item.stance.label and sentiment == item.sentiment.label)
        self._save(self._decision(
            "label", stance=stance, sentiment=sentiment,
            stance_prediction_id=None if blind or item.stance is None else item.stance.prediction_id,
            sentiment_prediction_id=None if blind or item.sentiment is None else item.sentiment.prediction_id,
            accepted_as_is=accepted, suggestions_shown=bool(shown)), counts_as_done=True)

    def action_stance(self, label: str) -> None:
        if self._ready():
            self.stance = label
            self._render_labels()

    def action_sentiment(self, label: str) -> None:
        if self._ready():
            self.sentiment = label
            self._render_labels()

    def action_reset(self) -> None:
        if self._ready():
            self.stance = self.sentiment = self.note = None
            self._render_labels()
            self._render_bar()
            self._status("back to the suggestions")

    def action_skip(self) -> None:
        if self._ready():
            self._save(self._decision("skip", suggestions_shown=self._suggestions_shown()), counts_as_done=False)

    def _suggestions_shown(self) -> bool:
        return not self.backend.blind and bool(self.current and (self.current.stance or self.current.sentiment))

    def action_flag(self) -> None:
        if not self._ready():
            return

        def flagged(reasons: list[str] | None) -> None:
            if reasons and self._ready():
                self._save(self._decision("flag", reason_codes=tuple(reasons),
                                          suggestions_shown=self._suggestions_shown()), counts_as_done=True)
        self.app.push_screen(FlagScreen(), flagged)

    def action_note(self) -> None:
        if not self._ready():
            return

        def noted(text: str | None) -> None:
            if text is not None:
                self.note = text or None
                self._render_bar()
                self._status("note kept: it is saved with this item's decision" if text else "note cleared")
        self.app.push_screen(NoteScreen(self.note), noted)

    def action_undo(self) -> None:
        if self.busy or not self.started:
            return

        def job() -> None:
            item, action = self.backend.undo()
            self.post_message(msg.Undone(item, action))
        self._write(job)

    def action_context(self) -> None:
        if self.current is not None:
            self.extra_context = (self.extra_context + 1) % 3
            self.query_one(StatementView).show(self.current, self.extra_context)
            self._status(["paragraph only", "± 1 paragraph", "± 2 paragraphs"][self.extra_context])

    def action_search(self) -> None:
        if not self.started or self.busy:
            return

        def run(text: str) -> None:
            self._spawn("search", lambda: self.post_message(msg.SearchResults(text, self.backend.search(text))))

        def chosen(item: QueueItem | None) -> None:
            if item is None:
                return
            self.buffer = deque(i for i in self.buffer if i.key != item.key)
            if self.current is not None and self.current.key != item.key:
                self.buffer.appendleft(self.current)
            self._show(item)
        self.app.push_screen(SearchScreen(run), chosen)

    def action_guidelines(self) -> None:
        self.app.push_screen(GuidelinesScreen(self.guidelines or "No guidelines yet."))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.keys))

    def action_quit(self) -> None:
        if self.busy:
            self.quit_after_write = True  # the decision in flight is committed first
            return
        self.app.exit()
