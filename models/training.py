"""The training API: few-shot fine-tuning from annotations (finetune) and training a model from the base
encoder by a shipped recipe (train_new).  `python -m models.train` (train.py) is the command line over it.
"""

from __future__ import annotations

import os
import platform
import random
import time
from pathlib import Path

from .data import CombinerSet, Example, check_examples, training_set_sha256
from .dev_eval import calibrate, dev_metrics_and_temperature, dev_report, model_logits
from .errors import DataError, ModelError
from .shipped import FEWSHOT, HYPER, SHIPPED_VERSION, STUDENT

# how the multi recipe sampled its data (recipe_data): recorded in a config's "training", read back by bench_fewshot
DATA_OPTIONS = ("uncapped", "per_corpus", "same_corpus", "same_corpus_from")


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


def train_new(task: str, train: list[Example], devs: dict[str, list[Example]], out_dir, *, seed: int = 13,
              hyper: dict | None = None, base_path=None, progress=None, datasets=(),
              combiner_set: CombinerSet | None = None, student_texts: list[str] | None = None,
              student: dict | None = None, recipe: str | None = None, order_seed: int | None = None) -> dict:
    """Train a model from the base encoder (the shipped models' recipe); returns its config.

    seed drew the data (the caller's recipe_data); order_seed, when given, seeds only the training
    randomness (head init, batch order, dropout), so runs that differ in it share their dev sets.

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
    # Which data (recipe and DATA_OPTIONS) is the caller's choice (recipe_data): recorded only when
    # the caller says so, never taken from the shipped recipe for examples that were not sampled that way.
    caller = hyper or {}
    data_options = {k: caller[k] for k in DATA_OPTIONS if caller.get(k)}
    hyper = {k: v for k, v in {**HYPER[task], **caller}.items() if k not in ("recipe", *DATA_OPTIONS)}
    lora = hyper.pop("lora", {})
    base = base_encoder(hyper.pop("base", None))
    rel_base = hyper.pop("relatedness_base", None)
    # the length the model reads at inference; the combiner and the temperature are fitted on logits read so
    read_length = hyper.pop("predict_max_length", None) or hyper["max_length"]
    set_cpu_threads()
    run_seed = seed if order_seed is None else order_seed
    set_seed(run_seed)
    base_dir, sha = base_encoder_dir(base_path, base.name)
    model = build_trainable(base_dir, list(labels), lora)
    lora = resolve_lora(lora, model.get_base_model().config.num_hidden_layers)
    from .encoder import load_tokenizer

    tokenizer = load_tokenizer(base_dir)
    stats = train_loop(model, tokenizer, train, labels, seed=run_seed, progress=progress, **hyper)
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
        "training": {"n_train": len(train), "seed": seed, **({"order_seed": order_seed} if order_seed is not None else {}),
                     "threads": _threads(), "machine": platform.machine(),
                     "cpu": cpu_name(),
                     **({"recipe": recipe} if recipe else {}),
                     **{k: list(v) if isinstance(v, (list, tuple)) else v for k, v in data_options.items()},
                     **hyper, **stats},
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
