"""Few-shot bench: how much do 20 or 50 annotator decisions on a new target help the stance model?

    python bench/bench_fewshot.py [--targets "comment section,hijab"] [--seeds 13,14,15] [--shots 20,50]
                                  [--parent DIR] [--json OUT]

Annotators are simulated with VAST dev items (../shared/data/vast/vast_dev.csv): for each
target (a VAST dev topic the shipped stance model never saw in training) and seed, the
target's items are shuffled, the first k become statements with one annotator's decision (the
VAST label) in a fresh SQLite database, and the real pipeline runs: `train_from_decisions`
fine-tunes the shipped model (20 % of the decisions held back for its dev metrics) into a new
version. Stance macro-F1 is measured on the target's remaining items, the same held-out items
for zero-shot (the shipped model) and for every k (they are the items left after the largest k
that leaves at least --min-test items), so the conditions are comparable. Training wall time
is the whole `train_from_decisions` call (read decisions, load parent, train, dev metrics, save).

Targets are picked automatically (the VAST dev topics with the most items among those absent
from the shipped model's training set, recomputed from models/recipes.py with the seed in the
shipped config) unless --targets names them; the overlap of every target with the shipped
training data is printed either way.

Needs ../shared/data (or $WORKBENCH_DATA_DIR) and the shipped stance weights (or --parent);
exits with a clear message when either is absent. Torch threads: $WORKBENCH_THREADS (default 2).
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))


def norm(topic: str | None) -> str:
    return " ".join((topic or "").lower().split())


def fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def shipped_training_topics(cfg: dict, root: Path) -> tuple[Counter, Counter, str]:
    """(topic counts in the shipped model's training set, in all of VAST train, how the first was obtained)."""
    from models.data import SEMEVAL_TARGETS, read_vast_train
    from models.recipes import recipe_data
    from models.training import DATA_OPTIONS

    full = Counter(norm(e.target) for e in read_vast_train(root / "vast_train" / "train.csv"))
    full.update(norm(t) for t in SEMEVAL_TARGETS.values())
    seed = cfg.get("training", {}).get("seed")
    n_train = cfg.get("training", {}).get("n_train")
    if seed is None:
        return full, full, "no training seed in the parent's config: checked against all of VAST train + SemEval"
    recipe = cfg.get("training", {}).get("recipe")
    # every way the recipe's data was sampled, as the config records it (uncapped, per_corpus, same_corpus, ...)
    options = {k: tuple(v) if isinstance(v, list) else v
               for k in DATA_OPTIONS if (v := cfg.get("training", {}).get(k))}
    train = recipe_data("stance", int(seed), recipe=recipe, **options)[0]
    if n_train is not None and len(train) != int(n_train):
        return full, full, (f"recipe gives {len(train)} examples but the model was trained on {n_train}: "
                            "checked against all of VAST train + SemEval")
    return Counter(norm(e.target) for e in train), full, (
        f"recomputed from models/recipes.py recipe_data(recipe={recipe!r}, seed={seed}"
        + "".join(f", {k}={v!r}" for k, v in options.items()) + f"): {len(train)} examples, "
        "as in the config")


def macro_f1(gold: list[str], pred: list[str]) -> float:
    """Macro-F1 over the labels present in gold or predictions (sklearn's default)."""
    from models.metrics import classification_report

    labels = tuple(lab for lab in ("favor", "against", "neutral") if lab in set(gold) | set(pred))
    return classification_report(gold, pred, labels)["macro_f1"]


def build_db(path: Path, topic: str, items) -> object:
    """A fresh workbench database: one document + statement per post, one decision per item."""
    from db.decisions import NewDecision, record
    from db.engine import make_engine, transaction
    from db.migrate import upgrade
    from db.repository import add_document, add_target, get_or_create_annotator
    from db.schema import Statement

    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with transaction(engine) as s:
        target = add_target(s, topic)
        annotator = get_or_create_annotator(s, "simulated")
        for i, ex in enumerate(items):
            doc, _ = add_document(s, f"vast-dev-{i}", ex.text)
            st = Statement(document_id=doc.id, start=0, end=len(ex.text), text=ex.text, extractor_version="bench")
            s.add(st)
            s.flush()
            record(s, annotator, NewDecision(statement_id=st.id, target_id=target.id, stance=ex.label,
                                             source="bench"))
    return engine


def mean_sd(values: list[float]) -> str:
    if not values:
        return "—"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.3f} ± {sd:.3f}"


def seconds_sd(values: list[float]) -> str:
    if not values:
        return "—"
    sd = statistics.stdev(values) if len(values) > 1 else 0.0
    return f"{statistics.mean(values):.0f} ± {sd:.0f}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench/bench_fewshot.py", description=__doc__.splitlines()[0])
    p.add_argument("--targets", default=None, help="comma-separated VAST dev topics (default: picked automatically)")
    p.add_argument("--n-targets", type=int, default=4, help="how many targets to pick automatically")
    p.add_argument("--min-items", type=int, default=40, help="automatic pick: topics with at least this many items")
    p.add_argument("--seeds", default="13,14,15")
    p.add_argument("--shots", default="20,50")
    p.add_argument("--min-test", type=int, default=20, help="held-out items a target must keep after k decisions")
    p.add_argument("--parent", default=None, help="stance model dir to start from (default: the shipped weights)")
    p.add_argument("--lr", type=float, default=None, help="search: override the shipped few-shot learning rate")
    p.add_argument("--json", dest="json_out", default=None, help="also write the per-run results here")
    args = p.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    shots = sorted(int(s) for s in args.shots.split(","))

    from models.classifiers import load_classifier, shipped_dir
    from models.data import data_root, read_vast
    from models.errors import DataError

    try:
        root = data_root()
    except DataError as exc:
        return fail(f"{exc}; this bench needs the VAST dev split from the shared data folder")
    if not (root / "vast" / "vast_dev.csv").is_file() or not (root / "vast_train" / "train.csv").is_file():
        return fail(f"VAST files missing under {root} (need vast/vast_dev.csv and vast_train/train.csv)")
    parent_dir = Path(args.parent) if args.parent else shipped_dir("stance")
    if not (parent_dir / "config.json").is_file():
        return fail(f"stance model not found: {parent_dir} (train the shipped weights with "
                    f"`python -m models.train --task stance`, or pass --parent DIR)")
    parent_cfg = json.loads((parent_dir / "config.json").read_text(encoding="utf-8"))

    dev = read_vast(root / "vast" / "vast_dev.csv")
    by_topic: dict[str, list] = {}
    texts_seen: set[tuple[str, str]] = set()
    for ex in dev:
        key = (norm(ex.target), ex.text)
        if key not in texts_seen:  # one decision per (statement, target)
            texts_seen.add(key)
            by_topic.setdefault(norm(ex.target), []).append(ex)
    seen, full, how = shipped_training_topics(parent_cfg, root)
    if args.targets:
        targets = [norm(t) for t in args.targets.split(",")]
        unknown = [t for t in targets if t not in by_topic]
        if unknown:
            return fail(f"not a VAST dev topic: {', '.join(unknown)}")
    else:
        candidates = sorted((t for t, items in by_topic.items() if len(items) >= args.min_items and seen[t] == 0),
                            key=lambda t: (-len(by_topic[t]), t))
        targets = candidates[:args.n_targets]
    print(f"parent: {parent_cfg.get('name')} {parent_cfg.get('version')} ({parent_dir})")
    print(f"shipped training topics: {how}")
    print(f"{'target':<26} {'items':>5}  {'in shipped train':>16}  {'in VAST train':>13}  related training topics")
    for t in targets:
        related = sorted(k for k in seen if k != t and (t in k or (len(k) > 3 and k in t.split())))
        print(f"{t:<26} {len(by_topic[t]):>5}  {seen[t]:>16}  {full[t]:>13}  {', '.join(related[:5]) or '—'}")
        if seen[t]:
            print(f"  NOTE: {t!r} occurs {seen[t]} time(s) in the shipped model's training set: not an unseen target")

    from workbench.training import train_from_decisions

    if args.lr is not None:  # a search knob: the shipped recipe reads models.shipped.FEWSHOT at every fine-tune
        from models.shipped import FEWSHOT

        FEWSHOT["lr"] = args.lr
        print(f"few-shot learning rate overridden: {args.lr}")

    work = Path(tempfile.mkdtemp(prefix="bench-fewshot-"))
    models_dir = work / "models"
    if args.parent:  # make the given model the active parent in the bench's own models folder
        from models.registry import set_active

        parent_path = models_dir / "parent"
        shutil.copytree(parent_dir, parent_path)
        cfg = dict(parent_cfg, version=f"{parent_cfg['version']}-bench-parent")
        (parent_path / "config.json").write_text(json.dumps(cfg), encoding="utf-8")
        set_active(models_dir, "stance", cfg["version"])
    zero = load_classifier("stance", parent_dir)
    runs = []
    try:
        for topic in targets:
            items = by_topic[topic]
            usable = [k for k in shots if len(items) - k >= args.min_test]
            if not usable:
                print(f"{topic}: {len(items)} items, too few for {shots[0]} decisions + {args.min_test} test: skipped",
                      file=sys.stderr)
                continue
            for seed in seeds:
                order = items[:]
                random.Random(seed).shuffle(order)
                test = order[max(usable):]
                gold = [e.label for e in test]
                pred = [r.label for r in zero.predict([e.text for e in test], [e.target for e in test])]
                zero_f1 = macro_f1(gold, pred)
                runs.append({"target": topic, "seed": seed, "k": 0, "n_test": len(test), "macro_f1": zero_f1,
                             "seconds": None})
                for k in usable:
                    run_dir = work / f"{topic.replace(' ', '_')}-{seed}-{k}"
                    run_dir.mkdir()
                    engine = build_db(run_dir / "bench.db", topic, order[:k])
                    t0 = time.monotonic()
                    result = train_from_decisions(engine, "stance", target=topic, models_dir=str(models_dir),
                                                  seed=seed, activate=False)
                    seconds = time.monotonic() - t0
                    engine.dispose()
                    clf = load_classifier("stance", result["path"])
                    pred = [r.label for r in clf.predict([e.text for e in test], [e.target for e in test])]
                    f1 = macro_f1(gold, pred)
                    runs.append({"target": topic, "seed": seed, "k": k, "n_test": len(test), "macro_f1": f1,
                                 "seconds": round(seconds, 1), "n_train": result["n_train"], "n_dev": result["n_dev"],
                                 "epochs": result["epochs"], "version": result["version"]})
                    print(f"  {topic!r} seed {seed} k={k}: macro-F1 {f1:.3f} (zero-shot {zero_f1:.3f}) "
                          f"on {len(test)} held-out items; trained {result['n_train']} (+{result['n_dev']} dev) "
                          f"× {result['epochs']} epochs in {seconds:.1f} s", file=sys.stderr, flush=True)
                    shutil.rmtree(result["path"], ignore_errors=True)
                    shutil.rmtree(run_dir, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print()
    header = f"{'target':<26} {'test n':>6}  {'zero-shot':>13}" + "".join(f"  {f'{k} decisions':>13}" for k in shots) \
        + "".join(f"  {f'train s ({k})':>14}" for k in shots)
    print(header)
    print("-" * len(header))
    for topic in targets:
        mine = [r for r in runs if r["target"] == topic]
        if not mine:
            continue
        cells = [mean_sd([r["macro_f1"] for r in mine if r["k"] == 0])]
        cells += [mean_sd([r["macro_f1"] for r in mine if r["k"] == k]) if any(r["k"] == k for r in mine)
                  else f"n/a ({len(by_topic[topic])} items)" for k in shots]
        times = [seconds_sd([r["seconds"] for r in mine if r["k"] == k]) for k in shots]
        n_test = mine[0]["n_test"]
        print(f"{topic:<26} {n_test:>6}  {cells[0]:>13}" + "".join(f"  {c:>13}" for c in cells[1:])
              + "".join(f"  {t:>14}" for t in times))
    print(f"\nmacro-F1 mean ± sd over seeds {seeds}; held-out items are the same for every condition of a target/seed; "
          f"20 % of each k decisions are held back by train_from_decisions for its own dev metrics.")
    for k in shots:
        secs = [r["seconds"] for r in runs if r["k"] == k]
        if secs:
            print(f"training wall time for {k} decisions: mean {statistics.mean(secs):.1f} s, max {max(secs):.1f} s "
                  f"(goal ≤ 120 s for 50) over {len(secs)} run(s)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"parent": parent_cfg.get("version"), "targets": targets,
                                                   "runs": runs}, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
