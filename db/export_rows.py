"""The export's rows as named tuples: what `db.export_read.Reader` yields and the writers format.

Values are as the driver gives them (SQLite: booleans as 0/1, JSON and timestamps as text).
"""
from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["StatementRow", "LabelEvent", "FlagEvent", "PredictionRow", "GoldRow", "ExportItem"]


class StatementRow(NamedTuple):
    """A labelled (or flagged) statement with its document's name and hash."""
    id: int
    doc: str
    doc_sha256: str
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_role: str | None
    speaker_type: str
    kind: str
    cue: str | None
    speaker_id: str | None


class LabelEvent(NamedTuple):
    """A standing label decision; booleans as 0/1 on SQLite, reason codes and time as the driver gives them."""
    statement_id: int
    id: int
    target_id: int | None
    annotator_id: int
    stance: str | None
    sentiment: str | None
    duration_ms: int | None
    order_mode: str | None
    suggestions_shown: int | bool | None
    accepted_as_is: int | bool | None
    reason_codes: Any
    note: str | None
    created_at: Any
    stance_prediction_id: int | None
    sentiment_prediction_id: int | None

    def label(self, task: str) -> str | None:
        return self.stance if task == "stance" else self.sentiment

    def prelabel_id(self, task: str) -> int | None:
        """The prediction shown for `task` when the label was given (the pre-label), if any."""
        return self.stance_prediction_id if task == "stance" else self.sentiment_prediction_id


class FlagEvent(NamedTuple):
    """A standing flag decision (raw values, as LabelEvent)."""
    statement_id: int
    id: int
    target_id: int | None
    annotator_id: int
    reason_codes: Any
    note: str | None
    duration_ms: int | None
    order_mode: str | None
    suggestions_shown: int | bool | None
    created_at: Any


class PredictionRow(NamedTuple):
    id: int
    statement_id: int
    target_id: int | None
    task: str
    label: str
    model_name: str
    model_version: str
    probabilities: Any  # JSON text (SQLite) or a dict (PostgreSQL)


class GoldRow(NamedTuple):
    """The standing gold label of an item, with the adjudicator's name."""
    statement_id: int
    target_id: int | None
    task: str
    label: str
    adjudicator: str
    note: str | None
    created_at: Any


class ExportItem(NamedTuple):
    """One export row's worth: a statement's stance item (per target) or its sentiment item."""
    task: str
    target: str | None               # the target's text; None for sentiment
    events: list[LabelEvent]         # the current label of each annotator, by annotator name
    gold: GoldRow | None
    prediction: PredictionRow | None  # the item's newest prediction
    flags: list[FlagEvent]           # standing flags, the newest per annotator and target, by name and target
    not_a_statement: bool            # some standing flag on the statement says it is not a statement
