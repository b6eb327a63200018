"""Layering rules, checked in a clean interpreter: which heavy modules each package pulls in."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "transformers", "textual", "peft")


def loaded_after(statement: str) -> set[str]:
    code = f"import sys, json\n{statement}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {name.split(".")[0] for name in json.loads(out.splitlines()[-1])}


@pytest.mark.parametrize("statement", [
    "import db, db.schema, db.engine, db.repository, db.decisions, db.migrate",
])
def test_db_imports_neither_torch_nor_textual(statement):
    assert not loaded_after(statement) & {"torch", "transformers", "textual", "models", "workbench"}


def test_models_package_is_cheap_and_free_of_textual_and_db():
    assert not loaded_after("import models, models.errors") & {"torch", "transformers", "textual", "db", "workbench"}
    mods = loaded_after("import models.classifiers, models.evaluate, models.train, models.registry, models.data")
    assert not mods & {"textual", "db", "workbench"}


def test_cli_help_does_not_load_heavy_libraries():
    mods = loaded_after("from workbench.cli import cli")
    assert not mods & set(HEAVY)
