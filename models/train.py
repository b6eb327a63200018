"""Training: the shipped models (CLI) and few-shot fine-tuning from annotations (finetune).

    python -m models.train --task sentiment|stance [--out DIR] [--seed N]

retrains a shipped model from the shared data dir (fixed seed; see recipes.py
for the data and card.py for the model card it writes).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import sys
import time
from pathlib import Path

from .data import TASK_LABELS, CombinerSet, Example
from .errors import DataError, ModelError

# stance 1.1.0 added the relatedness combiner; 1.2.0 trains on news stance data too; sentiment 1.1.0 and
# stance 1.3.0 take the MiniLM recipes chosen by bench/sweep_recipes.py; sentiment 1.1.1 was 1.1.0's weights
# run int8 per channel; sentiment 2.0.0 is LoRA on the larger all-mpnet-base-v2 (NewsMTSC dev 0.781 -> 0.837);
# stance 2.0.0 is LoRA on MPNet's top 4 layers, trained on cached states of the other 8 (top_layers.py);
# stance 2.0.1 is 2.0.0's cross-encoder reading 128 word pieces instead of 96, its combiner refitted so.
# sentiment 2.0.1 and stance 2.0.2 run fp32: int8's per-batch activation scale made labels depend on batch neighbours
# (bench/batch_invariance.py); stance 2.1.0 is trained at 128 word pieces; 2.0.2 / 2.1.1 allow bf16 (packed.py).
# Versions change with predictions, so prelabel re-predicts. A retrain writes quantized and cpu_bf16 false.
# stance 3.0.0 is the multi-corpus recipe (every stance corpus, balanced; recipes.stance_multi_data), chosen on the
# mean over nine dev sets (0.609 -> 0.698).
SHIPPED_VERSION = {"sentiment": "2.0.2", "stance": "3.0.0"}
HYPER = {  # shipped-model recipes (see the cards); "base" names the encoder (default MiniLM)
    # one epoch: an epoch of MPNet costs ~27 min on 2 cores, and the retrain must stay under an hour
    "sentiment": {"epochs": 1, "lr": 5e-4, "batch_size": 32, "max_length": 128, "lora": {"r": 16, "alpha": 32},
                  "base": "sentence-transformers/all-mpnet-base-v2"},
    # LoRA on the top 4 of 12 layers: four epochs on cached states of the frozen bottom fit the hour (all 12
    # layers: one epoch took ~36 min); 4 layers at r=16 also keep both models' files under 20 MB
    # 128 word pieces: two thirds of VAST's comments are longer than 96; reading 96-trained weights at 128 was worth VAST
    # dev +0.9 (2.0.1), training at 128 the news dev sets +1.3/+1.6 (2.1.0). "predict_max_length" may read longer.
    # "recipe": multi = every stance corpus, dataset-balanced (3 epochs: MULTI_EPOCHS)
    "stance": {"recipe": "multi", "epochs": 4, "lr": 1e-3, "batch_size": 32, "max_length": 128, "lora": {"r": 16, "alpha": 32, "top_layers": 4},
               "base": "sentence-transformers/all-mpnet-base-v2",
               # the relatedness pass only needs a sentence-similarity cosine: MiniLM's costs a sixth of MPNet's
               "relatedness_base": "sentence-transformers/all-MiniLM-L6-v2"},
}
# opt-in (--relatedness-student / --relatedness-only), not in the shipped recipe: stance's relatedness pass on
# the base encoder's first 3 layers, distilled (student.py); it cost GWSD dev 1.5 points
# (bench/results/stance_relatedness_2026-11-28.md, section 3)
STUDENT = {"stance": {"layers": 3, "epochs": 2, "lr": 3e-4}}
MULTI_EPOCHS = 3  # the multi-corpus recipe has ~1.5x the examples of the classic one: 3 epochs, not 4
FEWSHOT = {"lr": 3e-4, "batch_size": 8}  # gentle: a few dozen examples must not erase the parent


def training_set_sha256(examples: list[Example]) -> str:
    canon = json.dumps([[e.text, e.target, e.label] for e in examples], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def dev_report(labels, logits, gold: list[str], temperature: float, semeval: bool = False) -> dict:
    """Metrics on a dev set: argmax labels, ECE before/after temperature, F_avg for SemEval."""
    import numpy as np

    from .metrics import classification_report, ece, softmax

    idx = {lab: i for i, lab in enumerate(labels)}
    gold_idx = np.array([idx[g] for g in gold], dtype=int)
    pred = [labels[i] for i in np.asarray(logits).argmax(axis=1)] if len(gold) else []
    rep = classification_report(gold, pred, tuple(labels))
    rep["ece_uncalibrated"] = ece(softmax(logits, 1.0), gold_idx) if len(gold) else 0.0
    rep["ece"] = ece(softmax(logits, temperature), gold_idx) if len(gold) else 0.0
    if semeval:
        rep["f_avg"] = (rep["per_class"]["favor"]["f1"] + rep["per_class"]["against"]["f1"]) / 2
    return rep


def calibrate(labels, logits, gold: list[str]) -> tuple[float, float]:
    """Temperature on all dev logits, plus an honest 2-fold cross-fitted ECE."""
    import numpy as np

    from .metrics import ece, fit_temperature, softmax

    idx = {lab: i for i, lab in enumerate(labels)}
    g = np.array([idx[x] for x in gold], dtype=int)
    t = fit_temperature(logits, g)
    a, b = np.arange(len(g)) % 2 == 0, np.arange(len(g)) % 2 == 1
    cross = []
    for fit, test in ((a, b), (b, a)):
        if fit.sum() and test.sum():
            cross.append(ece(softmax(logits[test], fit_temperature(logits[fit], g[fit])), g[test]) * test.mean())
    return t, float(sum(cross)) if cross else 0.0


def _split(examples: list[Example], dev_fraction: float, seed: int):
    """Seeded split, stratified by label so tiny sets still have every label in train."""
    rng = random.Random(seed)
    by_label: dict[str, list[Example]] = {}
    for e in examples:
        by_label.setdefault(e.label, []).append(e)
    train, dev = [], []
    for lab in sorted(by_label):
        group = by_label[lab][:]
        rng.shuffle(group)
        k = int(round(len(group) * dev_fraction)) if len(group) > 1 else 0
        dev += group[:k]
        train += group[k:]
    rng.shuffle(train)
    return train, dev


def check_examples(task: str, examples: list[Example]) -> tuple[str, ...]:
    if task not in TASK_LABELS:
        raise ModelError(f"unknown task {task!r} (expected stance or sentiment)")
    labels = TASK_LABELS[task]
    for i, e in enumerate(examples):
        if e.label not in labels:
            raise DataError(f"example {i}: label {e.label!r} is not one of {', '.join(labels)}")
        if not e.text or not e.text.strip():
            raise DataError(f"example {i}: empty text")
    return labels


def finetune(task: str, examples: list[Example], out_dir, parent: str | os.PathLike | None = None, seed: int = 13,
             epochs: int | None = None, progress=None, dev_fraction: float = 0.2, *, base_path=None) -> dict:
    """Continue training the parent model (default: shipped) on annotators' examples.

    Writes a loadable model dir at out_dir and returns its metadata (also in
    its config.json).  Dev metrics are on the held-back slice of `examples`; `parent_dev_metrics`
    are the parent's on the same slice, measured before training.
    """
    from .classifiers import shipped_dir
    from .encoder import set_cpu_threads
    from .modeling import load_trainable, save_trainable
    from .trainer import train_loop

    labels = check_examples(task, examples)
    if not examples:
        raise DataError("no examples to fine-tune on")
    set_cpu_threads()
    parent_dir = Path(parent) if parent is not None else shipped_dir(task)
    model, tokenizer, pcfg = load_trainable(parent_dir, base_path)
    if pcfg["task"] != task or tuple(pcfg["labels"]) != labels:
        raise ModelError(f"parent model {parent_dir} is not a {task} model with labels {labels}")
    train, dev = _split(examples, dev_fraction, seed)
    if epochs is None:  # few examples: more passes, capped so 50 examples stay well under 2 minutes
        epochs = max(2, min(10, 400 // max(1, len(train))))
    max_length = int(pcfg.get("max_length", 128))
    rel, block = None, pcfg.get("relatedness")
    if dev and block:  # the child keeps the parent's combiner: judge both as the application will run them
        from .encoder import pick_device
        from .relatedness import load_relatedness

        rel = load_relatedness(block, tokenizer, pick_device(), base_path, model_dir=parent_dir,
                               base_name=pcfg["base_model"].get("name"))
    parent_report = None
    if dev:  # the parent on the very items the child is judged on, before training changes the weights
        parent_report = dev_report(labels, model_logits(model, tokenizer, dev, max_length, rel, block),
                                   [e.label for e in dev], float(pcfg.get("temperature", 1.0)))
    stats = train_loop(model, tokenizer, train, labels, epochs=epochs, lr=FEWSHOT["lr"],
                       batch_size=FEWSHOT["batch_size"], max_length=max_length, seed=seed, progress=progress)
    temperature = float(pcfg.get("temperature", 1.0))
    report = None
    if dev:
        logits = model_logits(model, tokenizer, dev, max_length, rel, block)
        if len(dev) >= 30:  # a temperature fitted on a handful of examples is noise: keep the parent's
            temperature, _ = calibrate(labels, logits, [e.label for e in dev])
        report = dev_report(labels, logits, [e.label for e in dev], temperature)
    sha = training_set_sha256(examples)
    version = f"{pcfg['version'].split('+')[0]}+ft.{time.strftime('%Y%m%dT%H%M%S')}.{sha[:6]}"
    meta = {
        **{k: v for k, v in pcfg.items() if k not in ("dev_metrics", "training")},
        "name": pcfg.get("name", f"minilm-lora-{task}"),
        "version": version,
        "parent": {"version": pcfg["version"], "path": str(parent_dir)},
        "training_set_sha256": sha,
        "temperature": temperature,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "training": {"n_train": len(train), "n_dev": len(dev), "epochs": epochs, "seed": seed, **FEWSHOT, **stats},
        "dev_metrics": {"heldback": report} if report else {},
        "parent_dev_metrics": {"heldback": parent_report} if parent_report else {},
    }
    if (pcfg.get("relatedness") or {}).get("student"):  # the child is a complete model dir on its own
        import shutil

        Path(out_dir).mkdir(parents=True, exist_ok=True)
        name = pcfg["relatedness"]["student"]["file"]
        shutil.copyfile(parent_dir / name, Path(out_dir) / name)
    save_trainable(model, Path(out_dir), meta)
    return meta


def model_logits(model, tokenizer, examples, max_length: int, relatedness=None, block: dict | None = None):
    """The logits the application will see: the cross-encoder's, combined with relatedness if the model has it."""
    from .relatedness import apply
    from .trainer import predict_logits

    logits = predict_logits(model, tokenizer, examples, max_length)
    return apply(relatedness, block, logits, [e.text for e in examples], [e.target for e in examples])


def dev_metrics_and_temperature(labels, devs: dict, logits_of) -> tuple[float, float, dict]:
    """Temperature (fitted on all dev logits), its cross-fitted ECE, and a report per dev set."""
    import numpy as np

    logits = {name: logits_of(ex) for name, ex in devs.items() if ex}
    all_logits = np.concatenate([logits[n] for n in logits]) if logits else np.zeros((0, len(labels)))
    all_gold = [e.label for n in logits for e in devs[n]]
    temperature, ece_cross = calibrate(labels, all_logits, all_gold) if all_gold else (1.0, 0.0)
    from .recipes import dev_primary_metric

    reports = {
        name: dev_report(labels, logits[name], [e.label for e in devs[name]], temperature,
                         semeval=dev_primary_metric(name) == "f_avg")
        for name in logits
    }
    return temperature, ece_cross, reports


def train_new(task: str, train: list[Example], devs: dict[str, list[Example]], out_dir, *, seed: int = 13,
              hyper: dict | None = None, base_path=None, progress=None, datasets=(),
              combiner_set: CombinerSet | None = None, student_texts: list[str] | None = None,
              student: dict | None = None, recipe: str | None = None) -> dict:
    """Train a model from the base encoder (the shipped models' recipe); returns its config.

    combiner_set (stance): examples disjoint from train and dev on which the
    relatedness combiner is fitted after the cross-encoder is trained; with
    student_texts the relatedness pass is first distilled on them (recipe `student`).
    """
    from .encoder import base_encoder, base_encoder_dir, set_cpu_threads
    from .modeling import build_trainable, resolve_lora, save_trainable
    from .train_relatedness import distil_student, fit_relatedness
    from .trainer import set_seed, train_loop

    labels = check_examples(task, train)
    if combiner_set:
        check_examples(task, combiner_set.examples)
    hyper = {**HYPER[task], **(hyper or {})}
    hyper.pop("recipe", None)  # which data: chosen by the caller (recipe_data), recorded via `recipe`
    lora = hyper.pop("lora", {})
    base = base_encoder(hyper.pop("base", None))
    rel_base = hyper.pop("relatedness_base", None)
    # the length the model reads at inference; the combiner and the temperature are fitted on logits read so
    read_length = hyper.pop("predict_max_length", None) or hyper["max_length"]
    set_cpu_threads()
    set_seed(seed)
    base_dir, sha = base_encoder_dir(base_path, base.name)
    model = build_trainable(base_dir, list(labels), lora)
    lora = resolve_lora(lora, model.get_base_model().config.num_hidden_layers)
    from .encoder import load_tokenizer

    tokenizer = load_tokenizer(base_dir)
    stats = train_loop(model, tokenizer, train, labels, seed=seed, progress=progress, **hyper)
    entry = (distil_student(base_dir, tokenizer, out_dir, student_texts, seed, progress, **(student or STUDENT[task]))
             if combiner_set and student_texts else None)
    block, rel = (fit_relatedness(model, tokenizer, base_dir, combiner_set, labels, read_length,
                                  student=entry, model_dir=out_dir, keep_fp32=base.int8_keep_fp32,
                                  encoder=None if entry else rel_base, base_path=base_path)
                  if combiner_set else (None, None))
    temperature, ece_cross, dev_metrics = dev_metrics_and_temperature(
        labels, devs, lambda ex: model_logits(model, tokenizer, ex, read_length, rel, block))
    from .recipes import DATASETS

    cfg = {
        "name": f"{base.short}-lora-{task}",
        "task": task,
        # a student is not the shipped recipe: its predictions must not pass for the shipped version's
        "version": SHIPPED_VERSION[task] + ("+student" if entry else ""),
        "labels": list(labels),
        "id2label": {str(i): lab for i, lab in enumerate(labels)},
        "label2id": {lab: i for i, lab in enumerate(labels)},
        "temperature": temperature,
        "ece_cross_fitted": ece_cross,
        "max_length": read_length,  # at inference; training.max_length is what it was trained on
        "input_format": base.pair_format.replace("statement", "statement with target mention wrapped in « »"),
        "base_model": {"name": base.name, "package": " ".join(base.requirements), "sha256": sha},
        "lora": lora,
        "quantized": False,
        "cpu_bf16": False,
        "parent": None,
        "training_set_sha256": training_set_sha256(train),
        "datasets": {k: DATASETS[k] for k in datasets if k in DATASETS},
        "training": {"n_train": len(train), "seed": seed, "threads": _threads(), "machine": platform.machine(),
                     "cpu": cpu_name(),
                     **({"recipe": recipe} if recipe else {}), **hyper, **stats},
        "dev_metrics": dev_metrics,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    if block:
        cfg["relatedness"] = block
    save_trainable(model, Path(out_dir), cfg)
    return cfg


def cpu_name() -> str:
    """The processor's model name (the card says where a model was trained), or the architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _threads() -> int:
    import torch

    return torch.get_num_threads()


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
    cfg = train_new(args.task, train, devs, out, seed=args.seed, hyper=hyper, progress=_cli_progress(), datasets=datasets,
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
