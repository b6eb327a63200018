"""A disagreement to adjudicate on the small corpus of test_tui_support."""
from __future__ import annotations

from sqlalchemy import select

from db.decisions import NewDecision, record
from db.engine import transaction
from db.repository import get_or_create_annotator, list_targets
from db.schema import Statement


def disagree(engine) -> int:
    """alice and bob label the first statement differently; returns its id."""
    with transaction(engine) as s:
        sid = s.scalars(select(Statement.id).order_by(Statement.start)).first()
        tid = list_targets(s)[0].id
        for name, stance in (("alice", "favor"), ("bob", "against")):
            record(s, get_or_create_annotator(s, name), NewDecision(sid, tid, stance=stance, sentiment="neutral"))
    return sid
