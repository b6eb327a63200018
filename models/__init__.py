"""Offline, target-aware stance and sentiment classifiers.

Importing this package is deliberately cheap: torch, transformers and peft are
imported lazily inside the functions that need them, so the application can
start (and list models) without paying for them.  The public names below are
resolved on first attribute access.
"""

from __future__ import annotations

from importlib import import_module

__all__ = [
    "ModelError",
    "DataError",
    "Example",
    "Prediction",
    "Classifier",
    "load_classifier",
    "evaluate_file",
    "finetune",
    "list_versions",
    "active_version",
    "set_active",
]

# name -> submodule that defines it; the submodules themselves import nothing heavy
_LAZY = {
    "ModelError": "errors",
    "DataError": "errors",
    "Example": "data",
    "Prediction": "classifiers",
    "Classifier": "classifiers",
    "load_classifier": "classifiers",
    "evaluate_file": "evaluate",
    "finetune": "train",
    "list_versions": "registry",
    "active_version": "registry",
    "set_active": "registry",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f"{__name__}.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
