"""Crash safety and concurrency of the decision log, with real processes and real databases."""
from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import text

from db.engine import make_engine, transaction
from db import repository
from tests.conftest import REPO

WRITER = [sys.executable, "-m", "tests.decision_writer"]


def seed_items(engine, n_statements: int = 50) -> None:
    body = " ".join(f"Sentence {i} here." for i in range(n_statements))
    with transaction(engine) as s:
        doc, _ = repository.add_document(s, "r.txt", body)
        fields = []
        pos = 0
        for i in range(n_statements):
            sentence = f"Sentence {i} here."
            pos = body.index(sentence, pos)
            fields.append(repository.StatementFields(pos, pos + len(sentence), sentence, "A B", None, "other",
                                                     "direct", "said"))
            pos += len(sentence)
        repository.replace_statements(s, doc, fields, "test")
        repository.add_target(s, "the thing")


def notes_in_db(url: str) -> list[str]:
    engine = make_engine(url)
    with engine.connect() as conn:
        notes = [r[0] for r in conn.execute(text("SELECT note FROM decisions WHERE note IS NOT NULL"))]
    engine.dispose()
    return notes


def start_writer(url: str, annotator: str, count: int, first: int = 0) -> subprocess.Popen:
    return subprocess.Popen(WRITER + [url, annotator, str(count), str(first)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def kill_mid_run(proc: subprocess.Popen, rng: random.Random, round_no: int, window: tuple[float, float]) -> list[str]:
    """SIGKILL a writer after a random pause; returns the seqs it acknowledged first.

    Every fourth kill is timed from the start, so it may land mid-import; the others from the
    writer's "ready" line, so that on a loaded machine (slow imports) they still land mid-write.
    """
    acks: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            if line.startswith("ack "):
                acks.append(line.split()[1])
            elif line.startswith("ready"):
                ready.set()

    reader = threading.Thread(target=read)
    reader.start()
    if round_no % 4:
        ready.wait(timeout=120)
    time.sleep(rng.uniform(*window))
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    reader.join()
    return acks


@pytest.mark.slow
def test_kill_9_never_loses_an_acknowledged_decision(engine, sqlite_url):
    seed_items(engine)
    engine.dispose()
    rng = random.Random(20261128)
    acknowledged: list[str] = []
    kills = 0
    next_seq = 0
    for _round in range(25):
        acks = kill_mid_run(start_writer(sqlite_url, "crash", 100_000, next_seq), rng, kills, (0.3, 1.2))
        kills += 1
        acknowledged.extend(f"crash:{seq}" for seq in acks)
        next_seq += 100_000
        stored = set(notes_in_db(sqlite_url))
        missing = [a for a in acknowledged if a not in stored]
        assert not missing, f"acknowledged but lost after kill {kills}: {missing[:5]}"
        with sqlite3.connect(sqlite_url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert kills == 25 and len(acknowledged) > 100
    print(f"\ncrash safety: {kills} SIGKILLs, {len(acknowledged)} acknowledged decisions all present")


def run_concurrent_writers(url: str, processes: int, per_process: int) -> None:
    procs = [start_writer(url, f"w{i}", per_process) for i in range(processes)]
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert err.strip() == "", err
        assert out.count("ack ") == per_process
    notes = notes_in_db(url)
    assert len(notes) == processes * per_process
    assert len(set(notes)) == len(notes), "duplicated decisions"
    expected = {f"w{i}:{seq}" for i in range(processes) for seq in range(per_process)}
    assert set(notes) == expected


@pytest.mark.slow
def test_four_processes_write_ten_thousand_decisions_into_one_sqlite_file(engine, sqlite_url):
    seed_items(engine)
    engine.dispose()
    started = time.perf_counter()
    run_concurrent_writers(sqlite_url, 4, 2500)
    print(f"\nsqlite: 4 writers × 2500 decisions in {time.perf_counter() - started:.1f}s, none lost or duplicated")


@pytest.mark.slow
def test_four_processes_write_ten_thousand_decisions_into_postgres(pg_engine, pg_url):
    seed_items(pg_engine)
    started = time.perf_counter()
    run_concurrent_writers(pg_url, 4, 2500)
    print(f"\npostgres: 4 writers × 2500 decisions in {time.perf_counter() - started:.1f}s, none lost or duplicated")
