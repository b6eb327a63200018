"""The annotation screen's corrections of the extraction: not a statement (k), fix the span (e),
change the speaker (w), add a missed statement (i). Each is an event of the decision log, written
on a worker like any decision (so `u` undoes it); the item stays on screen with its corrected span
and speaker, except after "not a statement", which is a verdict: the item is done."""
from __future__ import annotations

from workbench import spans
from workbench.tui import messages as msg
from workbench.tui.screens.span_editor import SpanEditorScreen
from workbench.tui.screens.speaker_picker import SpeakerScreen
from workbench.tui.widgets.statement import SpeakerLine, StatementView

CORRECTION_DIALOGS = ("fix_span", "fix_speaker", "add_statement")
# how the status line and undo name the events
ACTION_WORDS = {"not_statement": "not-a-statement verdict", "fix_span": "span correction",
                "fix_speaker": "speaker correction", "add_statement": "added statement"}


class CorrectionActions:
    """Mixed into AnnotateScreen; uses its state (current, buffer, busy) and its worker plumbing."""

    def _elapsed_ms(self) -> int:
        return max(0, int((self.activity.now() - self.shown_active) * 1000))

    def action_not_statement(self) -> None:
        """The span is no statement at all: a verdict on the statement (every target), the item is done."""
        if self._typed_ahead("not_statement") or not self._ready():
            return
        key, elapsed = self.current.key, self._elapsed_ms()

        def job() -> None:
            decision_id = self.backend.mark_not_statement(key, elapsed, on_wait=self._tell_waiting)
            self.post_message(msg.DecisionSaved(decision_id, "not_statement", key, True, None))
            self.post_message(msg.ProgressRefreshed(self.backend.progress()))  # its other targets left too
        self._write(job)

    def action_fix_span(self) -> None:
        if self._typed_ahead("fix_span") or not self._ready():
            return
        item, key = self.current, self.current.key

        def chosen(span: tuple[int, int] | None) -> None:
            if span is None or not self._ready() or self.current.key != key:
                return
            if span == (item.start, item.end):
                self._status("the span is unchanged")
                return
            elapsed = self._elapsed_ms()

            def job() -> None:
                fixed = self.backend.fix_span(key, *span, duration_ms=elapsed, on_wait=self._tell_waiting)
                self.post_message(msg.CorrectionSaved("fix_span", key, fixed, "span corrected ✓ (u undoes)"))
            self._write(job)
        self.app.push_screen(SpanEditorScreen(item.document_text, item.start, item.end, "Fix the span",
                                              getattr(self.app, "user_keymap", None)), chosen)

    def action_fix_speaker(self) -> None:
        if self._typed_ahead("fix_speaker") or not self._ready():
            return
        item, key = self.current, self.current.key

        def chosen(choice) -> None:
            if choice is None or not self._ready() or self.current.key != key:
                return
            elapsed = self._elapsed_ms()

            def job() -> None:
                fixed = self.backend.fix_speaker(key, choice, duration_ms=elapsed, on_wait=self._tell_waiting)
                self.post_message(msg.CorrectionSaved("fix_speaker", key, fixed, "speaker corrected ✓ (u undoes)"))
            self._write(job)
        self._pick_speaker(item, item.speaker, "Who said it?", chosen)

    def action_add_statement(self) -> None:
        """Select a statement the extractor missed in the context view (starting at the next sentence),
        then say who said it; the current item stays."""
        if self._typed_ahead("add_statement") or not self._ready():
            return
        item, key = self.current, self.current.key
        text = item.document_text
        start, end = spans.next_sentence(text, item.end) or spans.sentence_at(text, item.start)

        def spoken_by(span: tuple[int, int], choice) -> None:
            if choice is None or not self._ready():
                return
            elapsed = self._elapsed_ms()

            def job() -> None:
                self.backend.add_statement(item.document_id, *span, choice, key.target_id, duration_ms=elapsed,
                                           on_wait=self._tell_waiting)
                self.post_message(msg.CorrectionSaved(
                    "add_statement", key, None, f"statement added ✓ ({choice.speaker}); it joins the queue (u undoes)"))
                self.post_message(msg.ProgressRefreshed(self.backend.progress()))
            self._write(job)

        def selected(span: tuple[int, int] | None) -> None:
            if span is not None and self._ready():
                self._pick_speaker(item, None, "Who said the statement you added?",
                                   lambda choice: spoken_by(span, choice))
        self.app.push_screen(SpanEditorScreen(text, start, end, "Add a missed statement: select it",
                                              getattr(self.app, "user_keymap", None)), selected)

    def _pick_speaker(self, item, current: str | None, title: str, then) -> None:
        """Read the article's people on a worker, then open the picker."""
        document_id = item.document_id
        self._spawn("people", lambda: self.post_message(
            msg.PeopleLoaded(self.backend.people(document_id), (title, then), current)))

    def on_people_loaded(self, event: msg.PeopleLoaded) -> None:
        title, then = event.then
        self.app.push_screen(SpeakerScreen(event.people, event.current, title), then)

    def on_correction_saved(self, event: msg.CorrectionSaved) -> None:
        self.busy = False
        fixed = event.item
        if fixed is not None:
            self.share_statement(fixed)
            if self.current is not None and self.current.key == event.key:
                self.query_one(StatementView).show(self.current, self.extra_context)
                self.query_one(SpeakerLine).show(self.current)
        if self.quit_after_write:
            self.app.exit()
            return
        if event.action == "add_statement":  # the queue reads again: the new statement comes in its turn
            self.exhausted = False
            self._maybe_prefetch()
        self._status(event.text)
        self.call_later(self._replay_typed_ahead)

    def share_statement(self, fresh) -> None:
        """The statement's current span and speaker (just corrected, or a correction undone), on the items
        of the same statement under other targets, on screen or buffered."""
        for queued in [self.current, *self.buffer]:
            if queued is not None and queued is not fresh and queued.key.statement_id == fresh.key.statement_id:
                for name in ("start", "end", "text", "speaker", "speaker_role", "speaker_type", "corrected"):
                    setattr(queued, name, getattr(fresh, name))

    def on_progress_refreshed(self, event: msg.ProgressRefreshed) -> None:
        self.done, self.total = event.progress.done, event.progress.total
        self._render_bar()

    def drop_statement(self, statement_id: int) -> None:
        """A statement marked not a statement leaves this annotator's buffer under every target."""
        self.buffer = type(self.buffer)(i for i in self.buffer if i.key.statement_id != statement_id)
