"""Current labels from the decision log → a reliability matrix plus model comparisons."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from db.agreement_rows import current_label_rows, latest_predictions
from vocabulary import SENTIMENT_SCALE, STANCE_LABELS

if TYPE_CHECKING:
    from db.engine import Session

# Category order per task; sentiment's order is also its ordinal scale.
CATEGORIES = {"stance": STANCE_LABELS, "sentiment": SENTIMENT_SCALE}


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


def load_task(session: Session, task: str, target: str | None = None) -> TaskData:
    """Every annotator's current label for every item of `task` (optionally one stance target)."""
    categories = CATEGORIES[task]
    code_of = {label: i for i, label in enumerate(categories)}
    rows = current_label_rows(session, task, target)
    latest = latest_predictions(session, task)

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
