"""Queries for documents, statements, targets, predictions, annotators and status.

Every function takes a Session and leaves commit/rollback to the caller's unit of work
(`db.engine.transaction`), so a command can make one file or one import atomic.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select, true
from sqlalchemy.orm import Session, aliased

from db.decisions import stands
from db.errors import StorageError
from db.plaintext import clean_line, clean_text, has_controls
from db.schema import (
    Annotator,
    Decision,
    Document,
    Prediction,
    Setting,
    Statement,
    Target,
    probability_margin,
)
from vocabulary import PREDICTION_LABELS, RELATEDNESS_TASK


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- documents -----------------------------------------------------------------------------

# the schema's column sizes, read from it so that the two cannot drift apart
SOURCE_MAX = Document.__table__.c.source.type.length
TITLE_MAX = Document.__table__.c.title.type.length
TARGET_MAX = Target.__table__.c.text.type.length
ANNOTATOR_MAX = Annotator.__table__.c.name.type.length
DOCUMENTS_GLOB_MAX = Target.__table__.c.documents.type.length


def storable(value: str, what: str) -> str:
    """PostgreSQL refuses NUL in text while SQLite keeps it: refuse it on both, with a clear reason."""
    if "\x00" in value:
        raise StorageError(f"{what} contains NUL characters, which cannot be stored")
    return value


def add_document(session: Session, source: str, text: str, title: str | None = None,
                 meta: dict[str, Any] | None = None) -> tuple[Document, bool]:
    """Insert a document unless one with the same text exists; returns (document, created).

    Rules that hold on SQLite and PostgreSQL alike: no NUL anywhere; a name of at most 512
    characters (documents are addressed by it); a longer title is cut to the column's 1,024.
    """
    text = clean_text(storable(text, "the document text"))
    source = clean_line(storable(source, "the document name"))
    if len(source) > SOURCE_MAX:
        raise StorageError(f"document name is {len(source)} characters long (at most {SOURCE_MAX})")
    if title is not None:
        title = clean_line(storable(title, "the document title"))[:TITLE_MAX]
    digest = text_sha256(text)
    existing = session.scalar(select(Document).where(Document.sha256 == digest))
    if existing is not None:
        return existing, False
    doc = Document(source=source, title=title, text=text, sha256=digest, meta=meta or {})
    session.add(doc)
    session.flush()
    return doc, True


def documents_for_extraction(session: Session, redo: bool = False) -> list[Document]:
    query = select(Document).order_by(Document.id)
    if not redo:
        query = query.where(~exists().where(Statement.document_id == Document.id))
    return list(session.scalars(query))


def document_by_source(session: Session, source: str) -> Document | None:
    return session.scalars(select(Document).where(Document.source == source).order_by(Document.id)).first()


# -- statements ----------------------------------------------------------------------------

@dataclass(frozen=True)
class StatementFields:
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_role: str | None
    speaker_type: str
    kind: str
    cue: str | None
    speaker_id: str | None = None


def replace_statements(session: Session, document: Document, found: Sequence[StatementFields],
                       extractor_version: str) -> tuple[int, int]:
    """Store the extractor's statements for a document; returns (added, removed).

    A statement someone already labelled or that has predictions keeps its row (history
    points at it); its fields are refreshed when the extractor finds the same span again.
    """
    for item in found:
        if document.text[item.start:item.end] != item.text:
            raise StorageError(f"statement offsets {item.start}:{item.end} do not slice document {document.source!r}")
    old = {(s.start, s.end): s for s in session.scalars(select(Statement).where(Statement.document_id == document.id))}
    added = 0
    for item in found:
        row = old.pop((item.start, item.end), None)
        if row is None:
            row = Statement(document_id=document.id, start=item.start, end=item.end)
            session.add(row)
            added += 1
        row.text, row.speaker, row.speaker_role = item.text, item.speaker, item.speaker_role
        row.speaker_type, row.kind, row.cue = item.speaker_type, item.kind, item.cue
        row.speaker_id = item.speaker_id
        row.extractor_version = extractor_version
    removed = 0
    for row in old.values():
        referenced = session.scalar(select(
            exists().where(Decision.statement_id == row.id) | exists().where(Prediction.statement_id == row.id)))
        if not referenced:
            session.delete(row)
            removed += 1
    session.flush()
    return added, removed


def statement_by_span(session: Session, source: str, start: int, end: int) -> Statement | None:
    return session.scalars(
        select(Statement).join(Document).where(Document.source == source, Statement.start == start,
                                               Statement.end == end).order_by(Statement.id)
    ).first()


def statement_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Statement)) or 0


def iter_statements(session: Session, batch: int = 1000) -> Iterable[tuple[Statement, Document]]:
    query = (select(Statement, Document).join(Document).order_by(Document.id, Statement.start, Statement.id)
             .execution_options(yield_per=batch))
    for stmt, doc in session.execute(query):
        yield stmt, doc


# -- targets -------------------------------------------------------------------------------

def target_text(text: str) -> str:
    """A target as stored and looked up: one line, no control characters, single spaces."""
    return " ".join(clean_line(text).split())


def add_target(session: Session, text: str, description: str | None = None, aliases: Sequence[str] = (),
               documents: str | None = None, threshold: float | None = None) -> Target:
    """A stance target; `aliases` are keywords that queue a pair whatever its relatedness score, `documents` a
    glob on document names that scopes the target, `threshold` the relatedness score a pair needs (0..1)."""
    text = target_text(storable(text, "the target"))
    if not text:
        raise StorageError("a target needs some text")
    if len(text) > TARGET_MAX:
        raise StorageError(f"a target is at most {TARGET_MAX} characters (this one has {len(text)})")
    if description is not None:
        description = clean_text(storable(description, "the target description"))
    keywords = []
    for alias in aliases:
        alias = " ".join(storable(alias, "an alias").split())
        if not alias:
            raise StorageError("an alias needs some text")
        if alias not in keywords:
            keywords.append(alias)
    if documents is not None:
        documents = storable(documents, "the documents glob").strip()
        if not documents:
            raise StorageError("--documents needs a glob such as 'izvestia-*'")
        if len(documents) > DOCUMENTS_GLOB_MAX:
            raise StorageError(f"a documents glob is at most {DOCUMENTS_GLOB_MAX} characters")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise StorageError(f"a relatedness threshold is between 0 and 1, got {threshold}")
    if session.scalar(select(Target).where(Target.text == text)) is not None:
        raise StorageError(f"target already exists: {text!r}")
    target = Target(text=text, description=description, aliases=keywords, documents=documents, threshold=threshold)
    session.add(target)
    session.flush()
    return target


def ensure_target(session: Session, text: str, description: str | None = None) -> Target:
    found = session.scalar(select(Target).where(Target.text == target_text(text)))
    return found if found is not None else add_target(session, text, description)


def list_targets(session: Session) -> list[Target]:
    return list(session.scalars(select(Target).order_by(Target.id)))


def find_target(session: Session, text_or_id: str | int) -> Target:
    """A target by id ("3") or exact text; a clear error otherwise."""
    target = None
    if isinstance(text_or_id, int) or str(text_or_id).isdigit():
        target = session.get(Target, int(text_or_id))
    if target is None:
        target = session.scalar(select(Target).where(Target.text == target_text(str(text_or_id))))
    if target is None:
        raise StorageError(f"no such target: {text_or_id!r} (see `workbench targets list`)")
    return target


# -- predictions ---------------------------------------------------------------------------

@dataclass(frozen=True)
class PredictionItem:
    statement_id: int
    target_id: int | None
    text: str
    target: str | None


def items_missing_predictions(session: Session, task: str, model_name: str, model_version: str) -> list[PredictionItem]:
    """(statement, target) pairs this model version has not predicted yet."""
    done = (select(Prediction.id).where(
        Prediction.statement_id == Statement.id, Prediction.task == task,
        Prediction.model_name == model_name, Prediction.model_version == model_version))
    if task == "sentiment":
        rows = session.execute(
            select(Statement.id, Statement.text).where(~exists(done.where(Prediction.target_id.is_(None))))
            .order_by(Statement.id))
        return [PredictionItem(sid, None, text, None) for sid, text in rows]
    rows = session.execute(
        select(Statement.id, Statement.text, Target.id, Target.text)
        .join(Target, true())  # every statement × every target
        .where(~exists(done.where(Prediction.target_id == Target.id)))
        .order_by(Statement.id, Target.id))
    return [PredictionItem(sid, tid, text, ttext) for sid, text, tid, ttext in rows]


def add_predictions(session: Session, task: str, model_name: str, model_version: str,
                    rows: Iterable[tuple], precision: str | None = None) -> int:
    """Store one model version's predictions; precision is the matmul precision they ran in, if known.

    A row is (item, label, probabilities), or for relatedness (item, label, probabilities, score)."""
    allowed = PREDICTION_LABELS[task]
    payload = []
    for item, label, probs, *score in rows:
        if label not in allowed:
            raise StorageError(f"unknown {task} label from model {model_name}: {label!r}")
        payload.append(dict(statement_id=item.statement_id, target_id=item.target_id, task=task, label=label,
                            probabilities={k: float(v) for k, v in probs.items()},
                            margin=probability_margin(probs),
                            model_name=model_name, model_version=model_version, precision=precision,
                            score=float(score[0]) if score else None))
    if payload:
        session.execute(Prediction.__table__.insert(), payload)
    return len(payload)


@dataclass(frozen=True)
class RelatednessItem:
    """A (statement, target) pair the relatedness gate has not scored; offsets index document_id's text."""
    statement_id: int
    target_id: int
    text: str
    document_id: int
    start: int
    end: int
    target: str
    aliases: tuple[str, ...]


def items_missing_relatedness(session: Session, model_name: str, model_version: str) -> list[RelatednessItem]:
    """Pairs whose newest relatedness score is not this gate version's: never scored by it, or scored since by
    another (going back to an earlier gate with `models use` scores again, as the queue reads the newest row)."""
    P, newer = Prediction, aliased(Prediction)
    done = select(P.id).where(P.statement_id == Statement.id, P.task == RELATEDNESS_TASK, P.target_id == Target.id,
                              P.model_name == model_name, P.model_version == model_version,
                              ~exists(select(newer.id).where(newer.statement_id == P.statement_id,
                                                             newer.task == RELATEDNESS_TASK,
                                                             newer.target_id == P.target_id, newer.id > P.id)))
    rows = session.execute(
        select(Statement.id, Target.id, Statement.text, Statement.document_id, Statement.start, Statement.end,
               Target.text, Target.aliases)
        .join(Target, true()).where(~exists(done)).order_by(Statement.document_id, Statement.id, Target.id))
    return [RelatednessItem(sid, tid, text, did, a, b, ttext, tuple(aliases or ()))
            for sid, tid, text, did, a, b, ttext, aliases in rows]


def document_texts(session: Session, document_ids: Iterable[int]) -> dict[int, str]:
    return dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(set(document_ids)))).all())


def find_or_add_prediction(session: Session, statement_id: int, target_id: int | None, task: str, label: str,
                           probabilities: dict[str, float], model_name: str, model_version: str,
                           created_at: datetime | None = None, precision: str | None = None) -> tuple[int, bool]:
    """The id of this model version's prediction of `label` for the item, adding it if missing.

    Import and merge bring in the predictions that decisions point at; a prediction already
    here (same item, task, model version and label) is reused. Returns (id, added).
    """
    query = select(Prediction.id).where(
        Prediction.statement_id == statement_id, Prediction.task == task, Prediction.label == label,
        Prediction.model_name == model_name, Prediction.model_version == model_version)
    query = query.where(Prediction.target_id.is_(None) if target_id is None else Prediction.target_id == target_id)
    found = session.scalars(query.order_by(Prediction.id.desc())).first()
    if found is not None:
        return found, False
    row = Prediction(statement_id=statement_id, target_id=target_id, task=task, label=label,
                     probabilities=probabilities, model_name=model_name, model_version=model_version,
                     precision=precision)
    if created_at is not None:
        row.created_at = created_at
    session.add(row)
    session.flush()
    return row.id, True


def latest_prediction(session: Session, statement_id: int, task: str, target_id: int | None,
                      model_version: str | None = None) -> Prediction | None:
    """The newest prediction for an item (optionally of one model version)."""
    query = select(Prediction).where(Prediction.statement_id == statement_id, Prediction.task == task)
    query = query.where(Prediction.target_id.is_(None) if target_id is None else Prediction.target_id == target_id)
    if model_version is not None:
        query = query.where(Prediction.model_version == model_version)
    return session.scalars(query.order_by(Prediction.id.desc()).limit(1)).first()


# -- annotators and settings --------------------------------------------------------------

def annotator_name(name: str) -> str:
    """The one rule for annotator names, whatever the path (UI, import, merge, adjudication) and
    back end: PostgreSQL refuses what SQLite would keep, and a name is printed in every report."""
    name = name.strip()
    if not name:
        raise StorageError("an annotator needs a name (it is empty)")
    if has_controls(name):
        raise StorageError(f"annotator name {name[:40]!r} contains control characters")
    if len(name) > ANNOTATOR_MAX:
        raise StorageError(f"annotator name is {len(name)} characters long (at most {ANNOTATOR_MAX})")
    return name


def get_or_create_annotator(session: Session, name: str) -> Annotator:
    name = annotator_name(name)
    found = session.scalar(select(Annotator).where(Annotator.name == name))
    if found is None:
        found = Annotator(name=name)
        session.add(found)
        session.flush()
    return found


def find_annotator(session: Session, name: str) -> Annotator | None:
    return session.scalar(select(Annotator).where(Annotator.name == name.strip()))


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(Setting, key)
    return row.value if row is not None else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.flush()


# -- status --------------------------------------------------------------------------------

def counts(session: Session) -> dict[str, Any]:
    def n(model) -> int:
        return session.scalar(select(func.count()).select_from(model)) or 0

    per_annotator = session.execute(
        select(Annotator.name, func.count(Decision.id)).join(Decision, Decision.annotator_id == Annotator.id)
        .where(Decision.action == "label", stands())
        .group_by(Annotator.name).order_by(Annotator.name)).all()
    model_key = (Prediction.task, Prediction.model_name, Prediction.model_version, Prediction.precision)
    per_model = session.execute(
        select(*model_key, func.count(Prediction.id)).group_by(*model_key).order_by(*model_key)).all()
    return {
        "documents": n(Document),
        "statements": n(Statement),
        "targets": n(Target),
        "predictions": n(Prediction),
        "annotators": n(Annotator),
        "decisions": n(Decision),
        "decisions_per_annotator": {name: count for name, count in per_annotator},
        "predictions_per_model": [
            {"task": t, "model": m, "version": v, "precision": p, "count": c} for t, m, v, p, c in per_model],
    }
