"""LoRA on the base encoder plus a classification head: build, save, load, merge.

A model directory (shipped ``models/weights/<task>/`` or a fine-tuned version)
holds:

* ``adapter.safetensors`` – the LoRA matrices (a few MB),
* ``head.safetensors``    – pooler + classifier (trained fully; small),
* ``config.json``         – labels, temperature, LoRA settings, base sha, version.

The base weights are never copied: they come from the pip package, verified
by hash (see encoder.py).  That is what keeps everything under 20 MB.
"""

from __future__ import annotations

import json
from pathlib import Path

from .encoder import base_encoder_dir, load_base_classifier, load_tokenizer
from .errors import ModelError

ADAPTER_FILE = "adapter.safetensors"
HEAD_FILE = "head.safetensors"
CONFIG_FILE = "config.json"
# LoRA on every attention and feed-forward projection of every layer (BERT's names, and MPNet's
# attention.attn.q/k/v/o for the optional larger base); the pooler is *not* LoRA'd because it is
# part of the fully trained head.
LORA_TARGET_REGEX = (
    r".*encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense"
    r"|attention\.attn\.(q|k|v|o)|intermediate\.dense|output\.dense)"
)
DEFAULT_LORA = {"r": 16, "alpha": 32, "dropout": 0.1}
HEAD_PREFIXES = ("bert.pooler.", "classifier.")  # MPNet's head (dense + out_proj) is all under classifier.


def read_config(model_dir: Path) -> dict:
    path = Path(model_dir) / CONFIG_FILE
    if not path.is_file():
        raise ModelError(f"model config missing: {path}")
    try:
        cfg = json.loads(path.read_text(encoding="utf-8"))
        for key in ("task", "labels", "version", "base_model"):
            cfg[key]  # noqa: B018 - presence check
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ModelError(f"model config unreadable: {path} ({type(exc).__name__}: {exc})") from None
    return cfg


def lora_target_regex(layers: list[int] | None = None) -> str:
    """LORA_TARGET_REGEX, or the same projections in the listed encoder layers only."""
    if not layers:
        return LORA_TARGET_REGEX
    if not all(isinstance(i, int) and i >= 0 for i in layers):
        raise ModelError(f"lora layers must be layer numbers, got {layers!r}")
    return LORA_TARGET_REGEX.replace(r"layer\.\d+\.", r"layer\.(" + "|".join(str(i) for i in sorted(set(layers))) + r")\.")


def resolve_lora(lora: dict | None, n_layers: int) -> dict:
    """The LoRA settings with defaults filled in and a recipe's "top_layers": k turned into the
    layer numbers of that base (all of them when it has k or fewer), as configs record them."""
    lora = {**DEFAULT_LORA, **(lora or {})}
    top = lora.pop("top_layers", None)
    if top is not None:
        if not isinstance(top, int) or top < 1:
            raise ModelError(f"lora top_layers must be a positive number of layers, got {top!r}")
        lora["layers"] = list(range(max(0, n_layers - top), n_layers))
    return lora


def build_trainable(base_dir: Path, labels: list[str], lora: dict | None = None):
    """Fresh LoRA-wrapped model whose trainable params are LoRA + head.

    lora["layers"] (or a recipe's "top_layers") puts LoRA on those encoder layers only: with the
    top layers alone, training runs on cached states of the frozen bottom (top_layers.py).
    """
    from peft import LoraConfig, get_peft_model

    base = load_base_classifier(base_dir, dict(enumerate(labels)))
    n_layers = base.config.num_hidden_layers
    lora = resolve_lora(lora, n_layers)
    targets = lora_target_regex(lora.get("layers"))
    if any(i >= n_layers for i in lora.get("layers") or ()):
        raise ModelError(f"lora layers {lora['layers']} do not exist in a {n_layers}-layer base encoder")
    cfg = LoraConfig(r=lora["r"], lora_alpha=lora["alpha"], lora_dropout=lora["dropout"], target_modules=targets)
    model = get_peft_model(base, cfg)
    for name, p in model.get_base_model().named_parameters():
        if name.startswith(HEAD_PREFIXES):
            p.requires_grad = True
    return model


def _load_file(path: Path) -> dict:
    from safetensors.torch import load_file

    if not path.is_file():
        raise ModelError(f"model file missing: {path}")
    try:
        return load_file(str(path))
    except Exception as exc:  # noqa: BLE001 - corrupt/truncated safetensors
        raise ModelError(f"model file corrupt: {path} ({exc})".splitlines()[0]) from None


def load_trainable(model_dir: Path, base_path=None):
    """Rebuild the (unmerged) LoRA model saved in model_dir; returns (model, tokenizer, cfg)."""
    from peft import set_peft_model_state_dict

    model_dir = Path(model_dir)
    cfg = read_config(model_dir)
    adapter = _load_file(model_dir / ADAPTER_FILE)
    head = _load_file(model_dir / HEAD_FILE)
    base_dir, sha = base_encoder_dir(base_path, cfg["base_model"].get("name"))
    want = cfg["base_model"].get("sha256")
    if want and want != sha:
        raise ModelError(
            f"model in {model_dir} was trained on base weights {want[:12]}…, but the base encoder is {sha[:12]}…"
        )
    model = build_trainable(base_dir, list(cfg["labels"]), cfg.get("lora"))
    result = set_peft_model_state_dict(model, adapter)
    unexpected = getattr(result, "unexpected_keys", []) or []
    if unexpected:
        raise ModelError(f"adapter in {model_dir} does not fit the base encoder ({len(unexpected)} unexpected keys)")
    try:
        missing, unexpected = model.get_base_model().load_state_dict(head, strict=False)
    except RuntimeError as exc:
        raise ModelError(f"head in {model_dir} does not fit: {str(exc).splitlines()[0]}") from None
    if unexpected or len(head) == 0:
        raise ModelError(f"head in {model_dir} does not fit the base encoder")
    return model, load_tokenizer(base_dir), cfg


def save_trainable(model, out_dir: Path, cfg: dict) -> None:
    """Write adapter + head + config (config last, so a half-written dir is not loadable)."""
    from peft import get_peft_model_state_dict
    from safetensors.torch import save_file

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    adapter = {k: v.detach().cpu().contiguous() for k, v in get_peft_model_state_dict(model).items()}
    head = {
        k: v.detach().cpu().contiguous()
        for k, v in model.get_base_model().state_dict().items()
        if k.startswith(HEAD_PREFIXES)
    }
    save_file(adapter, str(out_dir / ADAPTER_FILE))
    save_file(head, str(out_dir / HEAD_FILE))
    tmp = out_dir / (CONFIG_FILE + ".tmp")
    tmp.write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(out_dir / CONFIG_FILE)


def merge_for_inference(model):
    """Fold LoRA into the base weights: a plain transformers sequence classifier, no peft overhead."""
    merged = model.merge_and_unload()
    merged.eval()
    return merged


QUANTIZATION_SCHEMES = ("per_tensor", "per_channel")


def quantize(model, scheme: str = "per_tensor", keep_fp32: tuple[str, ...] | list[str] = ()):
    """Dynamic int8 quantization of the Linear layers (CPU inference only).

    per_tensor: one weight scale per layer; per_channel: one per output row, which keeps
    layers whose rows differ in range (sentiment's: -1.7 points per tensor, +0.8 per channel).
    keep_fp32: regexes of Linear layer names left in fp32 -- MPNet's feed-forward output
    layers (3072 -> 768) see activations with outliers that one int8 scale per row of input
    cannot hold (NewsMTSC dev 0.837 -> 0.601 with them quantized).
    """
    import re

    import torch
    from torch.ao.quantization import default_dynamic_qconfig, per_channel_dynamic_qconfig

    if scheme not in QUANTIZATION_SCHEMES:
        raise ModelError(f"unknown quantization {scheme!r} (expected {' or '.join(QUANTIZATION_SCHEMES)})")
    qconfig = per_channel_dynamic_qconfig if scheme == "per_channel" else default_dynamic_qconfig
    spec: dict = {torch.nn.Linear: qconfig}
    if keep_fp32:
        try:
            skip = [re.compile(p) for p in keep_fp32]
        except re.error as exc:
            raise ModelError(f"bad quantization_keep_fp32 pattern: {exc}") from None
        spec = {name: qconfig for name, mod in model.named_modules()
                if isinstance(mod, torch.nn.Linear) and not any(p.search(name) for p in skip)}
    return torch.ao.quantization.quantize_dynamic(model, spec, dtype=torch.qint8)
