"""Layering rules, checked in a clean interpreter: which heavy modules each package pulls in."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

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


# -- workbench/ reaches the database only through db/ ----------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
# workbench/commands/ is the CLI's wiring (it may open sessions and hand them to db/ functions)
COMMANDS = ROOT / "workbench" / "commands"
# No exceptions: every module outside commands/ reaches the database through db/ functions.
ALLOWED_FILES: set[str] = set()
# The label and task vocabulary lives in vocabulary/ (db.schema only re-exports it): workbench/ imports it
# from there, so no name is allowed from db.schema.
VOCABULARY: set[str] = set()


def storage_imports(source: str) -> list[str]:
    """The imports of sqlalchemy (anything in it) or db.schema (beyond VOCABULARY) in some Python source,
    wherever they stand (TYPE_CHECKING blocks and function bodies included)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names
                      if a.name.split(".")[0] == "sqlalchemy" or a.name.startswith("db.schema")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [a.name for a in node.names]
            if node.module.split(".")[0] == "sqlalchemy":
                found.append(f"from {node.module} import {', '.join(names)}")
            elif node.module == "db.schema" and set(names) - VOCABULARY:
                found.append(f"from db.schema import {', '.join(sorted(set(names) - VOCABULARY))}")
            elif node.module == "db" and "schema" in names:
                found.append("from db import schema")
    return found


def workbench_modules() -> list[Path]:
    return sorted(p for p in (ROOT / "workbench").rglob("*.py") if COMMANDS not in p.parents)


def test_the_checker_sees_every_form_of_import():
    source = ("import sqlalchemy.orm\nfrom sqlalchemy import select\nfrom db.schema import Decision, TASKS\n"
              "from db import schema\nif TYPE_CHECKING:\n    from sqlalchemy import Engine\n"
              "def f():\n    import db.schema\n")
    assert storage_imports(source) == ["import sqlalchemy.orm", "from sqlalchemy import select",
                                       "from db.schema import Decision, TASKS", "from db import schema",
                                       "from sqlalchemy import Engine", "import db.schema"]
    assert storage_imports("from vocabulary import LABELS_BY_TASK, TASKS\nfrom db.engine import Engine\n") == []
    assert storage_imports("from db.schema import LABELS_BY_TASK\n") == ["from db.schema import LABELS_BY_TASK"]


def test_workbench_takes_the_vocabulary_from_vocabulary():
    """Tasks, labels, actions, reasons and verdicts are imported from vocabulary/, never from a db/ module that
    re-exports them (db.schema, db.adjudication, db.decisions)."""
    import vocabulary

    words = {name for name in vars(vocabulary) if name.isupper()}
    offenders = {}
    for path in sorted((ROOT / "workbench").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "db":
                names = {a.name for a in node.names} & words
                if names:
                    offenders.setdefault(path.relative_to(ROOT).as_posix(), []).append(f"{node.module}: {sorted(names)}")
    assert offenders == {}


def test_workbench_outside_commands_imports_neither_sqlalchemy_nor_the_schema():
    """The decision log is written and read by db/'s functions only: workbench/ (but its CLI wiring) never
    builds a query or an ORM row itself."""
    modules = workbench_modules()
    assert len(modules) > 30 and not any(COMMANDS in p.parents for p in modules)
    offenders = {}
    for path in modules:
        name = path.relative_to(ROOT).as_posix()
        found = storage_imports(path.read_text(encoding="utf-8"))
        if found and name not in ALLOWED_FILES:
            offenders[name] = found
    assert offenders == {}


def test_the_allowlist_names_only_files_that_still_need_it():
    for name in ALLOWED_FILES:
        path = ROOT / name
        assert path.is_file() and storage_imports(path.read_text(encoding="utf-8")), \
            f"{name} no longer imports sqlalchemy or db.schema: delete it from ALLOWED_FILES"
