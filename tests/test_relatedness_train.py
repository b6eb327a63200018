"""`workbench train --task relatedness`: annotators' verdicts (stance label = related, `not_about` = unrelated)
read from a real SQLite database, the shipped MiniLM gate refitted on them, a new version saved next to the
database and activated by the held-back rule; prelabel and the queue then use the active version."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from db.adjudication import set_gold
from db.decisions import NOT_A_STATEMENT, NewDecision, record, undo_last
from db.engine import transaction
from db.relatedness_verdicts import verdict_pairs
from db.repository import StatementFields, add_document, add_target, get_or_create_annotator, replace_statements
from workbench.cli import cli

CSTO = "the CSTO peacekeeping operation in Kazakhstan"
COFFEE = "the price of coffee in Brazil"


def add_seed(engine) -> list[int]:
    from sqlalchemy import select

    from db.schema import Statement
    from tests.conftest import SEED
    from workbench.extract import extract

    text = Path(SEED).read_text(encoding="utf-8")
    with transaction(engine) as s:
        doc, _ = add_document(s, "seed.txt", text)
        replace_statements(s, doc, [StatementFields(x.start, x.end, x.text, x.speaker, x.speaker_role, x.speaker_type,
                                                    x.kind, x.cue) for x in extract(text)], "test")
        return list(s.scalars(select(Statement.id).order_by(Statement.id)))


def verdict(s, annotator: str, sid: int, tid: int, stance: str | None) -> None:
    who = get_or_create_annotator(s, annotator)
    if stance is None:
        record(s, who, NewDecision(statement_id=sid, target_id=tid, action="not_about", source="test"))
    else:
        record(s, who, NewDecision(statement_id=sid, target_id=tid, stance=stance, source="test"))


def test_verdicts_resolve_per_annotator_then_by_majority(engine):
    sids = add_seed(engine)[:6]
    with transaction(engine) as s:
        t = add_target(s, CSTO).id
        verdict(s, "a", sids[0], t, "favor")           # one related vote
        verdict(s, "a", sids[1], t, None)              # not about, then changed to a stance: related
        verdict(s, "a", sids[1], t, "against")
        verdict(s, "a", sids[2], t, "neutral")         # 1 related vs 2 not about: unrelated
        verdict(s, "b", sids[2], t, None)
        verdict(s, "c", sids[2], t, None)
        verdict(s, "a", sids[3], t, "favor")           # 1 vs 1: tied, left out
        verdict(s, "b", sids[3], t, None)
        verdict(s, "b", sids[4], t, None)              # not about, undone: no verdict
        undo_last(s, get_or_create_annotator(s, "b"))
        record(s, get_or_create_annotator(s, "a"),     # a sentiment alone says nothing about the target
               NewDecision(statement_id=sids[4], target_id=t, sentiment="positive", source="test"))
        verdict(s, "a", sids[5], t, "favor")           # flagged not a statement: no example
        record(s, get_or_create_annotator(s, "c"), NewDecision(statement_id=sids[5], target_id=t, action="flag",
                                                               reason_codes=(NOT_A_STATEMENT,), source="test"))
    with transaction(engine) as s:
        got = verdict_pairs(s)
    assert [(p.statement_id, p.related, p.votes_related, p.votes_not_about) for p in got.pairs] == [
        (sids[0], 1, 1, 0), (sids[1], 1, 1, 0), (sids[2], 0, 1, 2)]
    assert got.tied == 1 and got.not_a_statement == 1
    assert got.pairs[0].target == CSTO and got.pairs[0].text
    with transaction(engine) as s:  # an adjudicated stance settles the tie: related
        set_gold(s, get_or_create_annotator(s, "adj"), sids[3], t, "stance", "favor")
    with transaction(engine) as s:
        got = verdict_pairs(s)
    assert [(p.statement_id, p.related, p.gold) for p in got.pairs][-1] == (sids[3], 1, True) and got.tied == 0


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "models"
    monkeypatch.setenv("WORKBENCH_MODELS", str(path))
    return path


@pytest.fixture
def annotated(engine):
    """The seed article: 12 statements judged about the CSTO operation, 10 marked not about coffee prices."""
    sids = add_seed(engine)
    with transaction(engine) as s:
        csto, coffee = add_target(s, CSTO).id, add_target(s, COFFEE).id
        for sid in sids[:12]:
            verdict(s, "a", sid, csto, "neutral")
        for sid in sids[:10]:
            verdict(s, "a", sid, coffee, None)
    return sids, csto, coffee


def train(sqlite_url, *args):
    """(exit code, everything printed); with --json, the stdout alone (stderr carries the loading bar)."""
    result = CliRunner().invoke(cli, ["train", "--task", "relatedness", *args, "--db", sqlite_url])
    return result.exit_code, result.stdout if "--json" in args and result.exit_code == 0 else result.output


def test_train_relatedness_saves_a_version_and_keeps_the_parent_on_a_tie(engine, sqlite_url, store, annotated):
    code, out = train(sqlite_url, "--json")
    assert code == 0, out
    result = json.loads(out.strip().splitlines()[-1])
    assert result["parent"] == "1.0.0" and result["parent_shipped"] and result["version"].startswith("1.0.0+ft.")
    assert (result["n_examples"], result["related"], result["not_about"]) == (22, 12, 10)
    assert (result["n_train"], result["n_dev"]) == (18, 4)  # 20 % held back per label: 2 + 2
    assert result["anchor_pairs"] == 2000
    new, parent = result["dev_metrics"]["heldback"], result["parent_dev_metrics"]["heldback"]
    assert new["n"] == parent["n"] == 4
    # the shipped gate already keeps the CSTO pairs and filters the coffee ones: nothing to beat, parent stays
    assert parent["recall_related"] == 1.0 and parent["filtered_unrelated"] == 1.0
    assert result["activation"]["better"] is False and not result["activated"]
    assert "not better than the parent" in result["activation"]["reason"]
    assert result["dev_metrics"]["shipped_dev"]["recall_related"] >= 0.95
    saved = Path(result["path"])
    assert saved.parent == store / "relatedness" and (saved / "anchors.npz").is_file()
    cfg = json.loads((saved / "gate.json").read_text())
    assert cfg["task"] == "relatedness" and cfg["parent"]["version"] == "1.0.0" and cfg["threshold"] == result["threshold"]
    assert not list((store / ".staging").iterdir())
    listed = CliRunner().invoke(cli, ["models", "list", "--task", "relatedness", "--json", "--db", sqlite_url])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert [(r["version"], r["active"], r["shipped"]) for r in rows] == [("1.0.0", True, True),
                                                                         (result["version"], False, False)]
    # the human-readable report names both figures for both versions
    code, out = train(sqlite_url, "--no-activate")
    assert code == 0, out
    assert "held-back verdicts (n=4): new recall_related" in out and "parent 1.0.0 recall_related 1.000" in out
    assert "not activated because --no-activate was given" in out


def test_activate_makes_prelabel_score_with_the_new_version(engine, sqlite_url, store, annotated):
    from db.queue import AnnotationQueue
    from workbench.prelabel import load_gate, prelabel_relatedness

    sids, csto, coffee = annotated
    code, out = train(sqlite_url, "--activate", "--json")
    assert code == 0, out
    result = json.loads(out.strip().splitlines()[-1])
    assert result["activated"] and result["activation"]["reason"] == "activated because --activate was given"
    gate = load_gate(str(store))
    assert gate.version == result["version"] and gate.threshold == result["threshold"]
    assert prelabel_relatedness(engine, gate) == 2 * len(sids)
    with transaction(engine) as s:
        from sqlalchemy import select

        from db.schema import Prediction
        versions = set(s.scalars(select(Prediction.model_version).where(Prediction.task == "relatedness")))
        aid = get_or_create_annotator(s, "fresh").id
        queued = {t: len(AnnotationQueue(aid, "fresh", [t]).next_keys(s, 100)) for t in (coffee, csto)}
    assert versions == {result["version"]}
    assert queued[coffee] <= 2 and queued[csto] >= 20, queued  # the demo goals hold with the refitted gate
    back = CliRunner().invoke(cli, ["models", "use", "1.0.0", "--task", "relatedness", "--db", sqlite_url])
    assert back.exit_code == 0 and load_gate(str(store)).version == "1.0.0"
    # going back scores the pairs again (the queue reads the newest row), once
    shipped = load_gate(str(store))
    assert prelabel_relatedness(engine, shipped) == 2 * len(sids) and prelabel_relatedness(engine, shipped) == 0


def test_a_target_threshold_of_the_active_version_hides_its_pairs(engine, store, annotated):
    """A version whose refit raised one target's threshold: prelabel labels that target's pairs against it."""
    from db.queue import AnnotationQueue
    from models.registry import set_active
    from models.relatedness_gate import GATE_DIR
    from workbench.prelabel import load_gate, prelabel_relatedness

    sids, csto, coffee = annotated
    version = store / "relatedness" / "1.0.0+ft.test"
    version.mkdir(parents=True)
    cfg = json.loads((GATE_DIR / "gate.json").read_text())
    cfg.update(task="relatedness", version="1.0.0+ft.test", target_thresholds={CSTO: 0.999})
    (version / "gate.json").write_text(json.dumps(cfg))
    set_active(store, "relatedness", "1.0.0+ft.test")
    gate = load_gate(str(store))
    assert gate.threshold_for(CSTO) == 0.999 and gate.threshold_for(COFFEE) == cfg["threshold"]
    prelabel_relatedness(engine, gate)
    with transaction(engine) as s:
        from sqlalchemy import select

        from db.schema import Prediction
        scores = dict(s.execute(select(Prediction.statement_id, Prediction.score).where(
            Prediction.task == "relatedness", Prediction.target_id == csto)).all())
        aid = get_or_create_annotator(s, "fresh").id
        queued = {k.statement_id for k in AnnotationQueue(aid, "fresh", [csto]).next_keys(s, 100)}
    kept_by_default = {sid for sid, p in scores.items() if p >= cfg["threshold"]}
    assert len(kept_by_default) >= 20  # what the default threshold would queue (the demo goal)
    assert queued == {sid for sid, p in scores.items() if p >= 0.999} and len(queued) < len(kept_by_default)


def test_bad_requests_are_one_line_errors(engine, sqlite_url, store, annotated, tmp_path):
    code, out = train(sqlite_url, "--target", CSTO)
    assert code == 1 and "--target and --epochs apply to stance and sentiment" in out and "Traceback" not in out
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    CliRunner().invoke(cli, ["init", "--db", empty])
    code, out = train(empty)
    assert code == 1 and "no relatedness verdicts in the database yet" in out, out
    # a parent without anchor pairs: refused before the feature pass, nothing saved
    bare = store / "relatedness" / "0.9.0"
    bare.mkdir(parents=True)
    cfg = json.loads((Path(__file__).resolve().parents[1] / "models/weights/relatedness/gate.json").read_text())
    cfg.update(task="relatedness", version="0.9.0")
    (bare / "gate.json").write_text(json.dumps(cfg))
    from models.registry import set_active

    set_active(store, "relatedness", "0.9.0")
    code, out = train(sqlite_url)
    assert code == 1 and "no anchor pairs" in out and len(out.strip().splitlines()) == 1, out
    assert sorted(p.name for p in (store / "relatedness").iterdir()) == ["0.9.0"]


def test_too_few_verdicts(engine, sqlite_url, store):
    sids = add_seed(engine)
    with transaction(engine) as s:
        t = add_target(s, CSTO).id
        for sid in sids[:3]:
            verdict(s, "a", sid, t, "favor")
    code, out = train(sqlite_url)
    assert code == 1 and "too few relatedness verdicts: 3 usable" in out and "(7 more)" in out


def test_retraining_the_refit_chains_from_the_new_version(engine, sqlite_url, store, annotated):
    code, out = train(sqlite_url, "--activate", "--json")
    first = json.loads(out.strip().splitlines()[-1])
    code, out = train(sqlite_url, "--json", "--seed", "3")
    assert code == 0, out
    second = json.loads(out.strip().splitlines()[-1])
    assert second["parent"] == first["version"] and second["version"] != first["version"]
    assert np.isfinite(second["threshold"])
    assert json.loads((Path(second["path"]) / "gate.json").read_text())["parent"]["path"] == first["path"]
