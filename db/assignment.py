"""Controlled overlap: which annotators a (statement, target) item is assigned to (`workbench assign`).

A plan (per target, or project-wide: target NULL) names the annotators, the overlap share and how many
annotators an overlap item goes to. Sharing out is stable and idempotent:

- an item's identity is its content, not a row id: the document's sha256, the span, the target text;
- which items are overlap items: of the items one run deals for a target, the overlap share (rounded up or
  down by a keyed draw, so it is exact to one item and unbiased) with the lowest keyed hash of their identity
  (the plan's stored seed): the same seed and items give the same choice on any database, and a small project
  gets the share it asked for (a hash threshold per item would give 32 items anywhere from 2 to 13 overlaps);
- items are then dealt in hash order: each overlap item to the group of annotators (a pair by default) used least
  in this run, so every pair has items in common for pairwise agreement; each other item to the least loaded
  annotator (ties broken by a keyed hash of item and annotator), which evens the run's loads out, at most one
  item apart (counted over all the targets it deals);
- an item that already has an assignment is never moved: running `assign` again only deals the items that
  have none (statements extracted or targets added since, pairs the relatedness gate lets in since);
- an item someone on the plan already labelled (work done before the plan) goes to them first.

Once a plan covers a target, an annotator's queue holds only the items assigned to them (see
`assigned_scope`); an item of that target that no run has dealt yet goes to nobody until `assign` runs again.
"""
from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from math import comb

from sqlalchemy import delete, exists, insert, or_, select, text
from sqlalchemy.orm import Session

from db.errors import StorageError
from db.repository import annotator_name, get_or_create_annotator, list_targets
from db.schema import Assignment, AssignmentPlan, Decision, Document, Statement, Target
# the queue's side (read by db/queue.py, which this module's dealing reads in turn): re-exported here
from db.assignment_scope import (  # noqa: F401
    assigned_scope,
    nothing_assigned,
    plan_by_target,
    planned_targets,
    plans,
)

DEFAULT_OVERLAP_ANNOTATORS = 2
DONE_ACTIONS = ("label", "flag", "not_about")  # what takes an item out of the annotator's queue (db/queue.py)
SEED_MAX = AssignmentPlan.__table__.c.seed.type.length


@dataclass(frozen=True)
class PlanRequest:
    """What the lead asked for; `checked()` applies the rules before anything is written."""
    annotators: tuple[str, ...]
    overlap: float = 0.0
    overlap_annotators: int = DEFAULT_OVERLAP_ANNOTATORS
    seed: str | None = None
    all_pairs: bool = False

    def checked(self) -> PlanRequest:
        if not self.annotators:
            raise StorageError("--annotators needs at least one name (a,b,c)")
        names = tuple(annotator_name(n) for n in self.annotators)  # the one rule for names
        seen: set[str] = set()
        for name in names:
            if name in seen:
                raise StorageError(f"annotator {name!r} is named twice in --annotators")
            seen.add(name)
        if not 0.0 <= self.overlap <= 1.0:
            raise StorageError(f"--overlap is a share between 0 and 1, got {self.overlap}")
        if self.overlap_annotators < 2:
            raise StorageError(f"--overlap-annotators is at least 2, got {self.overlap_annotators}")
        if self.overlap > 0 and self.overlap_annotators > len(names):
            raise StorageError(f"an overlap item goes to {self.overlap_annotators} annotators, "
                               f"but --annotators names {len(names)}")
        if self.seed is not None and not (0 < len(self.seed.strip()) <= SEED_MAX):
            raise StorageError(f"--seed is 1 to {SEED_MAX} characters")
        return PlanRequest(names, float(self.overlap), self.overlap_annotators,
                           None if self.seed is None else self.seed.strip(), self.all_pairs)


@dataclass
class Dealt:
    """One target's share-out in one run."""
    target: str
    new_items: int = 0
    overlap_items: int = 0
    already: int = 0  # items in scope that had an assignment before this run
    per_annotator: dict[str, int] = field(default_factory=dict)  # new rows per annotator


# -- plans ---------------------------------------------------------------------------------

def lock(session: Session) -> None:
    """One `assign` at a time: two at once would each deal the same unassigned items. SQLite's writers are
    serialised already (BEGIN IMMEDIATE); PostgreSQL takes a transaction-scoped advisory lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('workbench assign'))"))


def set_plan(session: Session, request: PlanRequest, target: Target | None) -> AssignmentPlan:
    """Store the plan for `target` (None: project-wide, which replaces every target's own plan; their
    assignments stay). A plan that exists keeps its seed unless a new one is given: re-running is stable."""
    request = request.checked()
    for name in request.annotators:
        get_or_create_annotator(session, name)  # new people are fine: their name follows the rule
    target_id = None if target is None else target.id
    plan = session.scalar(select(AssignmentPlan).where(
        AssignmentPlan.target_id.is_(None) if target_id is None else AssignmentPlan.target_id == target_id))
    if target_id is None:
        session.execute(delete(AssignmentPlan).where(AssignmentPlan.target_id.is_not(None)))
    if plan is None:
        plan = AssignmentPlan(target_id=target_id, seed=request.seed or secrets.token_hex(8))
        session.add(plan)
    elif request.seed is not None:
        plan.seed = request.seed
    plan.annotators = list(request.annotators)
    plan.overlap = request.overlap
    plan.overlap_annotators = request.overlap_annotators
    plan.all_pairs = request.all_pairs
    session.flush()
    return plan


def clear(session: Session, target: Target | None) -> int:
    """Remove the plan and the assignments of `target` (None: every plan and assignment); returns the number
    of assignments removed. A target left under the project-wide plan gets nothing until `assign` runs."""
    rows = delete(Assignment)
    plan_rows = delete(AssignmentPlan)
    if target is not None:
        rows = rows.where(Assignment.target_id == target.id)
        plan_rows = plan_rows.where(AssignmentPlan.target_id == target.id)
    removed = session.execute(rows).rowcount or 0
    session.execute(plan_rows)
    return removed


# -- dealing -------------------------------------------------------------------------------

def _hash(seed: str, *parts: str) -> int:
    digest = hashlib.blake2b("\x00".join(parts).encode(), digest_size=8, key=seed.encode()[:64]).digest()
    return int.from_bytes(digest, "big")


def item_identity(document_sha256: str, start: int, end: int, target_text: str) -> str:
    """What an item is on any database: ids differ between databases, the text and span do not."""
    return f"{document_sha256}:{start}:{end}:{target_text}"


def overlap_items(seed: str, identities: list[str], overlap: float) -> set[str]:
    """The overlap share of `identities`: floor(share × n), one more with the probability of the fraction
    (a keyed draw), the items with the lowest keyed hash."""
    if not identities or overlap <= 0:
        return set()
    by_hash = sorted(identities, key=lambda i: (_hash(seed, "overlap", i), i))
    exact = overlap * len(by_hash)
    quota = int(exact) + (_hash(seed, "quota", str(len(by_hash)), by_hash[0]) < (exact - int(exact)) * 2.0 ** 64)
    return set(by_hash[:min(quota, len(by_hash))])


COMBINATIONS_MAX = 5_000  # beyond this many groups of annotators, overlap items go to the least loaded


class Dealer:
    """Deals one run's items: the load per annotator and the use of each group of annotators are shared by the
    targets the run deals, so the run as a whole is balanced, not only each target."""

    def __init__(self) -> None:
        self.load: Counter[str] = Counter()
        self.groups: Counter[tuple[str, ...]] = Counter()

    def deal(self, seed: str, identities: list[str], annotators: tuple[str, ...], overlap: float,
             overlap_annotators: int, worked: dict[str, set[str]] | None = None) -> dict[str, tuple[str, ...]]:
        """identity → the annotators it goes to, every choice a function of the seed, the identities and the
        run so far. The overlap items come first: each to the group of `overlap_annotators` used least so far
        (so every pair of annotators shares items to compare, for pairwise agreement), then the least loaded;
        then the other items, each to the least loaded annotator, which evens the loads out (at most one apart
        wherever the other items are enough to). `worked`: identity → those of the annotators who already labelled
        the item (before any plan): it goes to them first, so no finished work is asked for again."""
        worked = worked or {}
        k = min(overlap_annotators, len(annotators))
        ordered = sorted(identities, key=lambda i: (_hash(seed, "order", i), i))
        chosen_for_overlap = overlap_items(seed, identities, overlap) if k > 1 else set()
        shared = [i for i in ordered if i in chosen_for_overlap]
        alone = [i for i in ordered if i not in chosen_for_overlap]
        few = comb(len(annotators), k) <= COMBINATIONS_MAX
        groups = list(combinations(sorted(annotators), k)) if shared and few else []
        out: dict[str, tuple[str, ...]] = {}
        for identity in shared:
            done = worked.get(identity, set())
            fitting = [g for g in groups if done <= set(g)]
            if len(done) >= k:
                chosen = tuple(sorted(self._least_loaded(seed, identity, tuple(sorted(done)), k)))
            elif fitting:
                chosen = min(fitting, key=lambda g: (self.groups[g], sum(self.load[a] for a in g),
                                                     _hash(seed, "group", identity, *g), g))
            else:
                rest = self._least_loaded(seed, identity, tuple(a for a in annotators if a not in done), k - len(done))
                chosen = tuple(sorted(done | set(rest)))
            self.groups[chosen] += 1
            out[identity] = self._give(chosen)
        for identity in alone:
            done = tuple(sorted(worked.get(identity, ()))) or annotators
            out[identity] = self._give(self._least_loaded(seed, identity, done, 1))
        return out

    def _least_loaded(self, seed: str, identity: str, annotators: tuple[str, ...], n: int) -> tuple[str, ...]:
        return tuple(sorted(annotators, key=lambda a: (self.load[a], _hash(seed, "rank", identity, a), a))[:n])

    def _give(self, chosen: tuple[str, ...]) -> tuple[str, ...]:
        for name in chosen:
            self.load[name] += 1
        return chosen


def _items_in_scope(session: Session, target_id: int, all_pairs: bool):
    """SELECT (statement id, identity parts, assigned?) for the pairs of one target the queue would hold."""
    from db.queue import AnnotationQueue, QueueFilters

    S, T = Statement, Target
    scope = AnnotationQueue(-1, "", [target_id], filters=QueueFilters(all_pairs=all_pairs),
                            respect_assignments=False).scope(session)
    assigned = exists(select(Assignment.id).where(Assignment.statement_id == S.id, Assignment.target_id == T.id))
    return (select(S.id, Document.sha256, S.start, S.end, T.text, assigned).select_from(S)
            .join(Document, Document.id == S.document_id).join(T, T.id == target_id).where(*scope))


def _worked(session: Session, target_id: int, ids: dict[str, int], pending: dict[str, int]) -> dict[str, set[str]]:
    """identity → the plan's annotators with a standing label, flag or not-about verdict on the item."""
    from db.decisions import withdrawn_by_undo

    D = Decision
    by_statement: dict[int, set[str]] = {}
    names = {i: name for name, i in ids.items()}
    for sid, annotator_id in session.execute(
            select(D.statement_id, D.annotator_id).where(
                D.target_id == target_id, D.annotator_id.in_(list(names)), D.action.in_(DONE_ACTIONS),
                ~exists(withdrawn_by_undo())).distinct()):
        by_statement.setdefault(sid, set()).add(names[annotator_id])
    return {identity: by_statement[sid] for identity, sid in pending.items() if sid in by_statement}


def extend(session: Session, target_ids: list[int] | None = None) -> list[Dealt]:
    """Deal every item in scope that has no assignment yet, under the plan in force for its target.
    target_ids None: every target with a plan."""
    targets = list_targets(session)
    if target_ids is not None:
        targets = [t for t in targets if t.id in set(target_ids)]
    in_force = plan_by_target(session, [t.id for t in targets])
    out = []
    dealer = Dealer()  # shared by the targets: the run is balanced, not only each target
    for target in targets:
        plan = in_force.get(target.id)
        if plan is None:
            continue
        dealt = Dealt(target.text)
        pending: dict[str, int] = {}
        items = session.execute(_items_in_scope(session, target.id, plan.all_pairs))
        for sid, sha, start, end, target_text, assigned in items:
            if assigned:
                dealt.already += 1
            else:
                pending[item_identity(sha, start, end, target_text)] = sid
        names = tuple(plan.annotators)
        ids = {name: get_or_create_annotator(session, name).id for name in names}
        worked = _worked(session, target.id, ids, pending)
        rows = []
        for identity, chosen in dealer.deal(plan.seed, list(pending), names, plan.overlap,
                                            plan.overlap_annotators, worked).items():
            dealt.new_items += 1
            dealt.overlap_items += len(chosen) > 1
            for name in chosen:
                dealt.per_annotator[name] = dealt.per_annotator.get(name, 0) + 1
                rows.append({"statement_id": pending[identity], "target_id": target.id, "annotator_id": ids[name]})
        for chunk in range(0, len(rows), 5_000):
            session.execute(insert(Assignment), rows[chunk:chunk + 5_000])
        out.append(dealt)
    session.flush()
    return out
