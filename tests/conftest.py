"""Shared fixtures: real SQLite files, the live PostgreSQL server, a migrated engine."""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "seeds" / "000_1dd885126ebaad5d.txt"
SHARED = REPO.parent / "shared"
PG_SERVER_URL = os.environ.get("WORKBENCH_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'workbench.db'}"


@pytest.fixture
def engine(sqlite_url: str):
    """A real SQLite file migrated to head."""
    from db.engine import make_engine
    from db.migrate import upgrade

    eng = make_engine(sqlite_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_url():
    """A fresh schema on the live PostgreSQL server, dropped afterwards; the URL selects it."""
    from sqlalchemy import create_engine, text

    schema = f"wb_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:  # the server is part of the test environment: fail loudly, never skip
        pytest.fail(f"PostgreSQL at {PG_SERVER_URL} is not reachable: {exc}")
    separator = "&" if "?" in PG_SERVER_URL else "?"
    yield f"{PG_SERVER_URL}{separator}options=-csearch_path%3D{schema}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def pg_engine(pg_url: str):
    from db.engine import make_engine
    from db.migrate import upgrade

    eng = make_engine(pg_url)
    upgrade(eng)
    yield eng
    eng.dispose()
