"""Progress per annotator and per target, for `workbench status`: done / assigned, flags, skips.

"Assigned" is what the annotator's queue holds: in a target under an assignment plan, the items assigned to
them; in a target without one, every item of the target (everyone sees everything). Items are counted in the
queue's default scope (the relatedness gate; the plan's `all_pairs` where it says so), so that done reaches
assigned when the queue is empty. Done: a standing label, flag or not-about verdict (what the queue counts as
done); flags: standing flags; skips: standing skips on items not done since.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from db.assignment import DONE_ACTIONS as DONE, plan_by_target, plans
from db.decisions import withdrawn_by_undo
from db.repository import list_targets
from db.schema import Annotator, Assignment, Decision, Statement, Target



@dataclass
class Counts:
    assigned: int = 0
    done: int = 0
    flags: int = 0
    skips: int = 0

    def add(self, other: Counts) -> None:
        self.assigned += other.assigned
        self.done += other.done
        self.flags += other.flags
        self.skips += other.skips

    def as_dict(self) -> dict[str, int]:
        return {"assigned": self.assigned, "done": self.done, "flags": self.flags, "skips": self.skips}


def _standing(annotator_col, actions: tuple[str, ...], statement_col, target_col):
    d = aliased(Decision)
    return exists().where(d.annotator_id == annotator_col, d.statement_id == statement_col,
                          d.target_id == target_col, d.action.in_(actions), ~exists(withdrawn_by_undo(d)))


def _flag(annotator_col, statement_col, target_col):
    return _standing(annotator_col, ("flag",), statement_col, target_col)


def _scope(session: Session, target_id: int, all_pairs: bool) -> list:
    from db.queue import AnnotationQueue, QueueFilters  # the queue imports db.assignment, which this one does

    return AnnotationQueue(-1, "", [target_id], filters=QueueFilters(all_pairs=all_pairs),
                           respect_assignments=False).scope(session)


def _counted(annotator_col, statement_col, target_col):
    """(assigned, done, flags, skips) aggregate columns over rows of (annotator, item)."""
    done = _standing(annotator_col, DONE, statement_col, target_col)
    skipped = and_(_standing(annotator_col, ("skip",), statement_col, target_col), ~done)

    def total(condition):
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
    return (func.count(), total(done), total(_flag(annotator_col, statement_col, target_col)), total(skipped))


def _unplanned(session: Session, target_id: int, items: int, scope: list) -> list[tuple]:
    """(annotator id, items, done, flags, skips) for a target without a plan: the annotators' own items."""
    S, T, D = Statement, Target, Decision
    handled = (select(D.annotator_id, D.statement_id, D.target_id).join(S, S.id == D.statement_id)
               .join(T, T.id == D.target_id).where(D.target_id == target_id, D.action != "undo", *scope)
               .distinct().subquery())
    _, done, flags, skips = _counted(handled.c.annotator_id, handled.c.statement_id, handled.c.target_id)
    rows = session.execute(select(handled.c.annotator_id, done, flags, skips).group_by(handled.c.annotator_id))
    return [(annotator_id, items, d, f, k) for annotator_id, d, f, k in rows]


def progress(session: Session) -> dict:
    """{"plans", "per_target", "per_annotator_target", "per_annotator"} as `status --json` prints them."""
    S, T, A, D = Statement, Target, Assignment, Decision
    targets = list_targets(session)
    in_force = plan_by_target(session, [t.id for t in targets])
    names = dict(session.execute(select(Annotator.id, Annotator.name)).all())
    per_target, rows = [], []
    for target in targets:
        plan = in_force.get(target.id)
        scope = _scope(session, target.id, plan.all_pairs if plan else False)
        items = session.scalar(select(func.count()).select_from(S).join(T, T.id == target.id).where(*scope)) or 0
        counts: dict[int, Counts] = {}
        if plan is not None:
            found = session.execute(select(A.annotator_id, *_counted(A.annotator_id, A.statement_id, A.target_id))
                                    .join(S, S.id == A.statement_id).join(T, T.id == A.target_id)
                                    .where(A.target_id == target.id, *scope).group_by(A.annotator_id)).all()
            assignees = (select(A.statement_id, func.count().label("n"),
                                func.sum(case((_standing(A.annotator_id, DONE, A.statement_id, A.target_id), 1),
                                              else_=0)).label("done"))
                         .join(S, S.id == A.statement_id).join(T, T.id == A.target_id)
                         .where(A.target_id == target.id, *scope).group_by(A.statement_id).subquery())
            assigned, overlap, complete, started = session.execute(select(
                func.count(), func.coalesce(func.sum(case((assignees.c.n > 1, 1), else_=0)), 0),
                func.coalesce(func.sum(case((assignees.c.done == assignees.c.n, 1), else_=0)), 0),
                func.coalesce(func.sum(case((assignees.c.done > 0, 1), else_=0)), 0))).one()
        else:
            # everyone sees every item: count, per annotator who worked on the target, from their decisions
            assigned = overlap = complete = None
            found = _unplanned(session, target.id, items, scope)
            started = session.scalar(select(func.count()).select_from(S).join(T, T.id == target.id).where(
                *scope, exists(select(D.id).where(D.statement_id == S.id, D.target_id == T.id, D.action.in_(DONE),
                                                  ~exists(withdrawn_by_undo()))))) or 0
        for annotator_id, n, done, flags, skips in found:
            counts[annotator_id] = Counts(int(n), int(done), int(flags), int(skips))
        for annotator_id, c in sorted(counts.items(), key=lambda kv: names.get(kv[0], "")):
            rows.append({"annotator": names.get(annotator_id), "target": target.text, **c.as_dict()})
        per_target.append({
            "target": target.text, "plan": plan is not None, "items": items, "assigned": assigned,
            "overlap": overlap, "unassigned": None if assigned is None else items - assigned,
            "done_by_one": started, "done_by_all": complete})
    totals: dict[str, Counts] = {}
    for row in rows:
        totals.setdefault(row["annotator"], Counts()).add(
            Counts(row["assigned"], row["done"], row["flags"], row["skips"]))
    return {
        "plans": [{"target": None if p.target_id is None else _text(targets, p.target_id),
                   "annotators": list(p.annotators), "overlap": p.overlap, "overlap_annotators": p.overlap_annotators,
                   "seed": p.seed, "all_pairs": p.all_pairs} for p in plans(session)],
        "per_target": per_target,
        "per_annotator_target": rows,
        "per_annotator": {name: c.as_dict() for name, c in sorted(totals.items())},
    }


def _text(targets: list[Target], target_id: int) -> str | None:
    return next((t.text for t in targets if t.id == target_id), None)
