"""Read-only measures over the decision log (storage only: no models, no screens).

acceptance_by_model_version: of the label decisions where a model's suggestion was shown,
how many the annotator accepted as is (the whole item, both suggestions: what Enter records) and
how many kept *this model's* label (a stance correction does not count against the sentiment
model), per model version and per day/week/month.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from db.decisions import stands
from db.errors import StorageError
from db.schema import Decision, Prediction

BUCKETS = ("day", "week", "month", "all")


@dataclass(frozen=True)
class AcceptanceRow:
    model_name: str
    model_version: str
    period: str  # "YYYY-MM-DD" (day; for week the Monday it starts on), "YYYY-MM" (month) or "all"
    shown: int
    accepted: int  # the decision was accepted as is (every suggestion on the item)
    rate: float | None  # accepted / shown; None when nothing was shown
    kept: int  # the decision's label for this model's task(s) equals this model's suggestion
    kept_rate: float | None  # kept / shown


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
    """Rows of (model_name, model_version, period, shown, accepted, rate, kept, kept_rate), by model and period.

    Counted: standing (not undone) label decisions with suggestions shown, an accepted_as_is
    value, and a stance and/or sentiment prediction id; each decision counts once for every
    distinct model version whose prediction it points at (a stub model suggesting both labels
    counts once, kept only if both were kept). Blind items (no suggestion shown) and decisions
    without a linked prediction are not counted.
    """
    if bucket not in BUCKETS:
        raise StorageError(f"unknown period {bucket!r} (expected one of {', '.join(BUCKETS)})")
    dialect = session.get_bind().dialect.name
    period = _period(Decision.created_at, bucket, dialect)
    shown_here = (Decision.action == "label", Decision.suggestions_shown.is_(True),
                  Decision.accepted_as_is.is_not(None), stands())

    def linked(prediction_id, human_label) -> select:
        kept = case((human_label == Prediction.label, 1), else_=0)
        accepted = case((Decision.accepted_as_is.is_(True), 1), else_=0)
        return (select(Decision.id.label("decision_id"), Prediction.model_name.label("model_name"),
                       Prediction.model_version.label("model_version"), period.label("period"),
                       accepted.label("accepted"), kept.label("kept"))
                .join(Prediction, Prediction.id == prediction_id).where(*shown_here))

    suggestions = union_all(linked(Decision.stance_prediction_id, Decision.stance),
                            linked(Decision.sentiment_prediction_id, Decision.sentiment)).subquery()
    # one row per (decision, model version): kept only if every suggestion of that version on it was kept
    per_decision = (select(suggestions.c.model_name, suggestions.c.model_version, suggestions.c.period,
                           func.max(suggestions.c.accepted).label("accepted"), func.min(suggestions.c.kept).label("kept"))
                    .group_by(suggestions.c.decision_id, suggestions.c.model_name, suggestions.c.model_version,
                              suggestions.c.period).subquery())
    rows = session.execute(
        select(per_decision.c.model_name, per_decision.c.model_version, per_decision.c.period, func.count(),
               func.sum(per_decision.c.accepted), func.sum(per_decision.c.kept))
        .group_by(per_decision.c.model_name, per_decision.c.model_version, per_decision.c.period)
        .order_by(per_decision.c.model_name, per_decision.c.model_version, per_decision.c.period)).all()
    out = []
    for name, version, p, shown, accepted, kept in rows:
        shown, accepted, kept = int(shown), int(accepted or 0), int(kept or 0)
        out.append(AcceptanceRow(name, version, str(p), shown, accepted, accepted / shown if shown else None,
                                 kept, kept / shown if shown else None))
    return out
