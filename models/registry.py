"""A plain-file registry of model versions in a models dir outside the repo.

Layout of models_dir (e.g. next to the application's database):

    models_dir/registry.json          {"active": {"stance": "<version>", ...}}
    models_dir/<any>/config.json      fine-tuned versions (written by finetune)
    models_dir/<any>/<any>/config.json
    models_dir/relatedness/<any>/gate.json   refitted relatedness gates (relatedness_refit.py)

The shipped model of each task is always listed (shipped=True) and is what
active_version returns until another version is activated.  Only the standard
library is imported here: listing versions must be instant.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from vocabulary import RELATEDNESS_TASK, TASKS

from .errors import ModelError

REGISTRY_FILE = "registry.json"
_WEIGHTS = Path(__file__).resolve().parent / "weights"


GATE_TASK = RELATEDNESS_TASK  # its model is gate.json (a few numbers), not a transformer's config.json


def _entry(cfg_path: Path, shipped: bool) -> dict | None:
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8"))
        task = cfg.get("task") or (GATE_TASK if cfg_path.name == "gate.json" else None)
        task, version = task or cfg["task"], str(cfg["version"])
    except (OSError, json.JSONDecodeError, KeyError, TypeError):
        return None  # a half-written or foreign dir is not a version
    parent = cfg.get("parent")
    return {
        "task": task,
        "version": version,
        "name": cfg.get("name", f"minilm-lora-{task}"),
        "path": str(cfg_path.parent),
        "parent": parent.get("version") if isinstance(parent, dict) else parent,
        "created": cfg.get("created"),
        "training_set_sha256": cfg.get("training_set_sha256"),
        "dev_metrics": cfg.get("dev_metrics", cfg.get("dev", {})),
        "shipped": shipped,
    }


def _read_registry(models_dir: Path) -> dict:
    path = models_dir / REGISTRY_FILE
    if not path.is_file():
        return {"active": {}}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data.get("active"), dict):
            raise ValueError("no 'active' mapping")
        return data
    except (json.JSONDecodeError, ValueError, AttributeError) as exc:
        raise ModelError(f"model registry unreadable: {path} ({exc})") from None


def list_versions(models_dir) -> list[dict]:
    """Shipped models first, then fine-tuned versions (oldest first); each with active flag."""
    models_dir = Path(models_dir)
    entries = []
    for task, file in (*((t, "config.json") for t in TASKS), (GATE_TASK, "gate.json")):
        e = _entry(_WEIGHTS / task / file, shipped=True)
        if e:
            entries.append(e)
    found = []
    if models_dir.is_dir():
        found = sorted(set(models_dir.glob("*/config.json")) | set(models_dir.glob("*/*/config.json"))
                       | set(models_dir.glob(f"{GATE_TASK}/*/gate.json")))
    extra = [e for e in (_entry(p, shipped=False) for p in found) if e]
    extra.sort(key=lambda e: (e["created"] or "", e["version"]))
    entries += extra
    active = _read_registry(models_dir)["active"] if models_dir.is_dir() else {}
    for e in entries:
        chosen = active.get(e["task"])
        e["active"] = (e["version"] == chosen) if chosen else e["shipped"]
    return entries


def active_version(models_dir, task: str) -> dict | None:
    """The active version's entry; the shipped one unless set_active chose another; None if neither exists."""
    for e in list_versions(models_dir):
        if e["task"] == task and e["active"]:
            return e
    return None


def set_active(models_dir, task: str, version) -> None:
    """Make version active for task (atomic write); raise ModelError for an unknown version."""
    models_dir = Path(models_dir)
    version = str(version)
    if not any(e["task"] == task and e["version"] == version for e in list_versions(models_dir)):
        raise ModelError(f"no {task} model version {version!r} in {models_dir} or the shipped weights")
    models_dir.mkdir(parents=True, exist_ok=True)
    data = _read_registry(models_dir)
    data["active"][task] = version
    tmp = models_dir / (REGISTRY_FILE + f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(models_dir / REGISTRY_FILE)
