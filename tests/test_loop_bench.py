"""bench/bench_fewshot.py refuses clearly (no traceback) when the shared data or the model is absent."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import REPO

BENCH = REPO / "bench" / "bench_fewshot.py"


def run(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def test_missing_shared_data(tmp_path):
    out = run(WORKBENCH_DATA_DIR=str(tmp_path / "absent"))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.startswith(f"error: training data directory not found: {tmp_path / 'absent'}")


def test_missing_model(tmp_path):
    (tmp_path / "vast").mkdir()
    (tmp_path / "vast_train").mkdir()
    (tmp_path / "vast" / "vast_dev.csv").write_text("Tweet,Target,Stance,seen?\n", encoding="utf-8")
    (tmp_path / "vast_train" / "train.csv").write_text("text,target,label\n", encoding="utf-8")
    out = run("--parent", str(tmp_path / "no-model"), WORKBENCH_DATA_DIR=str(tmp_path))
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.strip() == (f"error: stance model not found: {tmp_path / 'no-model'} (train the shipped weights "
                                  "with `python -m models.train --task stance`, or pass --parent DIR)")
