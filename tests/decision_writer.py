"""A separate process that records decisions through the same code path the UI uses.

usage: python -m tests.decision_writer DB_URL ANNOTATOR COUNT [FIRST_SEQ]
Prints "ack <seq>" after each decision's transaction has committed: anything acknowledged
must survive the process being killed at any moment after that line.
"""
from __future__ import annotations

import sys

from sqlalchemy import select

from db.decisions import NewDecision, record
from db.engine import make_engine, transaction, write_retrying
from db.repository import get_or_create_annotator
from db.schema import Statement, Target


def main(url: str, annotator_name: str, count: int, first: int = 0) -> None:
    engine = make_engine(url)
    with transaction(engine) as session:
        statement_ids = list(session.scalars(select(Statement.id).order_by(Statement.id)))
        target_id = session.scalars(select(Target.id).order_by(Target.id)).first()
        get_or_create_annotator(session, annotator_name)
    sys.stdout.write("ready\n")  # imports and setup done: a test can time its kill from here
    sys.stdout.flush()
    for seq in range(first, first + count):
        decision = NewDecision(
            statement_id=statement_ids[seq % len(statement_ids)], target_id=target_id,
            stance=("favor", "against", "neutral")[seq % 3], sentiment="neutral",
            note=f"{annotator_name}:{seq}", duration_ms=seq, source="test")
        # the UI's Backend.save: record() in a transaction, retried while another writer holds the lock
        write_retrying(engine, lambda session, d=decision: record(
            session, get_or_create_annotator(session, annotator_name), d).id)
        sys.stdout.write(f"ack {seq}\n")
        sys.stdout.flush()
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]) if len(sys.argv) > 4 else 0)
