"""Current labels from the decision log → a reliability matrix plus model comparisons."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from db.decisions import standing_labels
from db.repository import target_text
from db.schema import Annotator, Prediction, Target

# Category order per task; sentiment's order is also its ordinal scale.
CATEGORIES = {"stance": ("favor", "against", "neutral"), "sentiment": ("negative", "neutral", "positive")}


@dataclass
class ModelRow:
    annotator: int          # column index
    human: int              # category code
    model: int              # category code of the prediction compared against
    model_version: str      # "name version"
    linked: bool            # the prediction was on the decision (it was the pre-label)
    accepted_as_is: bool | None
    suggestions_shown: bool


@dataclass
class TaskData:
    task: str
    categories: tuple[str, ...]
    annotators: list[str]
    items: list[tuple[int, int | None]]
    codes: np.ndarray                         # items × annotators, -1 missing
    model_rows: list[ModelRow] = field(default_factory=list)

    def multi_rated(self) -> TaskData:
        """Only the items at least two annotators labelled (what agreement is computed on)."""
        keep = (self.codes >= 0).sum(axis=1) >= 2
        items = [item for item, k in zip(self.items, keep) if k]
        return TaskData(self.task, self.categories, self.annotators, items, self.codes[keep], self.model_rows)


def _latest_predictions(session: Session, task: str) -> dict[tuple[int, int | None], tuple[str, str]]:
    rank = func.row_number().over(partition_by=(Prediction.statement_id, Prediction.target_id),
                                  order_by=Prediction.id.desc()).label("rank")
    ranked = (select(Prediction.statement_id, Prediction.target_id, Prediction.label, Prediction.model_name,
                     Prediction.model_version, rank).where(Prediction.task == task).subquery())
    rows = session.execute(select(ranked.c.statement_id, ranked.c.target_id, ranked.c.label, ranked.c.model_name,
                                  ranked.c.model_version).where(ranked.c.rank == 1))
    return {(sid, tid): (label, f"{name} {version}") for sid, tid, label, name, version in rows}


def load_task(session: Session, task: str, target: str | None = None) -> TaskData:
    """Every annotator's current label for every item of `task` (optionally one stance target)."""
    categories = CATEGORIES[task]
    code_of = {label: i for i, label in enumerate(categories)}
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
    rows = session.execute(query).all()
    latest = _latest_predictions(session, task)

    annotators = sorted({r[0] for r in rows})
    col_of = {name: j for j, name in enumerate(annotators)}
    item_of: dict[tuple[int, int | None], int] = {}
    ii, jj, cc = [], [], []
    model_rows = []
    for name, sid, tid, label, accepted, shown, p_label, p_name, p_version in rows:
        key = (sid, tid if task == "stance" else None)
        i = item_of.setdefault(key, len(item_of))
        ii.append(i)
        jj.append(col_of[name])
        cc.append(code_of[label])
        if p_label is not None:
            model_rows.append(ModelRow(col_of[name], code_of[label], code_of[p_label], f"{p_name} {p_version}",
                                       True, accepted, bool(shown)))
        elif key in latest:
            l_label, l_version = latest[key]
            model_rows.append(ModelRow(col_of[name], code_of[label], code_of[l_label], l_version, False,
                                       accepted, bool(shown)))
    codes = np.full((len(item_of), len(annotators)), -1, dtype=np.int64)
    if ii:
        codes[np.array(ii), np.array(jj)] = np.array(cc)
    items = sorted(item_of, key=item_of.get)
    return TaskData(task, categories, annotators, items, codes, model_rows)
