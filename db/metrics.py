"""Read-only measures over the decision log (storage only: no models, no screens).

acceptance_by_model_version: of the label decisions where a model's suggestion was shown,
how many the annotator accepted as is, per model version and per day/week/month.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, exists, func, literal, select, union
from sqlalchemy.orm import Session

from db.decisions import withdrawn_by_undo
from db.errors import StorageError
from db.schema import Decision, Prediction

BUCKETS = ("day", "week", "month", "all")


@dataclass(frozen=True)
class AcceptanceRow:
    model_name: str
    model_version: str
    period: str  # "YYYY-MM-DD" (day; for week the Monday it starts on), "YYYY-MM" (month) or "all"
    shown: int
    accepted: int
    rate: float | None  # accepted / shown; None when nothing was shown


def _period(column, bucket: str, dialect: str) -> ColumnElement:
    """The UTC period a timestamp falls in, as text, the same on SQLite and PostgreSQL."""
    if bucket == "all":
        return literal("all")
    if dialect == "sqlite":  # stored as 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC
        if bucket == "day":
            return func.strftime("%Y-%m-%d", column)
        if bucket == "week":  # 'weekday 0' = the next Sunday (or the same day); -6 days = that week's Monday
            return func.date(column, "weekday 0", "-6 days")
        return func.strftime("%Y-%m", column)
    utc = func.timezone("UTC", column)
    if bucket == "day":
        return func.to_char(utc, "YYYY-MM-DD")
    if bucket == "week":
        return func.to_char(func.date_trunc("week", utc), "YYYY-MM-DD")
    return func.to_char(utc, "YYYY-MM")


def acceptance_by_model_version(session: Session, bucket: str = "day") -> list[AcceptanceRow]:
    """Rows of (model_name, model_version, period, shown, accepted, rate), ordered by model and period.

    Counted: standing (not undone) label decisions with suggestions shown, an accepted_as_is
    value, and a stance and/or sentiment prediction id; each decision counts once for every
    distinct model version whose prediction it points at. Blind items (no suggestion shown)
    and decisions without a linked prediction are not counted.
    """
    if bucket not in BUCKETS:
        raise StorageError(f"unknown period {bucket!r} (expected one of {', '.join(BUCKETS)})")
    dialect = session.get_bind().dialect.name
    period = _period(Decision.created_at, bucket, dialect)
    shown_here = (Decision.action == "label", Decision.suggestions_shown.is_(True),
                  Decision.accepted_as_is.is_not(None), ~exists(withdrawn_by_undo()))

    def linked(prediction_id) -> select:
        return (select(Decision.id.label("decision_id"), Prediction.model_name.label("model_name"),
                       Prediction.model_version.label("model_version"), period.label("period"),
                       Decision.accepted_as_is.label("accepted"))
                .join(Prediction, Prediction.id == prediction_id).where(*shown_here))

    # UNION (not UNION ALL): a decision whose two suggestions came from one model version counts once.
    pairs = union(linked(Decision.stance_prediction_id), linked(Decision.sentiment_prediction_id)).subquery()
    accepted = func.sum(case((pairs.c.accepted.is_(True), 1), else_=0))
    rows = session.execute(
        select(pairs.c.model_name, pairs.c.model_version, pairs.c.period, func.count(), accepted)
        .group_by(pairs.c.model_name, pairs.c.model_version, pairs.c.period)
        .order_by(pairs.c.model_name, pairs.c.model_version, pairs.c.period)).all()
    return [AcceptanceRow(name, version, str(p), int(shown), int(acc or 0), (int(acc or 0) / shown) if shown else None)
            for name, version, p, shown, acc in rows]
