"""Worker plumbing for the annotation screen: thread workers and the messages they post.

Every database or model call runs on a thread worker; results come back as typed messages
(workbench.tui.messages) handled here on the UI thread.
"""
from __future__ import annotations

from collections import deque
from collections.abc import Callable

from workbench.tui import messages as msg
from workbench.tui.screens.corrections import ACTION_WORDS
from workbench.tui.screens.dialogs import SearchScreen

PREFETCH = 20    # items per fetch
LOW_WATER = 6    # fetch more when fewer than this are buffered
PREDICT_BATCH = 32


class SessionWorkers:
    """Mixed into AnnotateScreen; uses its state (buffer, current, flags) and its _show/_advance."""

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
                items, dry, epoch = self.backend.fetch_at(PREFETCH, exclude)
            finally:
                self.fetching = False
            self.post_message(msg.ItemsLoaded(items, dry, epoch))
        self._spawn("fetch", job)

    def _maybe_prefetch(self) -> None:
        if len(self.buffer) < LOW_WATER and not self.exhausted:
            self._fetch()

    def _write(self, job: Callable[[], None]) -> None:
        self.busy = True
        self._spawn("write", job)

    def _tell_waiting(self, waited_s: float) -> None:
        """Called on the writing worker while another program holds the write lock."""
        self.post_message(msg.WriteWaiting(waited_s))

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

    def on_started(self, event: msg.Started) -> None:
        self.guidelines = event.guidelines
        self.done, self.total = event.progress.done, event.progress.total
        if event.problem:
            self._message(event.problem)
            return
        self.started = True
        self._message("Loading items…")
        self.waiting = True
        self._fetch()

    def on_start_failed(self, event: msg.StartFailed) -> None:
        self._message(f"Cannot open the annotation session:\n\n{event.message}\n\nPress q to quit.")

    def on_items_loaded(self, event: msg.ItemsLoaded) -> None:
        if event.epoch != self.backend.epoch:  # read before a search jump moved the queue: read again
            self._maybe_prefetch()
            return
        self.exhausted = event.exhausted
        known = {i.key for i in self.buffer} | ({self.current.key} if self.current else set())
        self.buffer.extend(i for i in event.items if i.key not in known)
        if self.waiting:
            self._advance() if self.buffer else self._all_done()
        else:
            self._maybe_predict()

    def on_decision_saved(self, event: msg.DecisionSaved) -> None:
        self.busy = False
        if event.counts_as_done:
            self.done += 1
            self.session_count += 1
        if event.sentiment is not None:  # the same statement under another target: pre-select it
            self._carry_sentiment(event.key.statement_id, event.sentiment)
        if self.quit_after_write:
            self.app.exit()
            return
        if event.action == "not_statement":  # a verdict on the statement: its other targets leave too
            self.drop_statement(event.key.statement_id)
        self._advance()
        self._status({"label": "saved ✓", "skip": "skipped — it comes back at the end",
                      "flag": "flagged ✓", "not_about": "marked not about this target ✓",
                      "not_statement": "marked not a statement ✓ (under every target)"}[event.action])
        self.call_later(self._replay_typed_ahead)

    def on_write_waiting(self, event: msg.WriteWaiting) -> None:
        self._status(f"database busy (another program is writing): your decision is kept and saving is "
                     f"retried — waited {event.waited_s:.0f} s")

    def _carry_sentiment(self, statement_id: int, sentiment: str | None) -> None:
        """The annotator's standing sentiment for a statement, on its queued items under other targets."""
        for item in self.buffer:
            if item.key.statement_id == statement_id:
                item.own_sentiment = sentiment

    def on_undone(self, event: msg.Undone) -> None:
        self.busy = False
        self.call_later(self._replay_typed_ahead)  # after this handler: the item shown, the status said
        if event.action is None:
            self._status("nothing to undo")
            return
        if event.action in ("label", "flag", "not_about", "not_statement"):
            self.done = max(0, self.done - 1)
            self.session_count = max(0, self.session_count - 1)
        words = ACTION_WORDS.get(event.action, event.action)
        item = event.item
        if event.action == "add_statement":  # the statement is withdrawn: nothing to show
            self._status(f"undid your {words}")
            return
        if item is None or self.backend.queue is None or item.key.target_id not in self.backend.queue.target_ids:
            self._status(f"undid your {words} (on an item outside this session)")
            self._render_bar()
            return
        self.buffer = deque(i for i in self.buffer if i.key != item.key)
        if self.current is not None and self.current.key != item.key:
            self.buffer.appendleft(self.current)
        # the reloaded item knows the statement's standing sentiment now that the event is withdrawn;
        # its siblings queued here still carry the withdrawn one
        self._carry_sentiment(item.key.statement_id, item.own_sentiment)
        self.share_statement(item)  # an undone correction: its siblings show the span and speaker that stand now
        self._show(item)
        self._status(f"undid your {words} — the item is back")

    def on_predictions_ready(self, event: msg.PredictionsReady) -> None:
        self.predicting = False
        for item in ([self.current] if self.current else []) + list(self.buffer):
            stance, sentiment = event.suggestions.get(item.key, (None, None))
            item.stance = item.stance or stance
            item.sentiment = item.sentiment or sentiment
        if self.current is not None and self.current.key in event.suggestions:
            self._render_labels()
        self._maybe_predict()

    def on_predictor_failed(self, event: msg.PredictorFailed) -> None:
        self.predicting = False
        self.predictor_problem = event.message
        self._status(f"model unavailable ({event.message}); choose labels by hand")
        self._render_labels()

    def on_training_progress(self, event: msg.TrainingProgress) -> None:
        self._status(event.text)

    def on_training_done(self, event: msg.TrainingDone) -> None:
        self.training = False
        self.predictor_problem = None
        self._status(f"training finished — {event.text}")
        # the status row is one line and cuts long version names; the notice wraps and says what changes
        after = ("\n\nItems without a suggestion get the new versions'; items already pre-labelled keep theirs "
                 "until `workbench prelabel` runs." if event.trained else "")
        self.notify(event.text.replace(" · ", "\n") + after, title="training finished", timeout=15,
                    severity="information" if event.trained else "warning", markup=False)

    def on_search_results(self, event: msg.SearchResults) -> None:
        if isinstance(self.app.screen, SearchScreen):
            self.app.screen.show_results(event.items)

    def on_db_error(self, event: msg.DbError) -> None:
        self.busy = self.fetching = False
        # keys typed ahead were meant for the items after the one whose save failed
        quit_asked = any(action == "quit" for action, _ in self.typed_ahead)
        self._refuse_typed_ahead("a save failed first")
        if quit_asked:
            self.app.exit()
            return
        self._status(f"database problem: {event.message} — nothing was lost; try again")
        if self.waiting and not self.buffer:
            self.waiting = False  # nothing is loading any more: keys are not kept for items to come
            self._message(f"Database problem:\n\n{event.message}\n\nPress q to quit.")
