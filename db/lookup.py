"""Keyed lookups that import and merge resolve a file's or another database's names with.

A file names a statement by document (name or sha256) and offsets, a target by its text, a
prediction by (item, task, label, model version); these answer one such question each, or a
whole document's worth at once so that a big import costs a query per document, not per line.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Document, Prediction, Statement, Target


class StatementSpan(NamedTuple):
    id: int
    start: int
    end: int


class NamedDocument(NamedTuple):
    id: int
    sha256: str


class PredictionKey(NamedTuple):
    """What names a prediction in a file: its item, task, label and model version."""
    statement_id: int
    target_id: int | None
    task: str
    label: str
    model_name: str
    model_version: str


def statement_spans(session: Session, document_id: int) -> list[StatementSpan]:
    """Every statement of a document: (id, start, end)."""
    rows = session.execute(select(Statement.id, Statement.start, Statement.end)
                           .where(Statement.document_id == document_id))
    return [StatementSpan(*row) for row in rows]


def statements_by_sha_and_span(session: Session) -> dict[tuple[str, int, int], int]:
    """{(document sha256, start, end): statement id} for every statement (merge matches on the text's hash)."""
    return {(sha, start, end): sid for sid, start, end, sha in session.execute(
        select(Statement.id, Statement.start, Statement.end, Document.sha256).join(Document))}


def document_id_by_sha(session: Session, sha256: str) -> int | None:
    return session.scalar(select(Document.id).where(Document.sha256 == sha256))


def documents_named(session: Session, source: str) -> list[NamedDocument]:
    """The documents ingested under this name, oldest first (two folders can hold the same name)."""
    rows = session.execute(select(Document.id, Document.sha256).where(Document.source == source)
                           .order_by(Document.id))
    return [NamedDocument(*row) for row in rows]


def statement_texts(session: Session, statement_ids: Iterable[int], chunk: int = 500) -> dict[int, str]:
    """{statement id: text}, read `chunk` ids at a time (a bound-parameter list stays short)."""
    ids = sorted(set(statement_ids))
    texts: dict[int, str] = {}
    for begin in range(0, len(ids), chunk):
        part = ids[begin:begin + chunk]
        texts.update(session.execute(select(Statement.id, Statement.text).where(Statement.id.in_(part))).all())
    return texts


def target_texts(session: Session) -> dict[int, str]:
    """{target id: text} of every target."""
    return dict(session.execute(select(Target.id, Target.text)).all())


def target_id_by_text(session: Session, text: str) -> int | None:
    """The target stored with exactly this text (callers normalise it with repository.target_text)."""
    return session.scalar(select(Target.id).where(Target.text == text))


def document_prediction_ids(session: Session, document_id: int) -> dict[PredictionKey, int]:
    """{key: id} of every prediction on a document's statements; the newest id where a key repeats."""
    rows = session.execute(
        select(Prediction.id, Prediction.statement_id, Prediction.target_id, Prediction.task, Prediction.label,
               Prediction.model_name, Prediction.model_version)
        .join(Statement, Statement.id == Prediction.statement_id)
        .where(Statement.document_id == document_id).order_by(Prediction.id))
    return {PredictionKey(*row[1:]): row[0] for row in rows}
