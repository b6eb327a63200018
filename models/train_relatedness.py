"""The relatedness stages of stance training: distil the student, fit the combiner, refit them alone.

train_new (training.py) runs them after the cross-encoder is trained; `python -m models.train
--task stance --combiner-only / --relatedness-only` runs them on a trained model dir.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .data import CombinerSet, Example, check_examples, training_set_sha256
from .dev_eval import dev_metrics_and_temperature, model_logits
from .shipped import STUDENT


def distil_student(base_dir, tokenizer, out_dir, texts: list[str], seed: int, progress=None, **recipe) -> dict:
    """Distil the relatedness student (student.py) into out_dir; returns the config's `student` entry."""
    from .student import STUDENT_FILE, distil, save_student

    student, stats = distil(base_dir, tokenizer, texts, seed=seed, progress=progress, **recipe)
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    save_student(student, base_dir, Path(out_dir) / STUDENT_FILE)
    return {"file": STUDENT_FILE, "texts_sha256": hashlib.sha256("\n".join(sorted(set(texts))).encode()).hexdigest(),
            **stats}


def fit_relatedness(model, tokenizer, base_dir, combiner_set: CombinerSet, labels, max_length: int,
                    rel_max_length: int = 128, int8_on_cpu: bool = False, *, student: dict | None = None,
                    model_dir=None, keep_fp32: tuple[str, ...] = (), encoder: str | None = None,
                    base_path=None) -> tuple[dict, object]:
    """Fit the relatedness combiner (relatedness.py) on examples the model never trained on, over the
    cosine of the model's base encoder (base_dir), of another base encoder (`encoder`, a BASES name:
    e.g. MiniLM's, 6x cheaper than MPNet's) or of the distilled student (`student` entry, file in model_dir).

    Returns the config block and the RelatednessEncoder.  fp32 by default: dynamic int8 takes one activation
    scale per batch, so a pair's cosine (and label) would depend on which texts share its batch
    (bench/batch_invariance.py: 0.3-0.9 % of stance labels changed with the batch size; fp32 none).
    """
    from .encoder import base_encoder, base_encoder_dir, load_tokenizer, pick_device
    from .relatedness import RelatednessEncoder, combiner_from
    from .trainer import predict_logits

    examples = combiner_set.examples
    rel_dir, rel_tokenizer = base_dir, tokenizer
    if encoder:
        rel_dir = base_encoder_dir(base_path, encoder)[0]
        rel_tokenizer, keep_fp32 = load_tokenizer(rel_dir), base_encoder(encoder).int8_keep_fp32
    rel = RelatednessEncoder(rel_dir, rel_tokenizer, pick_device(), rel_max_length, int8_on_cpu,
                             student_path=Path(model_dir) / student["file"] if student else None, keep_fp32=keep_fp32)
    logits = predict_logits(model, tokenizer, examples, max_length)
    cosine = rel.cosine([e.text for e in examples], [e.target for e in examples])
    combiner, counts = combiner_from(logits, cosine, combiner_set, labels)
    block = {"max_length": rel_max_length, "pooling": "mean", "int8_on_cpu": int8_on_cpu, "combiner": combiner,
             "fitted_on": {"n": len(examples), "unrelated_pairs": len({(e.text, e.target) for e in combiner_set.unrelated}),
                           "per_label": {lab: int(counts[i]) for i, lab in enumerate(labels)},
                           "sha256": training_set_sha256(examples)}}
    if student:
        block["student"] = student
    if encoder:
        block["encoder"] = encoder
    if int8_on_cpu and keep_fp32:
        block["int8_keep_fp32"] = list(keep_fp32)
    return block, rel


def refit_relatedness(model_dir, combiner_set: CombinerSet, devs: dict[str, list[Example]], *, base_path=None,
                      version: str | None = None, student_texts: list[str] | None = None, seed: int = 13,
                      progress=None, student: dict | None = None, encoder: str | None = None,
                      max_length: int | None = None) -> dict:
    """Fit (again) the relatedness combiner of a trained model dir, then its temperature and dev metrics;
    with student_texts, distil its relatedness student again first (recipe `student`, default STUDENT's);
    max_length: the length the cross-encoder reads from now on (default: as it does).

    The cross-encoder's weights are not touched: these are the last stages of
    train_new, runnable on their own (minutes instead of a full retrain).
    """
    from .encoder import base_encoder_dir, set_cpu_threads
    from .modeling import load_trainable

    set_cpu_threads()
    model, tokenizer, cfg = load_trainable(Path(model_dir), base_path)
    labels = check_examples(cfg["task"], combiner_set.examples)
    base_dir, _ = base_encoder_dir(base_path, cfg["base_model"].get("name"))
    max_length = int(max_length or cfg.get("max_length", 128))
    entry = (cfg.get("relatedness") or {}).get("student")
    if student_texts:
        entry = distil_student(base_dir, tokenizer, model_dir, student_texts, seed, progress,
                               **(student or STUDENT[cfg["task"]]))
    block, rel = fit_relatedness(model, tokenizer, base_dir, combiner_set, labels, max_length, student=entry,
                                 model_dir=model_dir, keep_fp32=_keep_fp32(cfg), encoder=encoder, base_path=base_path)
    temperature, ece_cross, dev_metrics = dev_metrics_and_temperature(
        labels, devs, lambda ex: model_logits(model, tokenizer, ex, max_length, rel, block))
    cfg.update(relatedness=block, temperature=temperature, ece_cross_fitted=ece_cross, dev_metrics=dev_metrics,
               max_length=max_length)
    if version:  # predictions change with the combiner: a new version keeps the DB's "already predicted" honest
        cfg["version"] = version
    return cfg


def _keep_fp32(cfg: dict) -> tuple[str, ...]:
    from .encoder import BASES

    base = BASES.get(cfg["base_model"].get("name"))
    return base.int8_keep_fp32 if base else ()
