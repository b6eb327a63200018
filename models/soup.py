"""Average several trained model dirs into one (a "model soup"), at the inference cost of one.

The members must share the base encoder, labels, LoRA rank/alpha and initial weights (same
training --seed, different --order-seed): then their weights lie in one basin and the
average of the fine-tuned weights usually beats each member (Wortsman et al., 2022).

The average is exact and stays a LoRA adapter.  Each member i adds s * B_i @ A_i to a base
matrix (s = alpha / r); their mean is

    (1/k) sum_i s B_i A_i = s [B_1 ... B_k] / k  @  [A_1; ...; A_k]

i.e. a LoRA of rank k*r with the B's stacked side by side (scaled 1/k), the A's stacked on
top of each other, and alpha multiplied by k so that s stays the same.  The head (pooler +
classifier) is averaged plainly.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ModelError
from .modeling import ADAPTER_FILE, HEAD_FILE, _load_file, read_config

_MUST_AGREE = ("task", "labels", "max_length", "lora")


def soup_tensors(adapters: list[dict], heads: list[dict]) -> tuple[dict, dict]:
    """The stacked adapter and the averaged head of k members (tensors keyed as saved)."""
    import torch

    k = len(adapters)
    keys = set(adapters[0])
    if any(set(a) != keys for a in adapters) or any(set(h) != set(heads[0]) for h in heads):
        raise ModelError("soup members have different adapter or head tensors")
    adapter = {}
    for key in keys:
        parts = [a[key] for a in adapters]
        if ".lora_A." in key:  # [r, in] -> [k*r, in]
            adapter[key] = torch.cat(parts, 0).contiguous()
        elif ".lora_B." in key:  # [out, r] -> [out, k*r], 1/k for the mean
            adapter[key] = (torch.cat(parts, 1) / k).contiguous()
        else:
            raise ModelError(f"soup: unexpected adapter tensor {key}")
    head = {key: (sum(h[key] for h in heads) / k).contiguous() for key in heads[0]}
    return adapter, head


def soup_config(configs: list[dict]) -> dict:
    """The first member's config with the LoRA rank and alpha of the stacked adapter."""
    first = configs[0]
    for key in _MUST_AGREE:
        if any(c.get(key) != first.get(key) for c in configs):
            raise ModelError(f"soup members disagree on {key}")
    seeds = {c["training"]["seed"] for c in configs}
    if len(seeds) != 1:
        raise ModelError(f"soup members start from different initial weights (training seeds {sorted(seeds)})")
    k = len(configs)
    lora = dict(first["lora"])
    lora.update(r=lora["r"] * k, alpha=lora["alpha"] * k)
    members = [{"order_seed": c["training"].get("order_seed", c["training"]["seed"]),
                "dev_macro_f1": {n: round(m["macro_f1"], 4) for n, m in c.get("dev_metrics", {}).items()},
                "seconds": c["training"]["seconds"], "wall_minutes": c["training"].get("wall_minutes")}
               for c in configs]
    # the recipe is the members'; the effort is their sum
    training = {key: v for key, v in first["training"].items() if key not in ("order_seed", "final_loss", "wall_minutes")}
    training.update(steps=sum(c["training"]["steps"] for c in configs),
                    seconds=round(sum(c["training"]["seconds"] for c in configs), 1))
    return {**first, "lora": lora, "training": training, "soup": {"members": members}}


def load_members(dirs: list[Path]) -> tuple[list[dict], list[dict], list[dict]]:
    if len(dirs) < 2:
        raise ModelError("a soup needs at least two member model dirs")
    configs = [read_config(Path(d)) for d in dirs]
    adapters = [_load_file(Path(d) / ADAPTER_FILE) for d in dirs]
    heads = [_load_file(Path(d) / HEAD_FILE) for d in dirs]
    return configs, adapters, heads
