"""The prediction API the application uses: load_classifier(...).predict(...)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from vocabulary import TASKS

from .errors import ModelError

WEIGHTS_DIR = Path(__file__).resolve().parent / "weights"


@dataclass(frozen=True)
class Prediction:
    label: str
    probabilities: dict[str, float]  # label -> probability, sums to 1


def shipped_dir(task: str) -> Path:
    return WEIGHTS_DIR / task


class Classifier:
    """A merged (LoRA folded in) sequence classifier plus its tokenizer and temperature."""

    def __init__(self, *, task, name, version, labels, model, tokenizer, temperature, max_length, device, config, path,
                 relatedness=None, forward=None, precision="fp32"):
        self.task: str = task
        self.name: str = name
        self.version: str = version
        self.labels: tuple[str, ...] = tuple(labels)
        self.temperature = float(temperature)
        self.max_length = int(max_length)
        self.config = config
        self.path = Path(path)
        self._model = model
        self._tokenizer = tokenizer
        self._device = device
        # the packed MPNet forward (packed.py) where the model is one, else transformers' own
        self._forward = forward or (lambda batch: model(**batch).logits)
        self.precision: str = precision
        # stance only: the base encoder's statement/target cosine, folded in by the config's combiner
        self._relatedness = relatedness
        # id2label comes from the config, never from list position assumptions elsewhere
        self._id2label = {int(k): v for k, v in config.get("id2label", dict(enumerate(labels))).items()}

    def __repr__(self) -> str:
        return f"<Classifier {self.name} {self.version} task={self.task} precision={self.precision}>"

    @property
    def has_relatedness(self) -> bool:
        """Whether a relatedness combiner folds a statement/target cosine into the logits (stance)."""
        return self._relatedness is not None

    def cosines(self, texts: list[str], targets: list[str | None], batch_size: int = 64):
        """The statement/target cosines the combiner reads, float numpy [n]; 1.0 where a text has
        no target. ValueError for a model with no relatedness pass."""
        if self._relatedness is None:
            raise ValueError(f"{self.name} {self.version} has no relatedness pass")
        if len(texts) != len(targets):
            raise ValueError(f"{len(texts)} texts but {len(targets)} targets")
        return self._relatedness.cosine(texts, targets, max(1, batch_size))

    def logits(self, texts: list[str], targets: list[str | None], batch_size: int = 32):
        """Untempered logits in input order, float numpy [n, n_labels]: the cross-encoder's,
        combined with statement/target relatedness where the model has a combiner."""
        from .relatedness import apply

        out = self.cross_logits(texts, targets, batch_size)
        return apply(self._relatedness, self.config.get("relatedness"), out, texts, targets,
                     max(1, batch_size)).astype("float32")

    def cross_logits(self, texts: list[str], targets: list[str | None], batch_size: int = 32):
        """The sequence classifier's own logits (no relatedness), float numpy [n, n_labels]."""
        import numpy as np
        import torch

        from .inputs import collate, tokenize_pairs

        if len(texts) != len(targets):
            raise ValueError(f"{len(texts)} texts but {len(targets)} targets")
        n = len(texts)
        out = np.zeros((n, len(self._id2label)), dtype=np.float32)
        if n == 0:
            return out
        enc = tokenize_pairs(self._tokenizer, texts, targets, self.max_length)
        # length-sorted batches: padding (wasted compute) stays minimal
        order = sorted(range(n), key=lambda i: len(enc[i]["input_ids"]))
        pad = self._tokenizer.pad_token_id or 0
        with torch.inference_mode():
            for start in range(0, n, max(1, batch_size)):
                idx = order[start : start + batch_size]
                batch = collate([enc[i] for i in idx], pad, self._device)
                out[idx] = self._forward(batch).float().cpu().numpy()
        return out

    def predict(self, texts: list[str], targets: list[str | None], batch_size: int = 32) -> list[Prediction]:
        from .metrics import softmax

        logits = self.logits(texts, targets, batch_size)
        if len(logits) == 0:
            return []
        probs = softmax(logits, self.temperature)
        preds = []
        for row in probs:
            dist = {self._id2label[j]: float(p) for j, p in enumerate(row)}
            preds.append(Prediction(self._id2label[int(row.argmax())], dist))
        return preds


def load_classifier(task: str, path: str | os.PathLike | None = None, *, base_path=None, quantize=None,
                    relatedness_int8=None, precision: str | None = None) -> Classifier:
    """Load a model dir (default: the shipped weights for task) ready for prediction.

    base_path injects another base encoder (tests); quantize and relatedness_int8
    override the config's choices of dynamic int8 for the classifier and for the
    relatedness pass (only ever applied on CPU; the benchmarks compare them). quantize
    is True/False (True: the config's scheme) or a scheme, "per_tensor" or "per_channel".
    precision ("fp32" / "bf16") overrides the config's and the CPU's choice of matmul precision
    (encoder.pick_precision); it applies to MPNet classifiers, which run the packed forward.
    """
    if task not in TASKS:
        raise ModelError(f"unknown task {task!r} (expected stance or sentiment)")
    model_dir = Path(path) if path is not None else shipped_dir(task)
    if not model_dir.is_dir():
        raise ModelError(f"model directory not found: {model_dir}")
    from .encoder import pick_device, pick_precision, set_cpu_threads
    from .modeling import load_trainable, merge_for_inference
    from .modeling import quantize as do_quantize

    set_cpu_threads()
    model, tokenizer, cfg = load_trainable(model_dir, base_path)
    if cfg["task"] != task:
        raise ModelError(f"model in {model_dir} is a {cfg['task']} model, not {task}")
    merged = merge_for_inference(model)
    device = pick_device()
    want_q = cfg.get("quantized", False) if quantize is None else quantize
    if want_q and device.type == "cpu":
        merged = do_quantize(merged, want_q if isinstance(want_q, str) else cfg.get("quantization", "per_tensor"),
                             cfg.get("quantization_keep_fp32", ()))
        forward, chosen = None, "int8"
    else:
        merged = merged.to(device)
        forward, chosen = _packed_forward(merged, pick_precision(device, bool(cfg.get("cpu_bf16")), precision))
    relatedness = None
    if cfg.get("relatedness"):
        from .relatedness import load_relatedness

        relatedness = load_relatedness(cfg["relatedness"], tokenizer, device, base_path, relatedness_int8, model_dir,
                                       cfg["base_model"].get("name"))
    return Classifier(
        task=task,
        name=cfg.get("name", f"minilm-lora-{task}"),
        version=str(cfg["version"]),
        labels=cfg["labels"],
        model=merged,
        tokenizer=tokenizer,
        temperature=cfg.get("temperature", 1.0),
        max_length=cfg.get("max_length", 128),
        device=device,
        config=cfg,
        path=model_dir,
        relatedness=relatedness,
        forward=forward,
        precision=chosen,
    )


def _packed_forward(model, precision: str):
    """(forward, precision) for a merged model: the packed forward for MPNet, transformers' own (fp32) otherwise."""
    import torch

    from .packed import PackedMPNet, supports

    if not supports(model):
        return None, "fp32"
    packed = PackedMPNet(model, torch.bfloat16 if precision == "bf16" else torch.float32)
    return (lambda batch: packed(batch["input_ids"], batch["attention_mask"])), precision
