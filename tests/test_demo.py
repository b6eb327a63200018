"""`workbench demo --no-ui`: the README's main job, end to end with the shipped models."""
from __future__ import annotations

import json

from click.testing import CliRunner

from workbench.cli import cli
from workbench.commands.annotate_cmds import DEMO_TARGETS


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_demo_builds_the_database_and_is_idempotent(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no seeds/ here: the demo falls back to the repository's seeds/
    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    code, out = run("demo", "--no-ui", "--db", url)
    assert code == 0, out
    assert "ingested 1 document(s)" in out
    summary = json.loads(run("status", "--json", "--db", url)[1])
    n = summary["statements"]
    assert n >= 30 and summary["targets"] == len(DEMO_TARGETS)
    # sentiment once, stance and relatedness per target
    assert summary["predictions"] == n * (1 + 2 * len(DEMO_TARGETS))
    assert {row["model"] for row in summary["predictions_per_model"]} == {
        "mpnet-lora-sentiment", "mpnet-lora-stance", "minilm-relatedness-gate"}
    # the precision each model ran in on this CPU is recorded with its predictions
    assert {row["precision"] for row in summary["predictions_per_model"]} <= {"fp32", "bf16"}

    code, out = run("demo", "--no-ui", "--db", url)  # a second run adds nothing
    assert code == 0 and "0 duplicate" not in out and "1 duplicate(s) skipped" in out
    assert "pre-labelled: 0 sentiment, 0 stance, 0 relatedness" in out
    assert json.loads(run("status", "--json", "--db", url)[1])["predictions"] == summary["predictions"]
