"""Training: the shipped models (CLI) and few-shot fine-tuning from annotations (finetune).

This module is the command line only (its first docstring line is the --help description); the API,
finetune and train_new, is training.py.

    python -m models.train --task sentiment|stance [--out DIR] [--seed N]

retrains a shipped model from the shared data dir (fixed seed; see recipes.py
for the data and card.py for the model card it writes).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import DataError, ModelError
from .shipped import HYPER, MULTI_EPOCHS, SHIPPED_VERSION
from .training import train_new


def _cli_progress():
    state = {"t": time.time(), "last": 0.0}

    def report(done: int, total: int, message: str) -> None:
        now = time.time()
        if now - state["last"] > 30 or done == total:
            state["last"] = now
            el = now - state["t"]
            eta = el / max(1, done) * (total - done)
            print(f"  step {done}/{total} {message} ({el / 60:.1f} min, eta {eta / 60:.1f} min)", flush=True)

    return report


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m models.train", description=__doc__.splitlines()[0])
    p.add_argument("--task", required=True, choices=sorted(HYPER))
    p.add_argument("--out", default=None, help="model dir to write (default: models/weights/<task>)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--order-seed", type=int, default=None, metavar="N",
                   help="seed only the training randomness (init, batch order, dropout); the data and dev splits "
                        "stay --seed's, so runs differing in it are compared on the same dev sets")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--max-length", type=int, default=None, metavar="N",
                   help="train on N word pieces instead of the recipe's (a step's cost grows with it)")
    from .encoder import BASES

    shorts = {b.short: b.name for b in BASES.values()}
    p.add_argument("--base", choices=sorted(shorts), default=None,
                   help="base encoder instead of the recipe's (experiments; the shipped recipes name theirs)")
    p.add_argument("--lora-top", type=int, default=None, metavar="N",
                   help="LoRA on the top N encoder layers only; the frozen bottom runs once (models/top_layers.py)")
    p.add_argument("--limit", type=int, default=None, help="train on the first N examples only (smoke runs)")
    p.add_argument("--recipe", choices=["multi", "classic"], default=None,
                   help="stance data: every stance corpus, balanced (multi), or SemEval + VAST + news (classic)")
    p.add_argument("--vast-train-max", type=int, default=None, help="stance: size of the VAST train sample")
    p.add_argument("--uncapped", default=None, metavar="CORPORA",
                   help="stance, multi recipe: comma-separated corpora trained on whole, not sampled to the per-corpus "
                        "cap (e.g. semeval,gwsd,emergent)")
    p.add_argument("--per-corpus", type=int, default=None, metavar="N",
                   help="stance, multi recipe: sample each capped corpus to at most N training examples (default "
                        "the shipped recipe's, models/shipped.py)")
    p.add_argument("--same-corpus", type=int, default=None, metavar="N",
                   help="stance, multi recipe: N off-topic pairs per corpus of recipes.SAME_CORPUS_OFFTOPIC, a text "
                        "paired with another target of its own corpus (neutral; default the shipped recipe's)")
    p.add_argument("--same-corpus-from", default=None, metavar="CORPORA",
                   help="stance, multi recipe: comma-separated corpora that --same-corpus draws from (default all of "
                        "recipes.SAME_CORPUS_OFFTOPIC, e.g. emergent)")
    p.add_argument("--unrelated-train", type=int, default=None,
                   help="stance: train on N VAST comments paired with another article's topic (neutral)")
    p.add_argument("--combiner-only", action="store_true",
                   help="stance: keep the trained cross-encoder in --out, refit only its relatedness combiner")
    p.add_argument("--relatedness-student", action="store_true",
                   help="stance: run the relatedness pass on a distilled 3-layer student (not the shipped recipe)")
    p.add_argument("--relatedness-only", action="store_true",
                   help="stance: keep the trained cross-encoder in --out, distil its relatedness student again "
                        "and refit the combiner")
    args = p.parse_args(argv)
    from .card import write_card
    from .classifiers import shipped_dir
    from .recipes import recipe_data, relatedness_student_texts, smoke_subset
    from .train_relatedness import refit_relatedness

    out = Path(args.out) if args.out else shipped_dir(args.task)
    hyper = {k: v for k, v in (("epochs", args.epochs), ("lr", args.lr), ("max_length", args.max_length))
             if v is not None}
    if args.base:
        hyper["base"] = shorts[args.base]
    if args.max_length is not None and args.max_length < 8:
        print("error: --max-length must be at least 8 word pieces", file=sys.stderr)
        return 2
    if args.lora_top is not None:
        if args.lora_top < 1:
            print("error: --lora-top must be at least 1", file=sys.stderr)
            return 2
        hyper["lora"] = {**HYPER[args.task].get("lora", {}), "top_layers": args.lora_top}
    if args.task == "sentiment" and (args.combiner_only or args.relatedness_only or args.relatedness_student):
        print("error: --combiner-only, --relatedness-only and --relatedness-student are for --task stance",
              file=sys.stderr)
        return 2
    options = {} if args.task != "stance" else {
        k: v for k, v in (("vast_train_max", args.vast_train_max), ("unrelated_train", args.unrelated_train))
        if v is not None}
    try:
        recipe = args.recipe or HYPER[args.task].get("recipe")
        for flag, value in (("--uncapped", args.uncapped), ("--per-corpus", args.per_corpus),
                            ("--same-corpus", args.same_corpus), ("--same-corpus-from", args.same_corpus_from)):
            if value is not None and (args.task != "stance" or recipe != "multi"):
                print(f"error: {flag} is for --task stance with the multi recipe", file=sys.stderr)
                return 2
        per_corpus = args.per_corpus if args.per_corpus is not None else HYPER[args.task].get("per_corpus")
        if per_corpus is not None and recipe == "multi":
            if per_corpus < 1:
                print("error: --per-corpus must be at least 1", file=sys.stderr)
                return 2
            options["per_corpus"] = hyper["per_corpus"] = per_corpus
        same_corpus = args.same_corpus if args.same_corpus is not None else HYPER[args.task].get("same_corpus")
        if same_corpus is not None and recipe == "multi":
            if same_corpus < 0:
                print("error: --same-corpus must be at least 0", file=sys.stderr)
                return 2
            if same_corpus:
                options["same_corpus"] = hyper["same_corpus"] = same_corpus
        if args.same_corpus_from is not None and not same_corpus:
            print("error: --same-corpus-from needs --same-corpus N", file=sys.stderr)
            return 2
        chosen = (args.same_corpus_from.split(",") if args.same_corpus_from is not None
                  else HYPER[args.task].get("same_corpus_from", []) if recipe == "multi" and same_corpus else [])
        if any(c.strip() for c in chosen):
            options["same_corpus_from"] = tuple(c.strip() for c in chosen if c.strip())
            hyper["same_corpus_from"] = list(options["same_corpus_from"])
        # the shipped recipe's own list applies to its own (multi) data only: --recipe classic stays as it was
        uncapped = (args.uncapped.split(",") if args.uncapped is not None
                    else HYPER[args.task].get("uncapped", []) if recipe == "multi" else [])
        if any(c.strip() for c in uncapped):
            options["uncapped"] = tuple(c.strip() for c in uncapped if c.strip())
            hyper["uncapped"] = list(options["uncapped"])
        if recipe == "multi":
            hyper.setdefault("epochs", MULTI_EPOCHS)
        train, devs, datasets, combiner_set = recipe_data(args.task, args.seed, recipe=recipe, **options)
        wants_student = args.relatedness_student or args.relatedness_only
        student_texts = relatedness_student_texts(args.seed) if wants_student else None
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.combiner_only or args.relatedness_only:
        t0 = time.time()
        try:
            shipped = out.resolve() == shipped_dir(args.task).resolve()
            version = SHIPPED_VERSION[args.task] + ("+student" if args.relatedness_only else "")
            cfg = refit_relatedness(out, combiner_set, devs, version=version if shipped else None,
                                    student_texts=student_texts if args.relatedness_only else None, seed=args.seed,
                                    progress=_cli_progress(), max_length=HYPER[args.task].get("predict_max_length"),
                                    encoder=None if args.relatedness_only else HYPER[args.task].get("relatedness_base"))
        except ModelError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        cfg["relatedness"]["fit_minutes"] = round((time.time() - t0) / 60, 1)
        write_card(out, cfg)
        _print_dev(cfg)
        print(f"refitted the relatedness combiner of {out} in {cfg['relatedness']['fit_minutes']} min")
        return 0
    if args.limit:
        train, devs, combiner_set = smoke_subset(args.limit, train, devs, combiner_set)
        student_texts = student_texts[: args.limit] if student_texts else None
    print(f"training {args.task}: {len(train)} examples, dev {({k: len(v) for k, v in devs.items()})}", flush=True)
    t0 = time.time()
    cfg = train_new(args.task, train, devs, out, seed=args.seed, order_seed=args.order_seed, hyper=hyper,
                    progress=_cli_progress(), datasets=datasets,
                    combiner_set=combiner_set, student_texts=student_texts, recipe=recipe)
    cfg["training"]["wall_minutes"] = round((time.time() - t0) / 60, 1)
    write_card(out, cfg)
    _print_dev(cfg)
    print(f"wrote {out} in {cfg['training']['wall_minutes']} min")
    return 0


def _print_dev(cfg: dict) -> None:
    from .recipes import selection_score

    for name, rep in cfg["dev_metrics"].items():
        extra = f" f_avg {rep['f_avg']:.3f}" if "f_avg" in rep else ""
        print(f"{name}: macro-F1 {rep['macro_f1']:.3f} acc {rep['accuracy']:.3f}{extra} ECE {rep['ece_uncalibrated']:.3f}"
              f" -> {rep['ece']:.3f} (T={cfg['temperature']:.2f})")
    print(f"selection score (mean over {len(cfg['dev_metrics'])} dev sets of each one's primary metric): "
          f"{selection_score(cfg['dev_metrics']):.3f}")


if __name__ == "__main__":
    raise SystemExit(main())
