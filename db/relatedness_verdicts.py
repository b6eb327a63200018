"""Annotators' verdicts on whether a (statement, target) pair is about the target at all.

Each annotator's verdict on a pair is their newest standing (not undone) event on it among
- a stance label: they judged the statement's stance toward the target, so the pair is related;
- `not_about` (the UI's `r` key): the pair is unrelated.
An adjudicated stance (gold) makes the pair related whatever the votes.  Otherwise the majority
decides and an even split is left out; a statement someone flagged as not a statement is no example.
`workbench train --task relatedness` refits the gate on these (workbench/relatedness_training.py).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from db.adjudication import gold_labels
from db.decisions import statements_flagged, withdrawn_by_undo
from db.repository import document_texts
from db.schema import Decision, Statement, Target


@dataclass(frozen=True)
class VerdictPair:
    statement_id: int
    target_id: int
    text: str
    target: str
    document_id: int
    start: int
    end: int
    related: int        # 1: judged about the target (a stance), 0: marked not about it
    votes_related: int
    votes_not_about: int
    gold: bool = False  # an adjudicated stance decided it


@dataclass
class Verdicts:
    pairs: list[VerdictPair]
    tied: int = 0             # pairs whose annotators split evenly: left out
    not_a_statement: int = 0  # pairs of statements flagged "not a statement": left out

    def document_texts(self, session: Session) -> dict[int, str]:
        return document_texts(session, {p.document_id for p in self.pairs})


def _standing_verdicts():
    """(annotator, statement, target, action) of each annotator's newest standing stance label or not_about."""
    D = Decision
    verdict = and_(D.target_id.is_not(None), ~exists(withdrawn_by_undo()),
                   or_(D.action == "not_about", and_(D.action == "label", D.stance.is_not(None))))
    rank = func.row_number().over(partition_by=(D.annotator_id, D.statement_id, D.target_id),
                                  order_by=D.id.desc()).label("rank")
    ranked = select(D.id, D.statement_id, D.target_id, D.action, rank).where(verdict).subquery()
    return select(ranked.c.statement_id, ranked.c.target_id, ranked.c.action).where(ranked.c.rank == 1)


def verdict_pairs(session: Session) -> Verdicts:
    """Every pair with a verdict, resolved to related 1/0, in (statement, target) order."""
    votes: dict[tuple[int, int], list[int]] = {}
    for sid, tid, action in session.execute(_standing_verdicts()):
        counts = votes.setdefault((sid, tid), [0, 0])
        counts[0 if action == "label" else 1] += 1
    gold = {key for key, label in gold_labels(session, "stance").items() if label is not None and key[1] is not None}
    keys = sorted(set(votes) | gold)
    flagged = statements_flagged(session)
    result = Verdicts(pairs=[])
    kept = [k for k in keys if k[0] not in flagged]
    result.not_a_statement = len(keys) - len(kept)
    rows: dict[int, tuple] = {}
    statement_ids = sorted({k[0] for k in kept})
    for begin in range(0, len(statement_ids), 500):
        chunk = statement_ids[begin:begin + 500]
        for row in session.execute(select(Statement.id, Statement.text, Statement.document_id, Statement.start,
                                          Statement.end).where(Statement.id.in_(chunk))):
            rows[row[0]] = row[1:]
    targets = dict(session.execute(select(Target.id, Target.text)).all())
    for key in kept:
        for_, against = votes.get(key, [0, 0])
        if key in gold:
            related, is_gold = 1, True
        elif for_ == against:
            result.tied += 1
            continue
        else:
            related, is_gold = int(for_ > against), False
        text, document_id, start, end = rows[key[0]]
        result.pairs.append(VerdictPair(key[0], key[1], text, targets[key[1]], document_id, start, end, related,
                                        for_, against, is_gold))
    return result
