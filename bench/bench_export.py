"""Export throughput: 100k decisions to JSONL (and parquet), against a raw SELECT of the same rows.

    python bench/bench_export.py [--decisions 100000] [--annotators 5] [--db sqlite:///...]

Builds a fresh SQLite file (default: a temporary one) with bulk inserts, then times
`workbench.export` per format and a baseline raw SELECT (decisions ⋈ statements ⋈
documents ⋈ annotators, fetched row by row) in the same process; prints seconds, rows/s,
the ratio export/baseline and the peak RSS growth (which must stay flat as the corpus grows).
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert, select, text  # noqa: E402

from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.schema import Annotator, Decision, Document, Prediction, Statement, Target  # noqa: E402

LABELS = ("favor", "against", "neutral")
SENT = ("positive", "negative", "neutral")
PER_DOC = 100


def build(engine, decisions: int, annotators: int) -> None:
    n_statements = decisions // annotators
    sentence = '"Statement text that somebody said here." '
    with engine.begin() as conn:
        docs = []
        for d in range((n_statements + PER_DOC - 1) // PER_DOC):
            body = f"Document {d}. " + sentence * PER_DOC
            docs.append({"id": d + 1, "source": f"doc_{d:05d}.txt", "title": None, "text": body,
                         "sha256": f"{d:064x}", "meta": {}})
        conn.execute(insert(Document), docs)
        stmts = []
        for i in range(n_statements):
            d, k = divmod(i, PER_DOC)
            start = len(f"Document {d}. ") + k * len(sentence) + 1
            stmts.append({"id": i + 1, "document_id": d + 1, "start": start, "end": start + 39,
                          "text": "Statement text that somebody said here", "speaker": f"Speaker {i % 50}",
                          "speaker_role": None, "speaker_type": "official", "kind": "direct", "cue": "said",
                          "extractor_version": "bench"})
        conn.execute(insert(Statement), stmts)
        conn.execute(insert(Target), [{"id": 1, "text": "the bench target", "description": None}])
        conn.execute(insert(Annotator), [{"id": a + 1, "name": f"ann{a + 1}"} for a in range(annotators)])
        preds = []
        for i in range(n_statements):
            preds.append({"id": 2 * i + 1, "statement_id": i + 1, "target_id": 1, "task": "stance",
                          "label": LABELS[i % 3], "probabilities": {"favor": .5, "against": .3, "neutral": .2},
                          "model_name": "clf", "model_version": "v1"})
            preds.append({"id": 2 * i + 2, "statement_id": i + 1, "target_id": None, "task": "sentiment",
                          "label": SENT[i % 3], "probabilities": {"positive": .5, "negative": .3, "neutral": .2},
                          "model_name": "sent", "model_version": "v1"})
        conn.execute(insert(Prediction), preds)
        rows = []
        for i in range(n_statements):
            for a in range(annotators):
                rows.append({"statement_id": i + 1, "target_id": 1, "annotator_id": a + 1, "action": "label",
                             "stance": LABELS[(i + a) % 3 if a % 2 else i % 3], "sentiment": SENT[(i * a) % 3],
                             "stance_prediction_id": 2 * i + 1, "sentiment_prediction_id": 2 * i + 2,
                             "accepted_as_is": a % 2 == 0, "suggestions_shown": a != annotators - 1,
                             "duration_ms": 1000 + i % 777, "reason_codes": [], "note": None,
                             "order_mode": "sequential", "source": "bench"})
            if len(rows) >= 50_000:
                conn.execute(insert(Decision), rows)
                rows = []
        if rows:
            conn.execute(insert(Decision), rows)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline(engine) -> tuple[float, int]:
    query = (select(Document.source, Statement.start, Statement.end, Statement.text, Statement.speaker,
                    Annotator.name, Decision.stance, Decision.sentiment, Decision.duration_ms, Decision.order_mode,
                    Decision.suggestions_shown, Decision.created_at)
             .join(Statement, Statement.id == Decision.statement_id).join(Document)
             .join(Annotator, Annotator.id == Decision.annotator_id)
             .where(Decision.action == "label").order_by(Document.source, Statement.start, Annotator.name))
    started = time.perf_counter()
    n = 0
    with engine.connect() as conn:
        for _row in conn.execution_options(stream_results=True, yield_per=2000).execute(query):
            n += 1
    return time.perf_counter() - started, n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=5)
    parser.add_argument("--formats", default="jsonl,parquet")
    parser.add_argument("--db", default=None, help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    from workbench.export import export

    tmp = tempfile.mkdtemp(prefix="bench-export-")
    url = args.db or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
    engine = make_engine(url)
    upgrade(engine)
    t0 = time.perf_counter()
    build(engine, args.decisions, args.annotators)
    with engine.connect() as conn:
        n_dec = conn.execute(text("SELECT count(*) FROM decisions")).scalar()
    print(f"built {n_dec} decisions ({args.annotators} annotators) in {time.perf_counter() - t0:.1f}s  [{url}]")

    base_s, base_rows = baseline(engine)
    print(f"baseline raw SELECT of the decision rows: {base_s:.3f}s for {base_rows} rows")
    for fmt in args.formats.split(","):
        before = rss_mb()
        started = time.perf_counter()
        n = export(engine, fmt, os.path.join(tmp, f"out.{fmt}"))
        took = time.perf_counter() - started
        size = os.path.getsize(os.path.join(tmp, f"out.{fmt}")) / 2**20 if fmt != "hf" else 0.0
        print(f"export {fmt:8s}: {took:.3f}s for {n} rows ({n_dec / took:,.0f} decisions/s), "
              f"ratio to baseline {took / base_s:.2f}x, output {size:.1f} MB, "
              f"peak RSS growth {rss_mb() - before:.1f} MB")
        if fmt == "jsonl" and n_dec >= 100_000 and took >= 3.0:
            print(f"WARNING: 100k decisions should export in < 3 s (load average now {os.getloadavg()[0]:.1f} "
                  f"on {os.cpu_count()} CPUs)", file=sys.stderr)
    import tracemalloc

    tracemalloc.start()
    export(engine, "jsonl", os.path.join(tmp, "traced.jsonl"))
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"jsonl export peak Python heap (tracemalloc): {peak / 2**20:.1f} MB "
          f"for {os.path.getsize(os.path.join(tmp, 'traced.jsonl')) / 2**20:.1f} MB written")


if __name__ == "__main__":
    main()
