"""Import throughput: `workbench import` of a 50k-line JSONL file against a raw sqlite3 executemany.

    python bench/bench_import.py [--lines 50000] [--annotators 5] [--form minimal|export] [--repeat 1]

Builds a fresh SQLite database (temporary folder) with documents, statements (lines / annotators
of them) and one target, and writes a JSONL file of `--lines` decisions, one per line:
`minimal` lines (`doc`, `start`, `end`, `target`, `annotator`, `stance`, `sentiment`, `note`), or
`export` rows (`workbench export --format jsonl` of a database holding those decisions: one row
per (statement, target) and per statement, each with every annotator's label). Then, in this
process, on copies of the same fresh database:

* baseline: the decision rows (ids already resolved) inserted with one raw `sqlite3`
  `executemany` in one transaction, the floor any import has to beat (for `export`, the same
  decisions as the file's source database holds them: one row per annotator and statement
  with both labels, where the import writes one per annotation);
* `workbench.importer.import_jsonl` of the file (parsing, validation, statement and annotator
  lookups, the idempotency check, one transaction);
* the same import again into the imported database (everything already stands: nothing written).

Prints wall seconds of each and the import/baseline ratio. The target (issue 22) is 50k lines
in < 10 s.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert  # noqa: E402

from db.engine import make_engine  # noqa: E402
from db.migrate import upgrade  # noqa: E402
from db.schema import Document, Prediction, Statement, Target  # noqa: E402

STANCE = ("favor", "against", "neutral")
SENTIMENT = ("positive", "negative", "neutral")
PER_DOC = 100
SENTENCE = '"Statement text that somebody said here." '
TARGET = "the bench target"
TARGET_S = 10.0


def build(path: Path, n_statements: int) -> None:
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as conn:
        docs, stmts = [], []
        for d in range((n_statements + PER_DOC - 1) // PER_DOC):
            docs.append({"id": d + 1, "source": f"doc_{d:05d}.txt", "title": None,
                         "text": f"Document {d}. " + SENTENCE * PER_DOC, "sha256": f"{d:064x}", "meta": {}})
        for i in range(n_statements):
            d, k = divmod(i, PER_DOC)
            start = len(f"Document {d}. ") + k * len(SENTENCE) + 1
            stmts.append({"id": i + 1, "document_id": d + 1, "start": start, "end": start + 39,
                          "text": "Statement text that somebody said here", "speaker": f"Speaker {i % 50}",
                          "speaker_role": None, "speaker_type": "official", "kind": "direct", "cue": "said",
                          "extractor_version": "bench"})
        conn.execute(insert(Document), docs)
        conn.execute(insert(Statement), stmts)
        conn.execute(insert(Target), [{"id": 1, "text": TARGET, "description": None}])
        preds = []  # what the annotators were shown: export rows carry it as each annotation's pre-label
        for i in range(n_statements):
            preds.append({"id": 2 * i + 1, "statement_id": i + 1, "target_id": 1, "task": "stance",
                          "label": STANCE[i % 3], "probabilities": {"favor": .5, "against": .3, "neutral": .2},
                          "model_name": "clf", "model_version": "v1"})
            preds.append({"id": 2 * i + 2, "statement_id": i + 1, "target_id": None, "task": "sentiment",
                          "label": SENTIMENT[i % 3], "probabilities": {"positive": .5, "negative": .3, "neutral": .2},
                          "model_name": "sent", "model_version": "v1"})
        conn.execute(insert(Prediction), preds)
    engine.dispose()


def decisions(n_lines: int, annotators: int) -> list[dict]:
    """One decision per line: statement i, annotator a; the statement's offsets as a line names them."""
    out = []
    for n in range(n_lines):
        i, a = divmod(n, annotators)
        d, k = divmod(i, PER_DOC)
        start = len(f"Document {d}. ") + k * len(SENTENCE) + 1
        out.append({"doc": f"doc_{d:05d}.txt", "start": start, "end": start + 39, "target": TARGET,
                    "annotator": f"ann{a + 1}", "stance": STANCE[(i + a) % 3], "sentiment": SENTIMENT[(i * a) % 3],
                    "note": "bench" if n % 10 == 0 else None, "statement_id": i + 1, "annotator_id": a + 1})
    return out


def write_minimal(rows: list[dict], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for r in rows:
            line = {k: v for k, v in r.items() if k not in ("statement_id", "annotator_id")}
            fh.write(json.dumps(line) + "\n")


def write_export(db: Path, path: Path) -> int:
    """An export of the database holding the decisions (built with the raw baseline)."""
    from workbench.export import export

    engine = make_engine(f"sqlite:///{db}")
    n = export(engine, "jsonl", str(path))
    engine.dispose()
    return n


def raw_baseline(db: Path, rows: list[dict], annotators: int) -> float:
    """The decisions inserted by plain sqlite3: ids resolved, one executemany, one transaction."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA synchronous=FULL")
    started = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    conn.executemany("INSERT INTO annotators (name, created_at) VALUES (?, datetime('now'))",
                     [(f"ann{a + 1}",) for a in range(annotators)])
    conn.executemany(
        "INSERT INTO decisions (statement_id, target_id, annotator_id, action, stance, sentiment, "
        "stance_prediction_id, sentiment_prediction_id, accepted_as_is, suggestions_shown, duration_ms, "
        "reason_codes, note, order_mode, source, created_at) "
        "VALUES (?, 1, ?, 'label', ?, ?, ?, ?, NULL, 1, NULL, '[]', ?, NULL, 'import', datetime('now'))",
        [(r["statement_id"], r["annotator_id"], r["stance"], r["sentiment"], 2 * r["statement_id"] - 1,
          2 * r["statement_id"], r["note"]) for r in rows])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def timed_import(db: Path, file: Path):
    from workbench.importer import import_jsonl

    engine = make_engine(f"sqlite:///{db}")
    started = time.perf_counter()
    summary = import_jsonl(engine, str(file))
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--annotators", type=int, default=5)
    parser.add_argument("--form", choices=("minimal", "export"), default="minimal")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        tmp = Path(tmp)
        fresh = tmp / "fresh.db"
        n_statements = (args.lines + args.annotators - 1) // args.annotators
        build(fresh, n_statements)
        rows = decisions(args.lines, args.annotators)
        file = tmp / "in.jsonl"
        baselines, imports, again = [], [], []
        for _ in range(args.repeat):
            shutil.copy(fresh, tmp / "raw.db")
            baselines.append(raw_baseline(tmp / "raw.db", rows, args.annotators))
        if args.form == "minimal":
            write_minimal(rows, file)
        else:
            write_export(tmp / "raw.db", file)
        n_lines = sum(1 for _ in open(file, encoding="utf-8"))
        what = (f"{len(rows)} decision(s)" if args.form == "minimal" else
                f"the export of {len(rows)} two-label decision(s) (each annotation with its pre-label)")
        print(f"{n_lines} {args.form} line(s): {what} by {args.annotators} annotators on {n_statements} statements; "
              f"file {file.stat().st_size / 1e6:.1f} MB")
        for _ in range(args.repeat):
            shutil.copy(fresh, tmp / "imported.db")
            elapsed, summary = timed_import(tmp / "imported.db", file)
            imports.append(elapsed)
            elapsed_again, summary_again = timed_import(tmp / "imported.db", file)
            again.append(elapsed_again)
        print(f"  {summary.report()}")
        print(f"  again: {summary_again.report()}")
        base, best, best_again = min(baselines), min(imports), min(again)
        print(f"raw sqlite3 executemany of the {len(rows)} decision rows (baseline)")
        print(f"                                    {base:7.2f} s")
        print(f"workbench import                    {best:7.2f} s  {best / base:6.1f}x the baseline  "
              f"({n_lines / best:,.0f} lines/s; 50k lines target < {TARGET_S:.0f} s: "
              f"{'met' if best * 50_000 / n_lines < TARGET_S else 'NOT met'} at this rate)")
        print(f"the same import again (all present) {best_again:7.2f} s  {best_again / base:6.1f}x the baseline")


if __name__ == "__main__":
    main()
