"""The queue's side of assignment plans (`workbench assign`, db/assignment.py): which plan covers a target
and the SQL conditions that keep an annotator's queue to the items assigned to them.

Apart from db/assignment.py because the queue (db/queue.py) reads it while the dealing in db/assignment.py
reads the queue (the items a plan deals are the ones the queue would hold): neither imports the other back.
"""
from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from db.schema import Assignment, AssignmentPlan


def plans(session: Session) -> list[AssignmentPlan]:
    """Every stored plan, the project-wide one first."""
    rows = session.scalars(select(AssignmentPlan)).all()
    return sorted(rows, key=lambda p: (p.target_id is not None, p.target_id or 0))


def plan_by_target(session: Session, target_ids: list[int]) -> dict[int, AssignmentPlan]:
    """The plan in force for each target that has one: its own, else the project-wide plan."""
    stored = plans(session)
    everywhere = next((p for p in stored if p.target_id is None), None)
    own = {p.target_id: p for p in stored if p.target_id is not None}
    return {t: own.get(t, everywhere) for t in target_ids if own.get(t, everywhere) is not None}


def planned_targets(session: Session, target_ids: list[int]) -> list[int]:
    return list(plan_by_target(session, target_ids))


def assigned_scope(session: Session, annotator_id: int, target_ids: list[int], statement_col, target_col) -> list:
    """SQL conditions for an annotator's queue: in a target under a plan, only the items assigned to them;
    other targets as without assignment (everyone sees every item). [] when no plan covers the targets."""
    planned = planned_targets(session, list(target_ids))
    if not planned:
        return []
    mine = exists(select(Assignment.id).where(Assignment.statement_id == statement_col,
                                              Assignment.target_id == target_col,
                                              Assignment.annotator_id == annotator_id))
    unplanned = [t for t in target_ids if t not in set(planned)]
    return [or_(target_col.in_(unplanned), mine) if unplanned else mine]


def nothing_assigned(session: Session, annotator_id: int, target_ids: list[int]) -> bool:
    """Every one of the targets is under a plan and none of their items is assigned to this annotator."""
    if not target_ids or len(planned_targets(session, list(target_ids))) < len(set(target_ids)):
        return False
    return not session.scalar(select(exists().where(Assignment.annotator_id == annotator_id,
                                                    Assignment.target_id.in_(target_ids))))
