#!/usr/bin/env python3
"""Accuracy and speed of the rule-based statement extractor, in one command.

    python bench/bench_extract.py [--split dev|train|all] [--dump DIR] [--against TREE [--rounds N]]

Scores the seed article against ../shared/gold/seed_statements.jsonl and PolNeAR (dev and
train) against gold files built into a temporary folder with ../shared/tools/polnear_to_gold.py:
direct-quote recall with span precision measured against all attributions, and recall over
all attributions. Speed is articles per second over all PolNeAR texts, next to a baseline
(reading each file and one trivial regex pass) timed in the same process.

--against TREE times another checkout of this repository (for example `git worktree add /tmp/old
<commit>`) against this one: the same texts, read beforehand, extracted in fresh processes that take
turns (this tree, TREE, this tree, ...) so that both see the same load; the best CPU time of each.
"""
import argparse
import importlib.util
import json
import pathlib
import re
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(ROOT))

from workbench.extract import EXTRACTOR_VERSION, extract  # noqa: E402

SEED = ROOT / "seeds" / "000_1dd885126ebaad5d.txt"
SEED_GOLD = SHARED / "gold" / "seed_statements.jsonl"
TOOLS = SHARED / "tools"
POLNEAR = SHARED / "data" / "polnear"


def _scorer():
    spec = importlib.util.spec_from_file_location("score_statements", TOOLS / "score_statements.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _rows(doc: str, text: str) -> list[dict]:
    return [{"doc": doc, **s.__dict__} for s in extract(text)]


def _clean_split(split: pathlib.Path, tmp: pathlib.Path) -> pathlib.Path:
    """A copy of the split whose .ann lines are whole: a few brat span texts hold newlines,
    which the gold tool cannot parse. Continuation lines are joined back to their T line."""
    out = tmp / split.name
    (out / "attributions").mkdir(parents=True)
    (out / "text").symlink_to(split / "text")
    for ann in sorted((split / "attributions").glob("*.ann")):
        lines: list[str] = []
        for line in ann.read_text(encoding="utf-8").splitlines():
            if lines and not re.match(r"[TEARN#]\d*\t", line):
                lines[-1] += " " + line
            else:
                lines.append(line)
        (out / "attributions" / ann.name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def _gold(split: pathlib.Path, out: pathlib.Path, direct: bool) -> list[dict]:
    cmd = [sys.executable, str(TOOLS / "polnear_to_gold.py"), str(split), str(out)]
    subprocess.run(cmd + (["--direct-only"] if direct else []), check=True, capture_output=True)
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line]


def bench_split(name: str, tmp: pathlib.Path, score, dump: pathlib.Path | None) -> tuple[int, float]:
    split = _clean_split(POLNEAR / name, tmp)
    gold_all = _gold(split, tmp / f"{name}_all.jsonl", False)
    gold_direct = _gold(split, tmp / f"{name}_direct.jsonl", True)
    texts = sorted((split / "text").glob("*.txt"))
    t0 = time.perf_counter()
    pred = []
    for path in texts:
        pred.extend(_rows(path.name, path.read_text(encoding="utf-8")))
    elapsed = time.perf_counter() - t0
    if dump:
        # Gold next to the predictions, so that misses can be read without rebuilding it.
        for suffix, rows in (("pred", pred), ("gold_all", gold_all), ("gold_direct", gold_direct)):
            with open(dump / f"{name}_{suffix}.jsonl", "w", encoding="utf-8") as f:
                f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    direct = score.score(gold_direct, pred, gold_all)
    every = score.score(gold_all, pred)
    print(f"PolNeAR {name:5s} ({len(texts)} articles, {len(gold_direct)} direct / {len(gold_all)} all gold)")
    print(f"  direct quotes   recall {direct['statement_recall']:.3f}  span precision vs all "
          f"{direct['span_precision']:.3f}  speaker accuracy {direct['speaker_accuracy']:.3f}")
    print(f"  all attributions recall {every['statement_recall']:.3f}  span precision "
          f"{every['span_precision']:.3f}  speaker accuracy {every['speaker_accuracy']:.3f}  "
          f"predicted {every['predicted_statements']}")
    return len(texts), elapsed


def _best_of(runs: int, fn) -> tuple[float, float]:
    """Fastest of a few timed runs, wall and CPU time: the machine is shared, and the slow
    runs measure the other processes rather than the extractor."""
    wall = cpu = float("inf")
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - w0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu


def speed(paths: list[pathlib.Path]) -> None:
    quote = re.compile(r"[\"“”]")
    base, _ = _best_of(3, lambda: [quote.findall(p.read_text(encoding="utf-8")) for p in paths])
    full, cpu = _best_of(3, lambda: [extract(p.read_text(encoding="utf-8")) for p in paths])
    n = len(paths)
    print(f"Speed (best of 3): {n / full:.0f} articles/s end to end, reading included ({n} articles, "
          f"{full:.2f} s wall; {n / cpu:.0f} articles/s by CPU time); baseline read + one regex "
          f"pass {n / base:.0f} articles/s; the extractor takes {full / base:.0f}x the baseline time")


# One timed pass in a fresh process over texts read beforehand: CPU seconds and the tree's extractor version.
_TIMED_PASS = """
import pathlib, sys, time
sys.path.insert(0, sys.argv[1])
from workbench.extract import EXTRACTOR_VERSION, extract
texts = [pathlib.Path(p).read_text(encoding="utf-8") for p in sys.argv[2:]]
extract(texts[0])
t0 = time.process_time()
for text in texts:
    extract(text)
print(EXTRACTOR_VERSION, time.process_time() - t0)
"""


def against(tree: pathlib.Path, paths: list[pathlib.Path], rounds: int) -> None:
    best: dict[pathlib.Path, tuple[str, float]] = {}
    for _ in range(rounds):
        for root in (ROOT, tree):
            out = subprocess.run([sys.executable, "-c", _TIMED_PASS, str(root), *map(str, paths)],
                                 check=True, capture_output=True, text=True).stdout.split()
            version, cpu = out[0], float(out[1])
            if root not in best or cpu < best[root][1]:
                best[root] = (version, cpu)
    (mine, cpu), (theirs, other) = best[ROOT], best[tree]
    n = len(paths)
    print(f"Against {tree} (best of {rounds} alternating processes, CPU time): this tree {mine} "
          f"{n / cpu:.0f} articles/s, {theirs} {n / other:.0f} articles/s; ratio {other / cpu:.2f}x")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["dev", "train", "all"], default="all")
    ap.add_argument("--dump", type=pathlib.Path, help="write predictions here")
    ap.add_argument("--against", type=pathlib.Path, metavar="TREE",
                    help="time another checkout of this repository against this one")
    ap.add_argument("--rounds", type=int, default=3, help="alternating timed passes per tree (--against)")
    args = ap.parse_args()
    if args.against and not (args.against / "workbench" / "extract").is_dir():
        sys.exit(f"bench_extract: {args.against} holds no workbench/extract: give a checkout of this repository")
    if not (SHARED / "data").is_dir() or not POLNEAR.is_dir():
        sys.exit(f"bench_extract: {SHARED / 'data'} is absent; this benchmark needs the shared "
                 "PolNeAR data and tools next to the repository (../shared).")
    score = _scorer()
    print(f"extractor {EXTRACTOR_VERSION}")
    seed_pred = _rows(SEED.name, SEED.read_text(encoding="utf-8"))
    seed = score.score(score.load(SEED_GOLD), seed_pred)
    print(f"Seed article ({seed['gold_statements']} gold): recall {seed['statement_recall']:.3f}  "
          f"span precision {seed['span_precision']:.3f}  speaker accuracy {seed['speaker_accuracy']:.3f}")
    if args.dump:
        args.dump.mkdir(parents=True, exist_ok=True)
    splits = ["dev", "train"] if args.split == "all" else [args.split]
    with tempfile.TemporaryDirectory(prefix="bench_extract_") as tmp:
        for name in splits:
            bench_split(name, pathlib.Path(tmp), score, args.dump)
    paths = sorted(p for name in splits for p in (POLNEAR / name / "text").glob("*.txt"))
    speed(paths)
    if args.against:
        against(args.against.resolve(), paths, args.rounds)


if __name__ == "__main__":
    main()
