"""What the annotation UI asks of the database to correct the extraction — plain, blocking calls
(thread workers only), each its own transaction, retried while another program holds the write lock."""
from __future__ import annotations

from collections.abc import Callable

from db import corrections
from db.engine import transaction, write_retrying
from db.queue import ItemKey, QueueItem

OnWait = Callable[[float], None] | None


class CorrectionCalls:
    """Mixed into Backend (uses its engine, reader, annotator and load)."""

    def _append(self, write, on_wait: OnWait):
        return write_retrying(self.engine, lambda session: write(session, self.annotator), on_wait)

    def mark_not_statement(self, key: ItemKey, duration_ms: int | None = None, on_wait: OnWait = None) -> int:
        return self._append(lambda s, a: corrections.mark_not_statement(
            s, a, key.statement_id, key.target_id, duration_ms=duration_ms).id, on_wait)

    def fix_span(self, key: ItemKey, start: int, end: int, duration_ms: int | None = None,
                 on_wait: OnWait = None) -> QueueItem | None:
        """Record the corrected span; the item reloaded with it."""
        self._append(lambda s, a: corrections.fix_span(s, a, key.statement_id, key.target_id, start, end,
                                                       duration_ms=duration_ms).id, on_wait)
        return next(iter(self.load([key])), None)

    def fix_speaker(self, key: ItemKey, choice: corrections.SpeakerChoice, duration_ms: int | None = None,
                    on_wait: OnWait = None) -> QueueItem | None:
        self._append(lambda s, a: corrections.fix_speaker(s, a, key.statement_id, key.target_id, choice,
                                                          duration_ms=duration_ms).id, on_wait)
        return next(iter(self.load([key])), None)

    def add_statement(self, document_id: int, start: int, end: int, choice: corrections.SpeakerChoice,
                      target_id: int | None, duration_ms: int | None = None, on_wait: OnWait = None) -> int:
        """Add a statement the extractor missed; returns its statement id."""
        statement_id = self._append(lambda s, a: corrections.add_statement(
            s, a, document_id, start, end, choice, target_id, duration_ms=duration_ms)[0].id, on_wait)
        if self.queue is not None:
            with self._queue_lock:
                self.queue.revisit()
        return statement_id

    def people(self, document_id: int) -> list[corrections.SpeakerChoice]:
        """The people the article names (its canonical speakers), to pick a speaker from."""
        with transaction(self.reader) as session:
            return corrections.document_people(session, document_id)
