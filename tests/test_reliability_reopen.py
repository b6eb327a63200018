"""Crash safety, last step (issue 8): after writers are SIGKILLed at random moments, the annotation
UI opens on the database and shows the right next item and progress.

The writer is tests/decision_writer.py: each decision is `db.decisions.record` inside its own
transaction run by `db.engine.write_retrying(engine, ...)`, acknowledged after the commit. That is
exactly the UI's write path: `workbench.tui.backend.Backend.save` does `write_retrying(self.engine,
lambda session: record(session, self.annotator, decision).id, ...)` (and `Backend.undo` uses
`undo_last` the same way), so a crash of the UI mid-write is a crash of this writer mid-write.
"""
from __future__ import annotations

import inspect
import random
import re
import sqlite3

from sqlalchemy import select, text

from db.decisions import record
from db.engine import make_engine, transaction
from db.schema import Statement, Target
from tests.test_reliability_storage import kill_mid_run, seed_items, start_writer
from tests.test_tui_support import FixedClock, fake_factory, settle, sync
from workbench.tui.app import AnnotateApp
from workbench.tui.backend import Backend

N_STATEMENTS = 20_000  # more than the writer gets through, so the queue is never exhausted
ROUNDS = 8
SIZE = (120, 40)


def test_the_ui_writes_through_the_same_path_as_the_crash_writer():
    """Guard for the claim in the module docstring: Backend.save = record() in write_retrying()."""
    import tests.decision_writer as writer
    from db.engine import write_retrying

    save = inspect.getsource(Backend.save)
    assert re.search(r"write_retrying\(self\.engine, lambda session: record\(session,", save), save
    assert Backend.save.__globals__["record"] is record is writer.record
    assert Backend.save.__globals__["write_retrying"] is write_retrying is writer.write_retrying


def committed_seqs(url: str) -> list[int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        notes = [r[0] for r in conn.execute(text("SELECT note FROM decisions WHERE note LIKE 'crash:%'"))]
    engine.dispose()
    return sorted(int(n.split(":")[1]) for n in notes)


def kill_rounds(url: str, rng: random.Random) -> tuple[int, list[int]]:
    """SIGKILL the writer ROUNDS times; returns (kills, acknowledged seqs)."""
    acknowledged: list[int] = []
    kills = 0
    for _ in range(ROUNDS):
        seqs = committed_seqs(url)
        first = seqs[-1] + 1 if seqs else 0  # continue after whatever committed, acknowledged or not
        acks = [int(seq) for seq in kill_mid_run(start_writer(url, "crash", 10 * N_STATEMENTS, first), rng, kills,
                                                 (0.4, 1.4))]
        kills += 1
        acknowledged.extend(acks)
        stored = set(committed_seqs(url))
        assert not [a for a in acknowledged if a not in stored], f"acknowledged decisions lost after kill {kills}"
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return kills, acknowledged


@sync
async def test_ui_reopens_on_a_killed_database_at_the_right_item_and_progress(engine, sqlite_url):
    seed_items(engine, N_STATEMENTS)
    engine.dispose()
    kills, acknowledged = kill_rounds(sqlite_url, random.Random(8080))
    committed = committed_seqs(sqlite_url)
    # every committed decision is one seq of an unbroken run 0..n-1: nothing torn, nothing duplicated
    assert committed == list(range(len(committed)))
    assert set(acknowledged) <= set(committed) and len(acknowledged) > 50
    n = len(committed)
    assert n < N_STATEMENTS
    with transaction(engine) as session:
        statements = list(session.execute(select(Statement.id, Statement.text).order_by(Statement.id)))
        target_id = session.scalar(select(Target.id))

    # the writer labels statement seq % N in id (= reading) order, so statements 0..n-1 are done
    app = AnnotateApp(Backend(engine, "crash", predictor_factory=fake_factory()), clock=FixedClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.annotate_screen
        assert (screen.done, screen.total) == (n, N_STATEMENTS)
        assert screen.current is not None
        assert tuple(screen.current.key) == (statements[n][0], target_id)
        assert screen.current.text == statements[n][1]
        bar = str(screen.query_one("#session").render())
        assert f"{n} / {N_STATEMENTS} done" in bar, bar
        # and it keeps working on that file: accept the suggestion, move on, progress +1
        await pilot.press("enter")
        await settle(pilot)
        assert screen.done == n + 1
        assert tuple(screen.current.key) == (statements[n + 1][0], target_id)
    with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = conn.execute("SELECT statement_id, source FROM decisions ORDER BY id DESC LIMIT 1").fetchall()
    assert rows == [(statements[n][0], "ui")]
    print(f"\nreopen: {kills} SIGKILLs, {len(acknowledged)} acknowledged / {n} committed decisions; "
          f"the UI reopened at item {n + 1} of {N_STATEMENTS}")
