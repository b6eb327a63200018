"""Model in the loop: decisions → fine-tuned version → active → prelabel, with the tiny real transformer.

Parents are tiny models (tiny BERT encoder, trained in a second) placed in the database's
models folder and activated, so these tests run the real code paths whether or not the
shipped weights exist yet.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select


from db.adjudication import set_gold  # noqa: E402
from db.decisions import NewDecision, record, undo_last  # noqa: E402
from db.engine import transaction  # noqa: E402
from db.repository import add_document, add_target, get_or_create_annotator  # noqa: E402
from db.schema import Prediction, Statement  # noqa: E402
from models.data import Example  # noqa: E402
from workbench.cli import cli  # noqa: E402
from workbench.errors import WorkbenchError  # noqa: E402

TINY_VERSION = {"stance": "0.1.0-tiny", "sentiment": "0.2.0-tiny"}
FAVOR = ["i support the tax", "we will vote for the tax", "the tax is a great law", "i love this tax bill",
         "the tax is good policy", "a wonderful tax , we support it"]
AGAINST = ["i oppose the tax", "the tax is a disaster", "we are against the tax", "i hate this tax bill",
           "the tax is terrible policy", "an awful tax , we oppose it"]
NEUTRAL = ["the tax report was today", "he said the tax meeting", "they will vote on the tax today",
           "the report on the tax bill", "she says the tax law", "the tax meeting is today"]
STANCE_OF = {**{t: "favor" for t in FAVOR}, **{t: "against" for t in AGAINST}, **{t: "neutral" for t in NEUTRAL}}
SENTIMENT_OF = {"favor": "positive", "against": "negative", "neutral": "neutral"}


def toy(task: str, k: int = 3) -> list[Example]:
    out = []
    for _ in range(k):
        for text, stance in STANCE_OF.items():
            out.append(Example(text, "tax", stance) if task == "stance"
                       else Example(text, None, SENTIMENT_OF[stance]))
    return out


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    from models.testing import build_tiny_encoder

    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_base"))


@pytest.fixture(scope="module")
def tiny_parents(tiny_base, tmp_path_factory):
    """A tiny stance and sentiment model each, with versions distinct from the shipped ones."""
    from models.training import train_new

    root = tmp_path_factory.mktemp("tiny_parents")
    for task in ("stance", "sentiment"):
        out = root / task
        train_new(task, toy(task, 2), {"toy_dev": toy(task, 1)}, out, seed=3, base_path=tiny_base,
                  hyper={"epochs": 2, "lr": 1e-2, "batch_size": 8, "max_length": 32})
        cfg = json.loads((out / "config.json").read_text())
        cfg["version"] = TINY_VERSION[task]
        (out / "config.json").write_text(json.dumps(cfg))
    return root


@pytest.fixture
def store(engine, tiny_base, tiny_parents, monkeypatch):
    """The database's models folder holding the tiny parents, both active; the tiny encoder as base."""
    from models.registry import set_active
    from workbench.modelstore import models_dir_for

    monkeypatch.setenv("WORKBENCH_BASE_ENCODER", str(tiny_base))
    monkeypatch.delenv("WORKBENCH_MODELS", raising=False)
    models_dir = Path(models_dir_for(engine))
    for task in ("stance", "sentiment"):
        shutil.copytree(tiny_parents / task, models_dir / "parents" / task)
        set_active(models_dir, task, TINY_VERSION[task])
    return models_dir


def add_statements(engine, texts: list[str]) -> list[int]:
    text = " ".join(f"{t} ." for t in texts)
    ids, pos = [], 0
    with transaction(engine) as s:
        doc, _ = add_document(s, "toy.txt", text)
        for t in texts:
            start = text.index(t, pos)
            pos = start + len(t)
            st = Statement(document_id=doc.id, start=start, end=pos, text=t, extractor_version="test")
            s.add(st)
            s.flush()
            ids.append(st.id)
    return ids


def label_all(engine, sids: list[int], texts: list[str], target: str = "tax", annotators=("ann1",)) -> int:
    with transaction(engine) as s:
        tid = add_target(s, target).id
        for name in annotators:
            ann = get_or_create_annotator(s, name)
            for sid, text in zip(sids, texts):
                stance = STANCE_OF[text]
                record(s, ann, NewDecision(statement_id=sid, target_id=tid, stance=stance,
                                           sentiment=SENTIMENT_OF[stance], source="test"))
    return tid


def invoke(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


# -- the training set from the decision log ------------------------------------------------

def test_training_set_resolution(engine):
    from workbench.training import collect_training_set

    sids = add_statements(engine, [f"statement number {i}" for i in range(8)])
    with transaction(engine) as s:
        tax, other = add_target(s, "tax").id, add_target(s, "other").id
        a, b, c = (get_or_create_annotator(s, n) for n in ("a", "b", "c"))
        boss = get_or_create_annotator(s, "adjudicator")

        def lab(who, i, stance, sentiment=None, target=tax):
            record(s, who, NewDecision(statement_id=sids[i], target_id=target, stance=stance, sentiment=sentiment))

        lab(a, 0, "against", "negative"); lab(b, 0, "against", "positive")   # gold beats both
        set_gold(s, boss, sids[0], tax, "stance", "favor")
        set_gold(s, boss, sids[0], None, "sentiment", "neutral")
        lab(a, 1, "favor", "positive"); lab(b, 1, "favor", "positive")       # agreed
        lab(a, 2, "favor"); lab(b, 2, "favor"); lab(c, 2, "against")         # majority
        lab(a, 3, "against", "negative"); lab(b, 3, "favor", "positive")     # tied: left out
        lab(a, 4, "neutral")                                                 # single
        lab(a, 5, "favor")
        undo_last(s, a)                                                      # undone: not there
        lab(b, 6, "favor"); lab(b, 6, "against")                             # relabelled: the newest counts
        lab(a, 7, "favor", target=other)                                     # another target

    stance = collect_training_set(engine, "stance", "tax")
    got = {(i.statement_id, i.label, i.source) for i in stance.items}
    assert got == {(sids[0], "favor", "gold"), (sids[1], "favor", "agreed"), (sids[2], "favor", "majority"),
                   (sids[4], "neutral", "single"), (sids[6], "against", "single")}
    assert stance.counts() == {"gold": 1, "agreed": 1, "majority": 1, "single": 2, "tied_skipped": 1}
    assert {i.target for i in stance.items} == {"tax"}
    assert next(i for i in stance.items if i.statement_id == sids[1]).text == "statement number 1"

    every_target = collect_training_set(engine, "stance")
    assert (sids[7], "other") in {(i.statement_id, i.target) for i in every_target.items}
    assert collect_training_set(engine, "stance", str(tax)).target == "tax"  # by id too

    sentiment = collect_training_set(engine, "sentiment")
    assert {(i.statement_id, i.label, i.source) for i in sentiment.items} == {
        (sids[0], "neutral", "gold"), (sids[1], "positive", "agreed")}
    assert sentiment.tied == 1 and all(i.target is None for i in sentiment.items)


def test_clear_errors(engine, sqlite_url, store):
    from workbench.training import MIN_EXAMPLES, train_from_decisions

    code, out = invoke("train", "--task", "stance", "--db", sqlite_url)
    assert code == 1 and out.strip() == ("error: no stance decisions in the database yet: label some items first "
                                         "(workbench annotate)")
    code, out = invoke("train", "--task", "stance", "--target", "nope", "--db", sqlite_url)
    assert code == 1 and out.strip() == "error: no such target: 'nope' (see `workbench targets list`)"
    sids = add_statements(engine, FAVOR[:4])
    label_all(engine, sids, FAVOR[:4])
    code, out = invoke("train", "--task", "stance", "--target", "tax", "--db", sqlite_url)
    assert code == 1 and out.strip() == (f"error: too few stance (target 'tax') examples: 4 usable; fine-tuning "
                                         f"needs at least {MIN_EXAMPLES} ({MIN_EXAMPLES - 4} more)")
    code, out = invoke("train", "--task", "sentiment", "--target", "tax", "--db", sqlite_url)
    assert code == 1 and "--target applies to stance only" in out
    with pytest.raises(WorkbenchError, match="unknown task 'topic'"):
        train_from_decisions(engine, "topic")
    assert sorted(p.name for p in store.iterdir()) == ["parents", "registry.json"]  # nothing written


def test_no_active_model_is_a_clear_error(engine, tmp_path, monkeypatch):
    from workbench.training import train_from_decisions

    import models.registry

    # without shipped weights and without a trained version there is nothing to continue from
    monkeypatch.setattr(models.registry, "_WEIGHTS", tmp_path / "no-shipped-weights")
    texts = FAVOR + AGAINST
    label_all(engine, add_statements(engine, texts), texts)
    with pytest.raises(WorkbenchError, match=r"no active stance model to start from: the shipped weights"):
        train_from_decisions(engine, "stance", models_dir=str(tmp_path / "empty"))


# -- training, versions, activation ---------------------------------------------------------

def test_train_saves_activates_and_lists(engine, sqlite_url, store):
    texts = FAVOR + AGAINST + NEUTRAL
    sids = add_statements(engine, texts)
    label_all(engine, sids, texts, annotators=("ann1", "ann2"))

    code, out = invoke("train", "--task", "stance", "--target", "tax", "--seed", "5", "--activate",
                       "--db", sqlite_url)
    assert code == 0, out
    assert "from parent 0.1.0-tiny" in out and "18 agreed" in out and "held back" in out
    code, out = invoke("models", "list", "--json", "--db", sqlite_url)
    # the parents may carry the same creation second as the new version: pick it by task and version
    [new] = [r for r in json.loads(out) if not r["shipped"] and r["task"] == "stance"
             and r["version"] != TINY_VERSION["stance"]]
    assert new["version"].startswith("0.1.0-tiny+ft.") and new["active"]
    assert new["parent"] == "0.1.0-tiny" and len(new["training_set_sha256"]) == 64
    assert Path(new["path"]).parent == store / "stance"  # outside the repo, next to the database
    held = new["dev_metrics"]["heldback"]
    assert held["n"] == 3 and 0 <= held["macro_f1"] <= 1  # 20 % of 18, one per label
    cfg = json.loads((Path(new["path"]) / "config.json").read_text())
    assert cfg["decisions"]["target"] == "tax" and cfg["decisions"]["sources"]["agreed"] == 18
    assert cfg["parent"]["version"] == "0.1.0-tiny" and cfg["training"]["seed"] == 5
    assert not list((store / ".staging").iterdir())  # no half-written leftovers

    # human-readable list: active marker, shipped marker column, dev metrics
    code, out = invoke("models", "list", "--task", "stance", "--db", sqlite_url)
    assert code == 0
    line = next(ln for ln in out.splitlines() if new["version"][:20] in ln)
    assert "*" in line and "heldback macro-F1" in line

    # back to the parent, then to the new version again; unknown version → one-line error
    code, out = invoke("models", "use", "0.1.0-tiny", "--db", sqlite_url)
    assert code == 0 and out.strip() == "active stance model is now 0.1.0-tiny"
    assert json.loads((store / "registry.json").read_text())["active"]["stance"] == "0.1.0-tiny"
    code, out = invoke("models", "use", new["version"], "--task", "stance", "--db", sqlite_url)
    assert code == 0
    code, out = invoke("models", "use", "9.9.9", "--db", sqlite_url)
    assert code == 1 and out.strip() == "error: no model version '9.9.9' (see `workbench models list`)"
    code, out = invoke("models", "use", "0.1.0-tiny", "--task", "sentiment", "--db", sqlite_url)
    assert code == 1 and "no sentiment model version '0.1.0-tiny'" in out


def test_train_from_python_for_the_tui(engine, store):
    """The TUI's worker calls train_from_decisions with a progress callback; --no-activate keeps the parent."""
    from models.registry import active_version
    from workbench.training import train_from_decisions

    texts = FAVOR + AGAINST + NEUTRAL
    label_all(engine, add_statements(engine, texts), texts)
    calls = []
    result = train_from_decisions(engine, "sentiment", models_dir=str(store), seed=3, epochs=2,
                                  progress=lambda done, total, msg: calls.append((done, total, msg)),
                                  activate=False)
    assert calls and calls[-1][0] == calls[-1][1] and "epoch 2/2" in calls[-1][2]
    assert [c[0] for c in calls] == list(range(1, len(calls) + 1))
    assert result["activated"] is False and result["epochs"] == 2 and result["n_examples"] == 18
    assert result["sources"] == {"gold": 0, "agreed": 0, "majority": 0, "single": 18, "tied_skipped": 0}
    assert active_version(store, "sentiment")["version"] == TINY_VERSION["sentiment"]
    # the same training set twice in the same second still gives two distinct versions
    again = train_from_decisions(engine, "sentiment", models_dir=str(store), seed=3, epochs=1, activate=True)
    assert again["version"] != result["version"]
    assert active_version(store, "sentiment")["version"] == again["version"]


def test_prelabel_uses_the_new_version_and_keeps_old_predictions(engine, sqlite_url, store):
    texts = FAVOR + AGAINST + NEUTRAL
    sids = add_statements(engine, texts)
    label_all(engine, sids, texts)

    def per_version():
        with transaction(engine) as s:
            rows = s.execute(select(Prediction.task, Prediction.model_version, func.count())
                             .group_by(Prediction.task, Prediction.model_version)).all()
        return {(t, v): n for t, v, n in rows}

    code, out = invoke("prelabel", "--db", sqlite_url)
    assert code == 0, out
    assert "0.1.0-tiny" in out
    before = per_version()
    # prelabel also scores each pair's relatedness (the gate, models/weights/relatedness)
    assert before == {("stance", "0.1.0-tiny"): 18, ("sentiment", "0.2.0-tiny"): 18, ("relatedness", "1.0.0"): 18}

    code, out = invoke("train", "--task", "stance", "--activate", "--db", sqlite_url)
    assert code == 0, out
    with transaction(engine) as s:
        first_ids = set(s.scalars(select(Prediction.id)))
    code, out = invoke("models", "list", "--json", "--db", sqlite_url)
    new_version = next(r["version"] for r in json.loads(out) if r["task"] == "stance" and r["active"])
    assert new_version.startswith("0.1.0-tiny+ft.")

    code, out = invoke("prelabel", "--db", sqlite_url)
    assert code == 0, out
    assert new_version in out and "0 sentiment and 18 stance" in out
    after = per_version()
    assert after == {**before, ("stance", new_version): 18}  # old predictions stay, new ones added
    with transaction(engine) as s:
        assert first_ids <= set(s.scalars(select(Prediction.id)))
        names = set(s.scalars(select(Prediction.model_name).where(Prediction.model_version == new_version)))
    assert names == {"mpnet-lora-stance"}

    # the new version is a trained child of the parent, not a copy: its outputs moved
    from models.classifiers import load_classifier
    from models.registry import active_version

    child = load_classifier("stance", active_version(store, "stance")["path"])
    parent = load_classifier("stance", store / "parents" / "stance")
    assert (child.version, parent.version) == (new_version, "0.1.0-tiny")
    probe = (["i support the tax", "the tax is a disaster"], ["tax", "tax"])
    assert abs(child.logits(*probe) - parent.logits(*probe)).max() > 1e-4
    # each prediction carries the matmul precision its model version ran in
    with transaction(engine) as s:
        stored = set(s.execute(select(Prediction.model_version, Prediction.precision)
                               .where(Prediction.task == "stance").distinct()))
    assert stored == {("0.1.0-tiny", parent.precision), (new_version, child.precision)}
    assert parent.precision in ("fp32", "bf16")


def test_training_module_is_cheap_to_import():
    """The TUI imports workbench.training at start-up: no torch, transformers or textual until training runs."""
    from tests.test_import_hygiene import loaded_after

    assert not loaded_after("import workbench.training, workbench.commands.loop_cmds") & {
        "torch", "transformers", "peft", "textual"}
