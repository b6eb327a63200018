"""Queue filters (document, speaker, speaker type, the model's label, its confidence) as SQL conditions, and the
newest model suggestion of each item: shared by the annotation queue (db/queue.py) and the adjudication /
review queues (db/adjudication.py), so a filter means the same everywhere."""
from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from db.errors import StorageError
from db.schema import SPEAKER_TYPES, Document, Prediction, Statement
from vocabulary import LABELS_BY_TASK, SENTIMENT_LABELS, STANCE_LABELS


@dataclass(frozen=True)
class QueueFilters:
    """What to queue beyond 'not done by this annotator'; the defaults are the annotation queue's."""
    all_pairs: bool = False                 # ignore relatedness: every (statement, target) pair
    document: str | None = None             # glob on the document's source name
    speaker: str | None = None              # case-insensitive part of the speaker's name
    speaker_type: str | None = None         # official / expert / other
    label: str | None = None                # the model's label: stance (favor...) or sentiment (positive...)
    max_confidence: float | None = None     # the least sure of the two suggestions at most this probable

    def __post_init__(self):
        if self.speaker_type is not None and self.speaker_type not in SPEAKER_TYPES:
            raise StorageError(f"unknown speaker type {self.speaker_type!r} (expected one of {', '.join(SPEAKER_TYPES)})")
        if self.label is not None:
            label_task(self.label)
        if self.max_confidence is not None and not 0.0 <= self.max_confidence <= 1.0:
            raise StorageError(f"--max-confidence is a probability between 0 and 1, got {self.max_confidence}")
        for name in ("document", "speaker"):
            value = getattr(self, name)
            if value is not None and not value.strip():
                raise StorageError(f"--{name} needs some text")

    @property
    def reads_predictions(self) -> bool:
        return self.label is not None or self.max_confidence is not None


def label_task(label: str) -> tuple[str, str]:
    """(task, label) for a --label value: 'against', 'positive', 'stance:neutral', 'sentiment:neutral'.

    A bare 'neutral' is stance's (the queue's items are stance pairs)."""
    task, _, name = label.rpartition(":")
    known = LABELS_BY_TASK
    if task:
        if task not in known or name not in known[task]:
            raise StorageError(f"unknown label {label!r} (stance: {', '.join(STANCE_LABELS)}; "
                               f"sentiment: {', '.join(SENTIMENT_LABELS)}; or task:label)")
        return task, name
    for task, labels in known.items():
        if name in labels:
            return task, name
    raise StorageError(f"unknown label {label!r} (stance: {', '.join(STANCE_LABELS)}; "
                       f"sentiment: {', '.join(SENTIMENT_LABELS)}; or task:label)")


def model_label(name: str, version: str, precision: str | None) -> str:
    """'mpnet-lora-stance 2.1.1 · bf16': the precision where it was recorded (a near-tie can differ by it)."""
    return f"{name} {version}" + (f" · {precision}" if precision else "")


@dataclass(frozen=True)
class Suggestion:
    prediction_id: int
    label: str
    probabilities: dict[str, float]
    model: str  # what the UI shows: model_label(name, version, precision)

    @property
    def confidence(self) -> float:
        return float(self.probabilities.get(self.label, 0.0))


def latest_prediction(task: str, statement_col, target_col):
    """SELECT the newest prediction of `task` for the outer item (target_col None: sentiment's); add conditions."""
    P, newer = Prediction, aliased(Prediction)
    if target_col is None:
        same_target, newer_target = P.target_id.is_(None), newer.target_id.is_(None)
    else:
        same_target, newer_target = P.target_id == target_col, newer.target_id == P.target_id
    return select(P.id).where(
        P.statement_id == statement_col, P.task == task, same_target,
        ~exists(select(newer.id).where(newer.statement_id == P.statement_id, newer.task == task, newer_target,
                                       newer.id > P.id)))


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_documents(sources, glob: str) -> list[int]:
    return [d for d, source in sources if fnmatch.fnmatchcase(source, glob)]


def filter_conditions(session: Session, filters: QueueFilters, target_col) -> list:
    """SQL conditions on Statement for the filters on document, speaker, speaker type and the model's label.

    `target_col` is the item's target id column (None for statement-level items: sentiment). Shared by the
    annotation queue and the adjudication / review queues, so a filter means the same everywhere."""
    S, f = Statement, filters
    out = []
    if f.document:
        sources = session.execute(select(Document.id, Document.source)).all()
        out.append(S.document_id.in_(matching_documents(sources, f.document)))
    if f.speaker:
        out.append(S.speaker.ilike(f"%{_like_escape(f.speaker.strip())}%", escape="\\"))
    if f.speaker_type:
        out.append(S.speaker_type == f.speaker_type)
    if f.label:
        task, label = label_task(f.label)
        if task == "stance" and target_col is None:
            raise StorageError(f"--label {f.label} is a stance label; sentiment items take a sentiment label "
                               "(positive, negative, sentiment:neutral)")
        out.append(exists(latest_prediction(task, S.id, target_col if task == "stance" else None)
                          .where(Prediction.label == label)))
    return out


def within_confidence(session: Session, keys: list, limit: float | None) -> list:
    """keys (statement_id, target_id or None) whose least sure suggestion is at most `limit` probable
    (items without predictions pass)."""
    if limit is None or not keys:
        return keys
    found = newest_suggestions(session, keys)

    def confidence(key) -> float:
        sure = [s.confidence for s in (found.get((key[0], "stance", key[1])),
                                       found.get((key[0], "sentiment", None))) if s is not None]
        return min(sure) if sure else 0.0
    return [k for k in keys if confidence(k) <= limit]


def newest_suggestions(session: Session, keys: Sequence) -> dict[tuple, Suggestion]:
    """The newest stance and sentiment prediction of each (statement_id, target_id) key, by (sid, task, tid)."""
    P = Prediction
    wanted = {(k[0], "stance", k[1]) for k in keys} | {(k[0], "sentiment", None) for k in keys}
    out: dict[tuple, Suggestion] = {}
    rows = session.execute(
        select(P.id, P.statement_id, P.task, P.target_id, P.label, P.probabilities, P.model_name, P.model_version,
               P.precision)
        .where(P.statement_id.in_({k[0] for k in keys})).order_by(P.id))
    for pid, sid, task, tid, label, probs, name, version, precision in rows:
        if (sid, task, tid) in wanted:  # newest wins: rows come in id order
            out[(sid, task, tid)] = Suggestion(pid, label, {k: float(v) for k, v in (probs or {}).items()},
                                               model_label(name, version, precision))
    return out
