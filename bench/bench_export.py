"""Export throughput and memory: 100k decisions per format, against a raw SELECT of the same rows.

    python bench/bench_export.py [--decisions 100000] [--annotators 5] [--formats jsonl,csv,parquet,hf]
                                 [--repeat 3] [--no-memory] [--db sqlite:///...]

Builds a fresh database (default: a temporary SQLite file) with bulk inserts, then, in this
process, times a baseline raw SELECT (decisions ⋈ statements ⋈ documents ⋈ annotators,
streamed) and `workbench.export` per format, each `--repeat` times: wall seconds and CPU
seconds of this process (`time.process_time`; on a busy machine wall time also counts
waiting for a core, so CPU is the steadier number), best and median, and the ratio to the
baseline. The target (issue 6) is 100k decisions in < 3 s per format.

Memory (unless --no-memory): each format exports again in a fresh child process, for the
corpus and for one twice its size (temporary SQLite files), which reports its peak RSS
growth during the export (VmHWM after minus VmRSS before) and the peak Python heap
(tracemalloc, a second child); both must stay flat as the corpus doubles.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
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
TARGET_S = 3.0


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


def fresh_db(url: str, decisions: int, annotators: int) -> tuple[object, int, float]:
    engine = make_engine(url)
    upgrade(engine)
    started = time.perf_counter()
    build(engine, decisions, annotators)
    with engine.connect() as conn:
        n_dec = conn.execute(text("SELECT count(*) FROM decisions")).scalar()
    return engine, n_dec, time.perf_counter() - started


def timed(fn) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, result


def baseline(engine) -> int:
    query = (select(Document.source, Statement.start, Statement.end, Statement.text, Statement.speaker,
                    Annotator.name, Decision.stance, Decision.sentiment, Decision.duration_ms, Decision.order_mode,
                    Decision.suggestions_shown, Decision.created_at)
             .join(Statement, Statement.id == Decision.statement_id).join(Document)
             .join(Annotator, Annotator.id == Decision.annotator_id)
             .where(Decision.action == "label").order_by(Document.source, Statement.start, Annotator.name))
    n = 0
    with engine.connect() as conn:
        for _row in conn.execution_options(stream_results=True, yield_per=2000).execute(query):
            n += 1
    return n


def _status_mb(field: str) -> float:
    """VmRSS / VmHWM of this process (ru_maxrss would include the parent's peak: it survives exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


def _reset_peak() -> None:
    """Start VmHWM over from the current RSS (Linux >= 4.0), so the peak is the export's own."""
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
    except OSError:
        pass


def child(url: str, fmt: str, out: str, traced: bool) -> None:
    """Run one export in this fresh process and print its memory figures as JSON."""
    import pyarrow.parquet  # noqa: F401  (imports are not the export's memory)

    from workbench.export import export

    if fmt == "hf":
        import datasets  # noqa: F401
    engine = make_engine(url)
    if traced:
        import tracemalloc

        tracemalloc.start()
        n = export(engine, fmt, out)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        print(json.dumps({"rows": n, "heap_peak_mb": peak}))
        return
    _reset_peak()
    before = _status_mb("VmRSS")
    n = export(engine, fmt, out)
    peak = _status_mb("VmHWM")
    print(json.dumps({"rows": n, "rss_before_mb": before, "rss_peak_mb": peak, "growth_mb": peak - before}))


def memory(url: str, fmt: str, tmp: str, traced: bool) -> dict:
    out = os.path.join(tmp, f"mem.{fmt}")
    cmd = [sys.executable, __file__, "--child", url, fmt, out] + (["--traced"] if traced else [])
    done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--annotators", type=int, default=5)
    parser.add_argument("--formats", default="jsonl,csv,parquet,hf")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-memory", action="store_true", help="skip the child-process memory runs")
    parser.add_argument("--db", default=None, help="an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--child", nargs=3, metavar=("URL", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child, args.traced)
        return

    import pyarrow.parquet  # noqa: F401  (import time is not export time)

    from workbench.export import export

    formats = args.formats.split(",")
    if "hf" in formats:
        import datasets  # noqa: F401
    tmp = tempfile.mkdtemp(prefix="bench-export-")
    url = args.db or f"sqlite:///{os.path.join(tmp, 'bench.db')}"
    engine, n_dec, build_s = fresh_db(url, args.decisions, args.annotators)
    print(f"built {n_dec} decisions ({args.annotators} annotators) in {build_s:.1f}s  [{url}]")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; best / median of {args.repeat} runs")

    runs = [timed(lambda: baseline(engine)) for _ in range(args.repeat)]
    base_wall, base_cpu = min(r[0] for r in runs), min(r[1] for r in runs)
    print(f"baseline raw SELECT   : wall {base_wall:.3f}s  cpu {base_cpu:.3f}s  for {runs[0][2]} rows")
    slow = []
    for fmt in formats:
        path = os.path.join(tmp, f"out.{fmt}")
        runs = [timed(lambda: export(engine, fmt, path)) for _ in range(args.repeat)]
        walls, cpus, n = [r[0] for r in runs], [r[1] for r in runs], runs[0][2]
        size = os.path.getsize(path) / 2**20 if fmt != "hf" else 0.0
        print(f"export {fmt:8s}       : wall {min(walls):.3f}s (median {statistics.median(walls):.3f})  "
              f"cpu {min(cpus):.3f}s (median {statistics.median(cpus):.3f})  for {n} rows, "
              f"{n_dec / min(walls):,.0f} decisions/s, x{min(walls) / base_wall:.1f} wall / "
              f"x{min(cpus) / base_cpu:.1f} cpu of the baseline, output {size:.1f} MB")
        if n_dec >= 100_000 and min(walls) >= TARGET_S * n_dec / 100_000:
            slow.append(fmt)
    if slow:
        print(f"WARNING: {', '.join(slow)}: 100k decisions should export in < {TARGET_S:.0f} s (load average now "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", file=sys.stderr)

    if args.no_memory:
        return
    sizes = {n_dec: url}
    if args.db is None:
        big_url = f"sqlite:///{os.path.join(tmp, 'bench2x.db')}"
        _engine, big_n, _ = fresh_db(big_url, 2 * args.decisions, args.annotators)
        _engine.dispose()
        sizes[big_n] = big_url
    print("memory (fresh process per export): peak RSS growth during the export / peak Python heap")
    for fmt in formats:
        figures = []
        for n, size_url in sizes.items():
            rss = memory(size_url, fmt, tmp, traced=False)
            heap = memory(size_url, fmt, tmp, traced=True)
            figures.append(f"{n:>7} decisions: RSS +{rss['growth_mb']:.1f} MB (peak {rss['rss_peak_mb']:.0f} MB), "
                           f"heap {heap['heap_peak_mb']:.1f} MB")
        print(f"  {fmt:8s} " + "  |  ".join(figures))


if __name__ == "__main__":
    main()
