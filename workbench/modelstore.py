"""Where trained model versions live: a folder next to the database, never inside the repo."""
from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from db.engine import Engine

ENV_VAR = "WORKBENCH_MODELS"


def models_dir_for(engine: Engine) -> str:
    """$WORKBENCH_MODELS, else `<db file>.models/` beside a SQLite file, else ./workbench-models."""
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR]
    from db.engine import sqlite_file

    database = sqlite_file(engine.url)
    if database:
        return str(Path(database).resolve().with_suffix(".models"))
    return str(Path("workbench-models").resolve())
