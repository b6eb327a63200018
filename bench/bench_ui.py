"""Annotation UI latency on a large database.

Builds a SQLite database of N statements (default 100 000; bulk inserts, a few seconds) with
pre-labels for every item and some decisions already made, then, in this one process:

- baseline: the raw queue query for the next item (keys + display data, one fresh
  transaction each, as if nothing were prefetched);
- first screen: App start → first item rendered (Pilot, 120×40);
- keypress → next item rendered: Enter (accept; the decision is committed before the next
  item shows) as a Key event posted to the running app (what the terminal driver does), and
  the same through Pilot.press, whose idle detection adds sleeps of its own; p50/p95/max;

and prints the figures and their ratio to the baseline.  Every pair also has a relatedness score (3 in 10
below the gate's threshold, so the default queue hides them); `--filters` turns on every queue filter
(document glob, speaker, speaker type, model label, max confidence) on top of that gate.  The data make
each filter bite: 1 in 4 speakers is an expert (--speaker-type official drops them), 1 in 3 stance
suggestions is "against" (--label favor drops them), and the two suggestions' confidences run 0.5-0.9, so
--max-confidence 0.75 drops the 4 in 25 items where both are above it: about 1 pair in 5 of the
100 000 is queued with every filter on (the share is printed).

    python bench/bench_ui.py [--statements 100000] [--presses 300] [--order document] [--filters] [--db PATH]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402

from db.engine import make_engine, readonly, transaction  # noqa: E402
from db.migrate import upgrade  # noqa: E402

PER_DOC = 10
FILLER = "The withdrawal continued on schedule, officials said on Thursday. "


def build(path: Path, n_statements: int, done: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    now = "2026-01-01 00:00:00"
    docs, stmts = [], []
    for d in range(1, n_statements // PER_DOC + 1):
        parts, pos, spans = [], 0, []
        for i in range(PER_DOC):
            quote = f'"Statement {d}.{i}: the operation met its goals,"'
            para = FILLER * 2 + quote + " said Speaker " + str(i) + "."
            spans.append((pos + len(FILLER * 2), pos + len(FILLER * 2) + len(quote), quote, i))
            parts.append(para)
            pos += len(para) + 2
        docs.append({"id": d, "source": f"doc{d}.txt", "title": f"Document {d}", "text": "\n\n".join(parts),
                     "sha256": f"{d:064x}", "meta": "{}", "at": now})
        stmts += [{"doc": d, "s": s, "e": e, "t": q, "sp": f"Speaker {i}", "at": now,
                   "ty": "expert" if (d * PER_DOC + i) % 4 == 0 else "official"} for s, e, q, i in spans]
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO documents (id, source, title, text, sha256, meta, ingested_at) "
                          "VALUES (:id, :source, :title, :text, :sha256, :meta, :at)"), docs)
        conn.execute(text('INSERT INTO statements (document_id, start, "end", text, speaker, speaker_role, '
                          "speaker_type, kind, cue, extractor_version, created_at) VALUES "
                          "(:doc, :s, :e, :t, :sp, 'minister', :ty, 'direct', 'said', 'bench', :at)"), stmts)
        conn.execute(text("INSERT INTO targets (id, text, created_at) VALUES (1, 'the operation', :at)"), {"at": now})
        conn.execute(text("INSERT INTO annotators (id, name, created_at) VALUES (1, 'bench', :at)"), {"at": now})
        # stance: 'against' for 1 in 3, top probability 0.5 + (id % 5) / 10; sentiment: 'positive', 0.5 + (id / 5 % 5) / 10
        top = {"stance": "(0.5 + (id % 5) / 10.0)", "sentiment": "(0.5 + ((id / 5) % 5) / 10.0)"}
        for task, target, label, probs in (
                ("stance", 1, "CASE WHEN id % 3 = 0 THEN 'against' ELSE 'favor' END",
                 "CASE WHEN id % 3 = 0 THEN printf('{{\"favor\": %.2f, \"against\": %.2f, \"neutral\": %.2f}}', "
                 "(1 - {c}) / 2, {c}, (1 - {c}) / 2) ELSE printf('{{\"favor\": %.2f, \"against\": %.2f, "
                 "\"neutral\": %.2f}}', {c}, (1 - {c}) / 2, (1 - {c}) / 2) END"),
                ("sentiment", None, "'positive'",
                 "printf('{{\"positive\": %.2f, \"negative\": %.2f, \"neutral\": %.2f}}', {c}, (1 - {c}) / 2, "
                 "(1 - {c}) / 2)")):
            c = top[task]
            conn.execute(text(f"INSERT INTO predictions (statement_id, target_id, task, label, probabilities, "
                              f"model_name, model_version, created_at, margin) SELECT id, :target, :task, {label}, "
                              f"{probs.format(c=c)}, 'bench-model', '1', :at, {c} - (1 - {c}) / 2 FROM statements"),
                         {"target": target, "task": task, "at": now})
        # relatedness: score (id % 10) / 10, 'unrelated' (hidden by default) below 0.3
        conn.execute(text("INSERT INTO predictions (statement_id, target_id, task, label, probabilities, model_name, "
                          "model_version, created_at, margin, score) SELECT id, 1, 'relatedness', CASE WHEN id % 10 >= 3 "
                          "THEN 'related' ELSE 'unrelated' END, '{}', 'bench-gate', '1', :at, 0, (id % 10) / 10.0 "
                          "FROM statements"), {"at": now})
        conn.execute(text("INSERT INTO decisions (statement_id, target_id, annotator_id, action, stance, sentiment, "
                          "suggestions_shown, reason_codes, source, created_at) SELECT id, 1, 1, 'label', 'favor', "
                          "'positive', 1, '[]', 'bench', :at FROM statements WHERE id <= :done"),
                     {"done": done, "at": now})
    engine.dispose()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


FILTERS = dict(document="doc*", speaker="speaker", speaker_type="official", label="favor", max_confidence=0.75)


def queue_filters(on: bool):
    from db.queue import QueueFilters

    return QueueFilters(**FILTERS) if on else QueueFilters()


def queued_share(engine, filters: bool) -> tuple[int, int]:
    """(pairs in scope, statements): how much of the corpus the gate (and the filters) leave in the queue."""
    from db.queue import AnnotationQueue

    queue = AnnotationQueue(1, "bench", [1], "document", filters=queue_filters(filters))
    with transaction(readonly(engine)) as session:
        total = session.scalar(text("SELECT count(*) FROM statements"))
        keys = queue._all_open_keys(session)  # what remains for this annotator, --max-confidence included
    return len(keys), total


def baseline(engine, order: str, filters: bool, n: int = 200) -> list[float]:
    from db.queue import AnnotationQueue

    queue = AnnotationQueue(1, "bench", [1], order, filters=queue_filters(filters))
    times = []
    with transaction(readonly(engine)) as session:
        queue.next_keys(session, 1)  # warm: builds the order for random/uncertainty
    for _ in range(n):
        t0 = time.perf_counter()
        with transaction(readonly(engine)) as session:
            queue.load(session, queue.next_keys(session, 1))
        times.append((time.perf_counter() - t0) * 1000)
    return times


async def ui(engine, order: str, presses: int, filters: bool) -> tuple[float, list[float], list[float]]:
    """(first screen ms, key-event latencies, pilot.press latencies)."""
    from textual import events

    from workbench.tui.app import AnnotateApp
    from workbench.tui.backend import Backend

    app = AnnotateApp(Backend(engine, "bench", order=order, predictor_factory=None, filters=queue_filters(filters)))
    t0 = time.perf_counter()
    keyed, piloted = [], []
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.annotate_screen
        while screen.rendered < 1:
            await asyncio.sleep(0.0005)
        first = (time.perf_counter() - t0) * 1000
        for i in range(2 * presses):
            before = screen.rendered
            t1 = time.perf_counter()
            if i % 2:
                # Pilot.press adds its own idle-detection sleeps (wait_for_idle) on top
                await pilot.press("enter")
            else:
                # what a terminal does: the driver posts a Key event to the app
                app.post_message(events.Key("enter", "\r"))
            while screen.rendered == before:
                await asyncio.sleep(0.0005)
            (piloted if i % 2 else keyed).append((time.perf_counter() - t1) * 1000)
        await pilot.press("q")
    return first, keyed, piloted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--done", type=int, default=20_000, help="items already labelled by the annotator")
    parser.add_argument("--presses", type=int, default=300)
    parser.add_argument("--order", default="document", choices=("document", "uncertainty", "random"))
    parser.add_argument("--filters", action="store_true", help=f"queue filters on: {FILTERS}")
    parser.add_argument("--db", default=None, help="reuse/keep this SQLite file (built if missing)")
    args = parser.parse_args()

    path = Path(args.db) if args.db else Path(tempfile.mkdtemp(prefix="wb-bench-")) / "bench.db"
    if not path.exists():
        t0 = time.perf_counter()
        build(path, args.statements, args.done)
        print(f"built {args.statements} statements ({args.done} already labelled) in "
              f"{time.perf_counter() - t0:.1f} s: {path}")
    engine = make_engine(f"sqlite:///{path}")
    base = baseline(engine, args.order, args.filters)
    first, lat, piloted = asyncio.run(ui(engine, args.order, args.presses, args.filters))
    b50, b95 = statistics.median(base), pct(base, 0.95)
    l50, l95 = statistics.median(lat), pct(lat, 0.95)
    open_pairs, total = queued_share(engine, args.filters)
    print(f"order={args.order}  statements={args.statements}  presses={len(lat)}+{len(piloted)}  "
          f"relatedness gate on; filters {'on: ' + str(FILTERS) if args.filters else 'off'}")
    print(f"open pairs in the queue for the annotator: {open_pairs} of {total} statements' pairs "
          f"({open_pairs / total:.0%})")
    print(f"baseline raw queue query (next key + load, no prefetch): p50 {b50:.1f} ms  p95 {b95:.1f} ms")
    print(f"first screen (start → first item rendered):            {first:.0f} ms")
    print(f"keypress → next item rendered (commit included):       p50 {l50:.1f} ms  p95 {l95:.1f} ms  "
          f"max {max(lat):.1f} ms")
    print(f"  same via Pilot.press (adds Pilot's idle waits):       p50 {statistics.median(piloted):.1f} ms  "
          f"p95 {pct(piloted, 0.95):.1f} ms")
    print(f"ratio p95 keypress / p95 raw query: {l95 / b95:.2f}x   target p95 < 50 ms: "
          f"{'PASS' if l95 < 50 else 'FAIL'}")
    engine.dispose()
    if not args.db:
        for suffix in ("", "-wal", "-shm"):
            try:
                os.remove(f"{path}{suffix}")
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    main()
