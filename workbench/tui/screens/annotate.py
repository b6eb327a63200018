"""The annotation screen: one item at a time, one key per action.

All database and model work runs on thread workers that post typed messages back; the
screen only moves to the next item once the decision's transaction has returned.

Keys typed ahead — while a decision is being saved or the next items load — are kept and
run in order once the item they were meant for is on screen (50 Enters save 50 decisions).
Nothing is dropped silently: past TYPE_AHEAD_LIMIT waiting keys a key is refused with a bell
and a message; keys typed after one that opens a dialog (flag, note, search) were not typed
into that dialog, so they are refused, with a notice, when it opens; keys that need an item
when none is left (all done) or whose item's save failed are refused with a notice too.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from db.decisions import NewDecision
from db.plaintext import clean_text
from db.queue import ItemKey, Progress, QueueItem
from vocabulary import SENTIMENT_LABELS, STANCE_LABELS
from workbench.plain import plain
from workbench.tui import messages as msg
from workbench.tui.active_time import ActiveClock
from workbench.tui.screens.corrections import CORRECTION_DIALOGS, CorrectionActions
from workbench.tui.screens.session import SessionWorkers
from workbench.tui.backend import Backend
from workbench.tui.keymap import ACTIONS
from workbench.tui.screens.dialogs import FlagScreen, GuidelinesScreen, HelpScreen, NoteScreen, SearchScreen
from workbench.tui.widgets.header import SessionBar
from workbench.tui.widgets.labels import LabelPanel
from workbench.tui.widgets.statement import SpeakerLine, StatementView

TYPE_AHEAD_LIMIT = 100
DIALOG_ACTIONS = ("flag", "note", "search") + CORRECTION_DIALOGS
ITEMLESS_ACTIONS = ("undo", "quit")  # fine with no item on screen


class AnnotateScreen(CorrectionActions, SessionWorkers, Screen):
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
        self.activity = ActiveClock(clock)  # working time: idle gaps count up to a pause
        self.shown_active = 0.0               # working seconds when the current item appeared
        self.typed_ahead: deque[tuple[str, tuple]] = deque()
        self._replaying = False
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
        self.guidelines = ""
        self.annotator = backend.annotator_name
        self.rendered = 0                     # items rendered so far (tests and the benchmark watch it)
        self.quit_after_write = False
        self.training = False

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
        self.call_later(self._replay_typed_ahead)  # an undo or quit typed ahead still runs

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
        self.shown_active = self.activity.now()
        self.call_after_refresh(self._mark_rendered)
        self._maybe_predict()
        self.call_later(self._replay_typed_ahead)

    def _mark_rendered(self) -> None:
        self.rendered += 1

    def _message(self, text: str) -> None:
        self.query_one("#item").display = False
        message = self.query_one("#message", Static)
        message.update(plain(text, multiline=True))  # may quote an error, a name or a path: never markup
        message.display = True
        self._render_bar()

    def hidden(self) -> bool:
        """Suggestions are hidden on this item: a blind session, or the blind slice."""
        return self.current is not None and self.backend.hides_suggestions(self.current.key)

    def carried_sentiment(self) -> str | None:
        """The annotator's own sentiment for this statement under another target, pre-selected here.

        Not on a blind item: that label was chosen with the model's suggestion in view, and a
        blind label must be the annotator's alone for the blind-vs-shown comparison to mean anything.
        """
        return None if self.current is None or self.hidden() else self.current.own_sentiment

    def effective(self) -> tuple[str | None, str | None]:
        """The labels Enter would save now."""
        item, blind = self.current, self.hidden()
        if item is None:
            return None, None
        stance = self.stance or (item.stance.label if item.stance and not blind else None)
        sentiment = (self.sentiment or self.carried_sentiment()
                     or (item.sentiment.label if item.sentiment and not blind else None))
        return stance, sentiment

    def _render_labels(self) -> None:
        item = self.current
        if item is None:
            return
        stance, sentiment = self.effective()
        blind = self.hidden()
        pending = self.predictor_problem is None and self.backend.predictor_factory is not None
        unavailable = self.predictor_problem is not None
        self.query_one("#stance", LabelPanel).show(None if blind else item.stance, stance, blind=blind,
                                                   pending=pending, unavailable=unavailable)
        self.query_one("#sentiment", LabelPanel).show(None if blind else item.sentiment, sentiment, blind=blind,
                                                      pending=pending, own=self.carried_sentiment(),
                                                      unavailable=unavailable)

    def _render_bar(self) -> None:
        working = self.activity.now()  # idle time since launch does not dilute the rate
        rate = self.session_count * 3600 / working if working >= 60 else None
        self.query_one(SessionBar).show(self.annotator, self.backend.order, self.backend.blind, self.done,
                                        self.total, rate, note=f"note: {self.note}" if self.note else None)

    def _status(self, text: str) -> None:
        self.query_one("#status", Static).update(plain(text, multiline=True))

    # -- keys typed ahead --------------------------------------------------------------------

    def _typed_ahead(self, action: str, *args) -> bool:
        """Keep a key that arrives while a save is in flight or the next item loads (or while
        earlier keys still wait), to run in order; True when kept, or refused past the limit."""
        if self._replaying or not self.started or not (self.busy or self.waiting or self.typed_ahead):
            return False
        if len(self.typed_ahead) >= TYPE_AHEAD_LIMIT:
            self.app.bell()
            self._status(f"{TYPE_AHEAD_LIMIT} keys typed ahead are waiting already: this one was refused")
            return True
        self.typed_ahead.append((action, args))
        self._status(f"saving… {len(self.typed_ahead)} key(s) typed ahead follow in order")
        if not (self.busy or self.waiting):  # nothing in flight to resume the run: resume it now
            self.call_later(self._replay_typed_ahead)
        return True

    def on_screen_resume(self) -> None:
        """Back from a dialog (help, guidelines) opened while keys were waiting: run them."""
        if self.typed_ahead:
            self.call_later(self._replay_typed_ahead)

    def _refuse_typed_ahead(self, why: str) -> None:
        n = len(self.typed_ahead)
        self.typed_ahead.clear()
        if n:
            self.app.bell()
            self.notify(f"{n} key(s) typed ahead were not applied: {why}", title="keys refused",
                        severity="warning", timeout=8, markup=False)

    def _replay_typed_ahead(self) -> None:
        """Run the keys typed ahead while the screen is ready for them; a save stops the run
        until it returns (the next item then resumes it)."""
        refused = 0
        self._replaying = True
        try:
            while self.typed_ahead and not self.busy and not self.waiting and self.app.screen is self:
                action, args = self.typed_ahead.popleft()
                if self.current is None and action not in ITEMLESS_ACTIONS:
                    refused += 1
                    continue
                getattr(self, f"action_{action}")(*args)
                if action in DIALOG_ACTIONS and self.typed_ahead:
                    self._refuse_typed_ahead("they were typed before the dialog opened")
        finally:
            self._replaying = False
        if refused:
            self.app.bell()
            self.notify(f"{refused} key(s) typed ahead were not applied: no item left", title="keys refused",
                        severity="warning", timeout=8, markup=False)

    # -- actions ---------------------------------------------------------------------------

    def _ready(self) -> bool:
        return self.current is not None and not self.busy

    def _decision(self, action: str, **fields) -> NewDecision:
        item = self.current
        assert item is not None
        return NewDecision(statement_id=item.key.statement_id, target_id=item.key.target_id, action=action,
                           duration_ms=max(0, int((self.activity.now() - self.shown_active) * 1000)),
                           note=self.note,
                           order_mode=self.backend.order, **fields)

    def _save(self, decision: NewDecision, counts_as_done: bool) -> None:
        key = self.current.key

        def job() -> None:
            decision_id = self.backend.save(decision, on_wait=self._tell_waiting)
            self.post_message(msg.DecisionSaved(decision_id, decision.action, key, counts_as_done, decision.sentiment))
        self._write(job)

    def action_accept(self) -> None:
        if self._typed_ahead("accept") or not self._ready():
            return
        item, blind = self.current, self.hidden()
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
        if not self._typed_ahead("stance", label) and self._ready():
            self.stance = label
            self._render_labels()

    def action_sentiment(self, label: str) -> None:
        if not self._typed_ahead("sentiment", label) and self._ready():
            self.sentiment = label
            self._render_labels()

    def action_reset(self) -> None:
        """Drop the labels chosen on this item; a note stays (n, then an empty note, clears it)."""
        if not self._typed_ahead("reset") and self._ready():
            self.stance = self.sentiment = None
            self._render_labels()
            self._status("back to the suggestions" + (" (your note is kept)" if self.note else ""))

    def action_skip(self) -> None:
        if not self._typed_ahead("skip") and self._ready():
            self._save(self._decision("skip", suggestions_shown=self._suggestions_shown()), counts_as_done=False)

    def _suggestions_shown(self) -> bool:
        return not self.hidden() and bool(self.current and (self.current.stance or self.current.sentiment))

    def action_not_about(self) -> None:
        """The statement is not about this target: a verdict of its own, not a neutral stance."""
        if self._ready():
            self._save(self._decision("not_about", suggestions_shown=self._suggestions_shown()), counts_as_done=True)

    def action_flag(self) -> None:
        if self._typed_ahead("flag") or not self._ready():
            return

        def flagged(reasons: list[str] | None) -> None:
            if reasons and self._ready():
                self._save(self._decision("flag", reason_codes=tuple(reasons),
                                          suggestions_shown=self._suggestions_shown()), counts_as_done=True)
        self.app.push_screen(FlagScreen(), flagged)

    def action_note(self) -> None:
        if self._typed_ahead("note") or not self._ready():
            return

        def noted(text: str | None) -> None:
            if text is not None:
                self.note = text or None
                self._render_bar()
                self._status("note kept: it is saved with this item's decision" if text else "note cleared")
        self.app.push_screen(NoteScreen(self.note), noted)

    def action_undo(self) -> None:
        if self._typed_ahead("undo") or self.busy or not self.started:
            return

        def job() -> None:
            item, action = self.backend.undo(on_wait=self._tell_waiting)
            self.post_message(msg.Undone(item, action))
            if action in ("not_statement", "add_statement"):  # the queue holds the statement again / no more
                self.post_message(msg.ProgressRefreshed(self.backend.progress()))
        self._write(job)

    def action_context(self) -> None:
        if not self._typed_ahead("context") and self.current is not None:
            self.extra_context = (self.extra_context + 1) % 3
            self.query_one(StatementView).show(self.current, self.extra_context)
            self._status(["paragraph only", "± 1 paragraph", "± 2 paragraphs"][self.extra_context])

    def action_search(self) -> None:
        if self._typed_ahead("search") or not self.started or self.busy:
            return

        def run(text: str) -> None:
            self._spawn("search", lambda: self.post_message(msg.SearchResults(text, self.backend.search(text))))

        def chosen(item: QueueItem | None) -> None:
            if item is None:
                return
            # label the found item, then go on from there: the queue continues after it; what was buffered
            # (and the item on screen) comes back once the end is reached
            self.backend.jump(item)
            self.buffer.clear()
            self.exhausted = False
            self._show(item)
            self._fetch()
        self.app.push_screen(SearchScreen(run), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keep `t` out of the footer where training is off (blind sessions, no trainer)."""
        if action == "train" and (self.backend.trainer is None or self.backend.blind):
            return False
        return True

    def action_train(self) -> None:
        """Fine-tune on the decisions so far, in a worker: annotation goes on meanwhile."""
        if not self.started or self.training:
            return
        if self.backend.trainer is None or self.backend.blind:
            self._status("training is not available in this session")
            return
        self.training = True
        target = self.current.target_text if self.current else None
        self._status("training started in the background — keep annotating")

        def report(done: int, total: int, message: str) -> None:
            self.post_message(msg.TrainingProgress(f"training: {message} ({done}/{total})"))

        def job() -> None:
            lines, trained = [], False
            for task, about in (("stance", target), ("sentiment", None)):
                try:
                    summary = self.backend.train(task, about, report)
                    lines.append(f"{task}: new version {summary['version']}")
                    trained = True
                except Exception as exc:  # noqa: BLE001 - one task may lack data; say why
                    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                    lines.append(f"{task}: not trained, {reason}")
            self.post_message(msg.TrainingDone(" · ".join(lines), trained))
        self.run_worker(job, thread=True, group="train", exit_on_error=False)

    def action_guidelines(self) -> None:
        self.app.push_screen(GuidelinesScreen(clean_text(self.guidelines) or "No guidelines yet."))

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.keys))

    def action_quit(self) -> None:
        if self.typed_ahead and self._typed_ahead("quit"):  # after the keys typed before it
            return
        if self.busy:
            self.quit_after_write = True  # the decision in flight is committed first
            return
        self.app.exit()
