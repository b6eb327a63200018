"""The typed ORM schema.

Decisions and adjudications are append-only event logs: an undo or an edit is a new row
that points at the row it supersedes. "Current label" is always a query over the log.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    CheckConstraint,
)
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# The label and task vocabulary is defined once, in vocabulary/; re-exported here for db/'s modules and callers.
from vocabulary import (  # noqa: E402,F401
    CORRECTION_ACTIONS,
    DECISION_ACTIONS,
    LABELS_BY_TASK,
    PREDICTION_LABELS,
    REASON_CODES,
    RELATEDNESS_LABELS,
    RELATEDNESS_TASK,
    SENTIMENT_LABELS,
    STANCE_LABELS,
    TASKS,
)

SPEAKER_TYPES = ("official", "expert", "other")
STATEMENT_KINDS = ("direct", "indirect")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


# Every constraint and index gets a predictable name, so a migration can name the one it drops or alters:
# SQLite's batch mode rebuilds a table and can only drop a constraint it can name. The names are
# PostgreSQL's own defaults (documents_sha256_key, statements_document_id_fkey, documents_pkey), so
# databases created before the convention already carry them there; on an older SQLite file the same
# constraints are unnamed, and a batch migration passes naming_convention=NAMING_CONVENTION to
# batch_alter_table to address them by these names. CHECK constraints are named explicitly (ck_...).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "fk": "%(table_name)s_%(column_0_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, list[str]: JSON}


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(512), index=True)
    title: Mapped[str | None] = mapped_column(String(1024))
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    ingested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    statements: Mapped[list[Statement]] = relationship(back_populates="document")


class Statement(Base):
    __tablename__ = "statements"
    __table_args__ = (
        UniqueConstraint("document_id", "start", "end", name="uq_statement_span"),
        CheckConstraint("start >= 0 AND \"end\" > start", name="ck_statement_offsets"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    speaker: Mapped[str | None] = mapped_column(String(512))
    # The same person across documents: a key of the canonical name the extractor gives
    # (workbench.extract.canonical.speaker_key); null for descriptors and pronouns.
    speaker_id: Mapped[str | None] = mapped_column(String(512), index=True)
    speaker_role: Mapped[str | None] = mapped_column(String(1024))
    speaker_type: Mapped[str] = mapped_column(String(16), default="other")
    kind: Mapped[str] = mapped_column(String(16), default="direct")
    cue: Mapped[str | None] = mapped_column(String(128))
    extractor_version: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="statements")


class Target(Base):
    __tablename__ = "targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(1024), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    # keywords (other names: "CSTO", "Collective Security Treaty Organization"): a pair whose statement or
    # paragraph contains one is queued whatever its relatedness score
    aliases: Mapped[list[str]] = mapped_column(default=list)
    # a glob on documents' source names: the target is annotated in those documents only (NULL: all)
    documents: Mapped[str | None] = mapped_column(String(512))
    # the relatedness score a pair needs to be queued (NULL: the gate's default, chosen on dev)
    threshold: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Prediction(Base):
    __tablename__ = "predictions"
    __table_args__ = (
        Index("ix_prediction_item", "statement_id", "task", "target_id"),
        Index("ix_prediction_model", "model_name", "model_version", "task"),
        Index("ix_prediction_uncertainty", "task", "target_id", "margin"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    # NULL for sentiment, which is predicted for the statement itself.
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(16))
    label: Mapped[str] = mapped_column(String(16))
    probabilities: Mapped[dict[str, Any]] = mapped_column()
    # top-1 minus top-2 probability: the uncertainty order sorts on it without parsing JSON.
    margin: Mapped[float | None] = mapped_column(Float)
    model_name: Mapped[str] = mapped_column(String(128))
    model_version: Mapped[str] = mapped_column(String(128))
    # Matmul precision the prediction ran in ("fp32", "bf16", "int8"): one model version can
    # label a near-tie differently on a CPU with native bf16 than on one without. NULL: not recorded
    # (predictions made before 0004, or imported from an export, which does not carry it; merge copies it).
    precision: Mapped[str | None] = mapped_column(String(16))
    # relatedness rows only: what the queue compares with the target's threshold, the gate's P(related), or 1.0
    # where one of the target's keywords occurs in the statement or its paragraph (probabilities keep the model's)
    score: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def probability_margin(probabilities: dict[str, Any]) -> float:
    top = sorted((float(p) for p in (probabilities or {}).values()), reverse=True) + [0.0, 0.0]
    return top[0] - top[1]


@event.listens_for(Prediction, "before_insert")
def _fill_margin(_mapper, _connection, prediction: Prediction) -> None:
    if prediction.margin is None:
        prediction.margin = probability_margin(prediction.probabilities)


class Annotator(Base):
    __tablename__ = "annotators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Decision(Base):
    """One annotator event on an item (statement, target). Never updated or deleted."""

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decision_annotator_item", "annotator_id", "statement_id", "target_id"),
        Index("ix_decision_item", "statement_id", "target_id"),
        # the queue reads the statement-level verdicts (not_statement, add_statement) on every page
        Index("ix_decision_action", "action", "statement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"))
    action: Mapped[str] = mapped_column(String(16), default="label")
    stance: Mapped[str | None] = mapped_column(String(16))
    sentiment: Mapped[str | None] = mapped_column(String(16))
    stance_prediction_id: Mapped[int | None] = mapped_column(ForeignKey("predictions.id"))
    sentiment_prediction_id: Mapped[int | None] = mapped_column(ForeignKey("predictions.id"))
    accepted_as_is: Mapped[bool | None] = mapped_column(Boolean)
    suggestions_shown: Mapped[bool] = mapped_column(Boolean, default=True)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    reason_codes: Mapped[list[str]] = mapped_column(default=list)
    note: Mapped[str | None] = mapped_column(Text)
    order_mode: Mapped[str | None] = mapped_column(String(16))
    # For an undo: the event it withdraws.
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), index=True)
    source: Mapped[str] = mapped_column(String(32), default="ui")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    # fix_span: the statement's corrected offsets into its document; fix_speaker / add_statement: the speaker.
    # The statement row keeps what the extractor found; the current value is the newest standing correction.
    corrected_start: Mapped[int | None] = mapped_column(Integer)
    corrected_end: Mapped[int | None] = mapped_column(Integer)
    corrected_speaker: Mapped[str | None] = mapped_column(String(512))
    corrected_speaker_id: Mapped[str | None] = mapped_column(String(512))
    corrected_speaker_role: Mapped[str | None] = mapped_column(String(1024))
    corrected_speaker_type: Mapped[str | None] = mapped_column(String(16))


class Adjudication(Base):
    """A gold label chosen by an adjudicator; undo is a new row superseding the old one."""

    __tablename__ = "adjudications"
    __table_args__ = (Index("ix_adjudication_item", "statement_id", "target_id", "task"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    task: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(16))
    adjudicator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"))
    action: Mapped[str] = mapped_column(String(16), default="set")
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("adjudications.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Setting(Base):
    """Project-wide settings stored with the data (annotation guidelines, blind fraction...)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class AssignmentPlan(Base):
    """How a target's items are shared out (`workbench assign`): who, how much overlap, the hash seed.

    target_id NULL: the project-wide plan, for every target without its own (targets added later too).
    Re-running `assign` extends a plan to items that have no assignment yet; existing rows never move."""

    __tablename__ = "assignment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"), unique=True)
    annotators: Mapped[list[str]] = mapped_column()
    overlap: Mapped[float] = mapped_column(Float)
    # how many annotators an overlap item goes to (2: Prodigy's feed_overlap-like pairs)
    overlap_annotators: Mapped[int] = mapped_column(Integer, default=2)
    # keys the item hash: the same seed and items give the same assignment on any database
    seed: Mapped[str] = mapped_column(String(64))
    # share out every (statement, target) pair, not only the related ones the queue shows by default
    all_pairs: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class Assignment(Base):
    """One (statement, target) item given to one annotator; an overlap item has a row per annotator."""

    __tablename__ = "assignments"
    __table_args__ = (
        # the queue's lookup: is this item assigned to me?
        UniqueConstraint("statement_id", "target_id", "annotator_id", name="uq_assignment"),
        Index("ix_assignment_annotator", "annotator_id", "target_id"),
        Index("ix_assignment_target", "target_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    target_id: Mapped[int] = mapped_column(ForeignKey("targets.id", ondelete="CASCADE"))
    annotator_id: Mapped[int] = mapped_column(ForeignKey("annotators.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
