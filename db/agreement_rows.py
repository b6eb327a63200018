"""What the agreement report reads from the log: every annotator's current label per item, with
the prediction it can be compared against (storage only: the statistics live in workbench/agreement)."""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from db.decisions import standing_labels
from db.repository import target_text
from db.schema import Annotator, Prediction, Target


class LabelRow(NamedTuple):
    """One annotator's current label on one item, and the pre-label the decision saw (None: none linked)."""
    annotator: str
    statement_id: int
    target_id: int | None
    label: str
    accepted_as_is: bool | None
    suggestions_shown: bool
    prelabel: str | None
    prelabel_model: str | None
    prelabel_version: str | None


def current_label_rows(session: Session, task: str, target: str | None = None) -> list[LabelRow]:
    """Every annotator's current label (db.decisions.standing_labels) for every item of `task`
    (optionally one stance target, by text)."""
    current = standing_labels(None, task).subquery()
    d = aliased(current)
    pred = aliased(Prediction)
    label_col = d.c.stance if task == "stance" else d.c.sentiment
    pred_col = d.c.stance_prediction_id if task == "stance" else d.c.sentiment_prediction_id
    query = (select(Annotator.name, d.c.statement_id, d.c.target_id, label_col, d.c.accepted_as_is,
                    d.c.suggestions_shown, pred.label, pred.model_name, pred.model_version)
             .join(Annotator, Annotator.id == d.c.annotator_id)
             .outerjoin(pred, pred.id == pred_col))
    if target is not None and task == "stance":
        query = query.join(Target, Target.id == d.c.target_id).where(Target.text == target_text(target))
    return [LabelRow(*row) for row in session.execute(query)]


def latest_predictions(session: Session, task: str) -> dict[tuple[int, int | None], tuple[str, str]]:
    """{(statement id, target id): (label, "model_name version")} of the newest prediction per item."""
    rank = func.row_number().over(partition_by=(Prediction.statement_id, Prediction.target_id),
                                  order_by=Prediction.id.desc()).label("rank")
    ranked = (select(Prediction.statement_id, Prediction.target_id, Prediction.label, Prediction.model_name,
                     Prediction.model_version, rank).where(Prediction.task == task).subquery())
    rows = session.execute(select(ranked.c.statement_id, ranked.c.target_id, ranked.c.label, ranked.c.model_name,
                                  ranked.c.model_version).where(ranked.c.rank == 1))
    return {(sid, tid): (label, f"{name} {version}") for sid, tid, label, name, version in rows}
