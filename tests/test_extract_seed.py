"""Regression on the seed article against the hand-made gold, scored as the shared scorer does."""
import importlib.util
import json
import pathlib

import pytest

from workbench.extract import extract

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_1dd885126ebaad5d.txt"
GOLD = ROOT.parent / "shared" / "gold" / "seed_statements.jsonl"
SCORER = ROOT.parent / "shared" / "tools" / "score_statements.py"

needs_shared = pytest.mark.skipif(
    not (GOLD.exists() and SCORER.exists()),
    reason="seed gold and scorer live in ../shared, which is absent in this checkout")


def _scorer():
    spec = importlib.util.spec_from_file_location("score_statements", SCORER)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def seed():
    text = SEED.read_text(encoding="utf-8")
    return text, extract(text)


def test_seed_offsets_slice_the_text(seed):
    text, found = seed
    assert found, "the seed article quotes a dozen people"
    for s in found:
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip() and not s.text.startswith(("“", "–", '"'))


@needs_shared
def test_seed_meets_goal_bars(seed):
    _, found = seed
    score = _scorer()
    gold = score.load(GOLD)
    pred = [{"doc": SEED.name, **s.__dict__} for s in found]
    result = score.score(gold, pred)
    assert result["statement_recall"] >= 0.95, result
    assert result["span_precision"] >= 0.90, result
    assert result["speaker_accuracy"] >= 0.95, result


@needs_shared
def test_seed_speaker_types_and_kinds_match_gold(seed):
    _, found = seed
    gold = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]
    by_span = {(s.start, s.end): s for s in found}
    exact = [(g, by_span[(g["start"], g["end"])]) for g in gold if (g["start"], g["end"]) in by_span]
    assert len(exact) >= 0.75 * len(gold)
    assert sum(g["speaker_type"] == s.speaker_type for g, s in exact) >= 0.95 * len(exact)
    assert sum(g["kind"] == s.kind for g, s in exact) >= 0.85 * len(exact)
