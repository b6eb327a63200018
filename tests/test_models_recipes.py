"""models.recipes knobs used by bench/sweep_recipes.py: extra data sets and the LoRA rank.

Data dirs are written here in the shared layout (no shared data needed).
"""

import csv
import json

import pytest

from models.data import Example, read_flat_sentiment
from models.errors import DataError
from models.testing import build_tiny_encoder


def _csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def _newsmtsc(root, n=40):
    (root / "newsmtsc").mkdir(parents=True)
    lines = [json.dumps({"sentence_normalized": f"news sentence {i} about Smith",
                         "targets": [{"mention": "Smith", "polarity": [2, 4, 6][i % 3]}]}) for i in range(n)]
    (root / "newsmtsc" / "train.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_flat_sentiment_rows_have_no_target(tmp_path):
    f = tmp_path / "s.csv"
    _csv(f, ["split", "text", "label", "label5"], [["train", "a lovely film", "positive", 3],
                                                    ["train", "dull", "Negative", 0]])
    assert read_flat_sentiment(f) == [Example("a lovely film", None, "positive"), Example("dull", None, "negative")]


@pytest.mark.parametrize("row, needle", [(["x", "meh"], r"s\.csv:2: unknown label 'meh'"),
                                         (["  ", "positive"], r"s\.csv:2: empty text")])
def test_flat_sentiment_bad_rows_name_file_and_line(tmp_path, row, needle):
    f = tmp_path / "s.csv"
    _csv(f, ["text", "label"], [row])
    with pytest.raises(DataError, match=needle):
        read_flat_sentiment(f)


def test_sentiment_extra_set_is_trained_on_never_dev(tmp_path, monkeypatch):
    from models.recipes import sentiment_data

    _newsmtsc(tmp_path)
    _csv(tmp_path / "sst5" / "train.csv", ["split", "text", "label", "label5"],
         [["train", f"review {i}", "neutral", 2] for i in range(7)])
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    plain, dev, names = sentiment_data(13)
    train, dev_x, names_x = sentiment_data(13, extra=("sst5",))
    assert names == ["newsmtsc"] and names_x == ["newsmtsc", "sst5"]
    assert dev == dev_x  # the dev split does not move with extra training data
    reviews = [e for e in train if e.text.startswith("review")]
    assert len(reviews) == 7 and all(e.target is None for e in reviews)
    assert len(train) == len(plain) + 7
    assert not any(e.text.startswith("review") for e in dev_x["newsmtsc_dev"])


def _stance_root(tmp_path, vast_rows):
    for t in ("abortion", "atheism"):
        d = tmp_path / "semeval2016_stance" / t
        d.mkdir(parents=True)
        for split in ("train", "val"):
            (d / f"{split}_text.txt").write_text("tweet one\ntweet two\n", encoding="utf-8")
            (d / f"{split}_labels.txt").write_text("1\n2\n", encoding="utf-8")
    _csv(tmp_path / "vast_train" / "train.csv", list(vast_rows[0]), vast_rows[1:])
    _csv(tmp_path / "vast" / "vast_dev.csv", ["Tweet", "Target", "Stance"], [["dev comment", "topic", 0]])
    _csv(tmp_path / "gwsd_desmog" / "train.csv", ["guid", "target", "text", "label"],
         [[f"g{i}", "warming", f"sentence {i}", "none"] for i in range(20)])
    _csv(tmp_path / "emergent" / "all.csv", ["claim_id", "target", "text", "label"],
         [[f"c{i}", f"claim {i}", f"headline {i}", "favor"] for i in range(20)])
    _csv(tmp_path / "perspectrum" / "train.csv", ["target", "text", "label"],
         [["a claim", f"perspective {i}", ["favor", "against"][i % 2]] for i in range(6)])


def test_stance_extra_sets_are_trained_on_never_dev(tmp_path, monkeypatch):
    from models.recipes import stance_data

    _stance_root(tmp_path, [("text", "target", "label"), *[(f"comment {i}", "topic", "favor") for i in range(5)]])
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    plain, dev, names = stance_data(13)
    train, dev_x, names_x = stance_data(13, extra=("perspectrum",))
    assert "perspectrum" in names_x and "perspectrum" not in names and dev == dev_x
    persp = [e for e in train if e.text.startswith("perspective")]
    assert len(persp) == 6 and {e.label for e in persp} == {"favor", "against"}
    assert len(train) == len(plain) + 6
    assert not any(e.text.startswith("perspective") for v in dev_x.values() for e in v)


def test_unrelated_training_pairs_swap_in_another_articles_topic(tmp_path, monkeypatch):
    from models.recipes import recipe_data

    # 12 comments on 4 NYT articles, each article with its own topic; comment i answers article i % 4
    rows = [(f"comment {i}", f"topic {i % 4}", ["favor", "against"][i % 2], f"a{i % 4}") for i in range(12)]
    _stance_root(tmp_path, [("text", "target", "label", "arc_id"), *rows])
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    plain, dev, _, combiner = recipe_data("stance", 13, vast_train_max=6)
    train, dev_x, _, combiner_x = recipe_data("stance", 13, vast_train_max=6, unrelated_train=4)
    added = [e for e in train if e not in plain]
    article = {f"comment {i}": i % 4 for i in range(12)}
    trained_comments = {e.text for e in plain if e.text.startswith("comment")}
    assert len(train) == len(plain) + 4 and len(added) == 4 and dev_x == dev
    assert all(e.label == "neutral" and e.text in trained_comments for e in added)
    assert all(e.target != f"topic {article[e.text]}" for e in added)  # never the comment's own article's topic
    # the combiner still fits on comments the cross-encoder never saw, and the same ones as without the pairs
    assert combiner_x == combiner
    assert not {e.text for e in combiner_x.examples} & trained_comments
    assert recipe_data("stance", 13, vast_train_max=6, unrelated_train=4)[0] == train  # seeded


def test_lora_rank_is_a_recipe_setting_recorded_and_reloaded(tmp_path):
    from models.classifiers import load_classifier
    from models.training import train_new

    base = build_tiny_encoder(tmp_path / "base")
    ex = [Example("good", "x", "positive"), Example("bad", "x", "negative"), Example("the", None, "neutral")] * 4
    cfg = train_new("sentiment", ex, {}, tmp_path / "m", base_path=base,
                    hyper={"epochs": 1, "max_length": 16, "lora": {"r": 4, "alpha": 8}})
    assert cfg["lora"]["r"] == 4 and cfg["lora"]["alpha"] == 8 and "lora" not in cfg["training"]
    saved = json.loads((tmp_path / "m" / "config.json").read_text())
    assert saved["lora"] == cfg["lora"]
    from safetensors.torch import load_file

    ranks = {t.shape[0] for k, t in load_file(str(tmp_path / "m" / "adapter.safetensors")).items() if "lora_A" in k}
    assert ranks == {4}
    clf = load_classifier("sentiment", tmp_path / "m", base_path=base)  # rebuilt with r=4, or shapes would clash
    assert [p.label for p in clf.predict(["good", "bad"], ["x", "x"])] and clf.config["lora"]["r"] == 4


def test_a_recipe_can_read_longer_inputs_than_it_trains_on(tmp_path):
    from models.card import write_card
    from models.classifiers import load_classifier
    from models.training import train_new

    base = build_tiny_encoder(tmp_path / "base")
    ex = [Example("good", "x", "positive"), Example("bad", "x", "negative"), Example("the", None, "neutral")] * 2
    cfg = train_new("sentiment", ex, {"toy": ex}, tmp_path / "m", base_path=base,
                    hyper={"epochs": 1, "max_length": 16, "predict_max_length": 24, "lora": {"r": 4, "alpha": 8}})
    assert cfg["max_length"] == 24 and cfg["training"]["max_length"] == 16
    assert "predict_max_length" not in cfg["training"]
    assert load_classifier("sentiment", tmp_path / "m", base_path=base).max_length == 24
    write_card(tmp_path / "m", cfg)
    assert "24 word pieces at inference (16 in training" in (tmp_path / "m" / "MODEL_CARD.md").read_text()


def test_shipped_models_name_a_known_base_and_its_exact_weights():
    """A recipe or shipped config naming a base the loader does not know (or other weights) could never load."""
    from models.classifiers import shipped_dir
    from models.encoder import BASES, base_encoder
    from models.shipped import HYPER

    for task, recipe in HYPER.items():
        cfg = json.loads((shipped_dir(task) / "config.json").read_text())
        base = base_encoder(recipe.get("base"))
        assert cfg["base_model"]["name"] == base.name and cfg["base_model"]["name"] in BASES
        assert cfg["base_model"]["sha256"] == base.sha256
        assert cfg["name"] == f"{base.short}-lora-{task}"
        assert cfg["base_model"]["package"] == " ".join(base.requirements)


def test_a_recipe_records_its_base_even_on_an_injected_encoder(tmp_path):
    from models.encoder import MINILM, MPNET
    from models.training import train_new

    base = build_tiny_encoder(tmp_path / "base")
    ex = [Example("good", "x", "positive"), Example("bad", "x", "negative"), Example("the", None, "neutral")] * 2
    for chosen in (MPNET, MINILM):
        cfg = train_new("sentiment", ex, {}, tmp_path / chosen.short, base_path=base,
                        hyper={"epochs": 1, "max_length": 16, "lora": {"r": 4, "alpha": 8}, "base": chosen.name})
        assert cfg["base_model"]["name"] == chosen.name and cfg["name"] == f"{chosen.short}-lora-sentiment"
        assert "base" not in cfg["training"]  # a choice of weights, not a training hyperparameter


def test_a_stance_model_records_only_the_data_options_its_caller_used(tmp_path):
    """The shipped recipe's uncapped / per_corpus describe how its data is sampled: a model trained on other
    examples (the classic recipe, an API caller) must not claim them."""
    from models.shipped import HYPER
    from models.training import train_new

    assert HYPER["stance"].get("uncapped") and HYPER["stance"].get("per_corpus")
    base = build_tiny_encoder(tmp_path / "base")
    ex = [Example("we back it", "tax", "favor"), Example("we oppose it", "tax", "against"),
          Example("it rained", "tax", "neutral")] * 2
    small = {"epochs": 1, "max_length": 16, "lora": {"r": 4, "alpha": 8}}
    plain = train_new("stance", ex, {}, tmp_path / "plain", base_path=base, hyper=small)
    assert not {"uncapped", "per_corpus", "same_corpus", "same_corpus_from"} & set(plain["training"])
    told = train_new("stance", ex, {}, tmp_path / "told", base_path=base,
                     hyper={**small, "uncapped": ["semeval"], "per_corpus": 7, "same_corpus": 3,
                            "same_corpus_from": ["emergent"]})
    assert told["training"]["uncapped"] == ["semeval"] and told["training"]["per_corpus"] == 7
    assert told["training"]["same_corpus"] == 3 and told["training"]["same_corpus_from"] == ["emergent"]


@pytest.mark.parametrize("task", ["sentiment", "stance"])
def test_shipped_model_cards_are_generated_from_their_configs(task, tmp_path):
    """A card edited by hand (or a template changed without regenerating) would tell a reader what the model is not."""
    from models.card import write_card
    from models.classifiers import shipped_dir

    cfg = json.loads((shipped_dir(task) / "config.json").read_text(encoding="utf-8"))
    write_card(tmp_path, cfg)
    assert (tmp_path / "MODEL_CARD.md").read_text(encoding="utf-8") == (
        shipped_dir(task) / "MODEL_CARD.md").read_text(encoding="utf-8")


def test_a_stance_card_names_the_per_corpus_cap_its_model_was_trained_with(tmp_path):
    from models.card import write_card
    from models.classifiers import shipped_dir
    from models.recipes import MULTI

    cfg = json.loads((shipped_dir("stance") / "config.json").read_text(encoding="utf-8"))
    cfg["training"].pop("per_corpus", None)
    write_card(tmp_path, cfg)
    assert f"at most {MULTI['per_corpus']} examples of each corpus" in (tmp_path / "MODEL_CARD.md").read_text()
    cfg["training"]["per_corpus"] = 2000
    write_card(tmp_path, cfg)
    assert "at most 2000 examples of each corpus" in (tmp_path / "MODEL_CARD.md").read_text()


def test_a_stance_card_names_the_same_corpus_off_topic_pairs_only_when_trained_with_them(tmp_path):
    from models.card import write_card
    from models.classifiers import shipped_dir

    cfg = json.loads((shipped_dir("stance") / "config.json").read_text(encoding="utf-8"))
    cfg["training"].pop("same_corpus", None)
    cfg["training"].pop("same_corpus_from", None)
    write_card(tmp_path, cfg)
    assert "another target of their own corpus" not in (tmp_path / "MODEL_CARD.md").read_text()
    cfg["training"]["same_corpus"] = 200
    write_card(tmp_path, cfg)
    assert "200 texts of each of emergent, perspectrum" in (tmp_path / "MODEL_CARD.md").read_text()
    cfg["training"]["same_corpus_from"] = ["emergent"]
    write_card(tmp_path, cfg)
    assert "200 texts of emergent paired with another target" in (tmp_path / "MODEL_CARD.md").read_text()


def test_train_cli_base_and_length_flags_override_the_recipe(tmp_path, monkeypatch, capsys):
    """`python -m models.train --base minilm --max-length N` trains the sentiment recipe on MiniLM at N word
    pieces (how stance-on-MPNet and stance-at-128 were run)."""
    from models.train import main

    _newsmtsc(tmp_path / "data")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_BASE_ENCODER", str(build_tiny_encoder(tmp_path / "base")))
    assert main(["--task", "sentiment", "--base", "minilm", "--epochs", "1", "--limit", "16", "--max-length", "24",
                 "--out", str(tmp_path / "m")]) == 0
    cfg = json.loads((tmp_path / "m" / "config.json").read_text())
    assert cfg["base_model"]["name"] == "sentence-transformers/all-MiniLM-L6-v2" and cfg["name"] == "minilm-lora-sentiment"
    assert cfg["training"]["max_length"] == 24 and cfg["max_length"] == 24
    assert main(["--task", "sentiment", "--max-length", "4", "--out", str(tmp_path / "x")]) == 2
    assert "--max-length must be at least 8" in capsys.readouterr().err and not (tmp_path / "x").exists()
    with pytest.raises(SystemExit):
        main(["--task", "sentiment", "--base", "bert"])
    assert "invalid choice: 'bert'" in capsys.readouterr().err


def test_shipped_weights_stay_within_the_20_mb_budget():
    """Everything committed under models/ in safetensors fits the issue's 20 MB (both adapters and heads)."""
    from pathlib import Path

    import models

    files = sorted(Path(models.__file__).parent.rglob("*.safetensors"))
    assert {f.parent.name for f in files} == {"sentiment", "stance"}
    assert sum(f.stat().st_size for f in files) <= 20_000_000


def _multi_root(tmp_path):
    """Every stance corpus of the multi recipe in the shared layout; one ARC post is also a VAST dev comment."""
    rows = [(f"comment {i}", f"topic {i % 4}", ["favor", "against", "none"][i % 3], f"a{i % 4}") for i in range(30)]
    _stance_root(tmp_path, [("text", "target", "label", "arc_id"), *rows])
    for name in ("perspectrum", "ibm_argkp"):
        for split, n in (("train", 40), ("dev", 6)):
            _csv(tmp_path / name / f"{split}.csv", ["target", "text", "label"],
                 [[f"{name} motion {i % 3}", f"{name} {split} argument {i}", ["favor", "against"][i % 2]]
                  for i in range(n)])
    _csv(tmp_path / "ibm_claim_stance" / "train.csv", ["topic_id", "target", "text", "label"],
         [[f"t{i % 10}", f"motion {i % 10}", f"claim {i}", ["favor", "against"][i % 2]] for i in range(60)])
    arc = [[f"claim {i % 10}", f"post {i}", ["favor", "against", "none", "unrelated", "unrelated"][i % 5]]
           for i in range(100)]
    arc.append(["claim 0", "dev comment", "favor"])  # an NYT comment that VAST dev holds too
    _csv(tmp_path / "arc_ukp" / "train.csv", ["target", "text", "label"], arc)


def test_multi_corpus_recipe_balances_corpora_and_never_trains_on_a_dev_text(tmp_path, monkeypatch):
    from collections import Counter

    from models.recipes import recipe_data, selection_score

    _multi_root(tmp_path)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    train, devs, names, combiner = recipe_data("stance", 13, recipe="multi", per_corpus=8)
    assert {"perspectrum_dev", "ibm_argkp_dev", "ibm_claim_stance_dev", "arc_dev", "arc_unrelated_dev", "vast_dev",
            "semeval_val", "gwsd_dev", "emergent_dev"} == set(devs)
    assert {"perspectrum", "ibm_argkp", "ibm_claim_stance", "arc"} <= set(names)
    dev_texts = {e.text for rows in devs.values() for e in rows}
    assert not dev_texts & {e.text for e in train}
    assert not dev_texts & {e.text for e in combiner.examples}
    # balanced: no corpus gives more than per_corpus related examples, whatever its size
    kinds = Counter(e.text.split()[0] for e in train if e.label != "neutral")
    assert kinds["perspectrum"] == 8 and kinds["ibm_argkp"] == 8 and kinds["claim"] == 8 and kinds["post"] <= 8
    # ARC's unrelated pairs are neutral, in training and in their own dev set
    assert all(e.label == "neutral" for e in devs["arc_unrelated_dev"]) and devs["arc_unrelated_dev"]
    # dev topics of the corpora split by topic are unseen in training
    assert not {e.target for e in devs["ibm_claim_stance_dev"]} & {e.target for e in train if e.text.startswith("claim")}
    # off-topic pairs: a text paired with another corpus's target, labelled neutral
    own = {e.text: e.target for e in train if e.label != "neutral"}
    swapped = [e for e in train if e.text in own and e.target != own[e.text]]
    assert swapped and all(e.label == "neutral" for e in swapped)
    assert recipe_data("stance", 13, recipe="multi", per_corpus=8)[0] == train  # seeded
    # chosen on the mean of each dev set's own score: F_avg for two-class sets, the neutral share for off-topic pairs
    metrics = {"perspectrum_dev": {"f_avg": 0.8, "macro_f1": 0.5}, "arc_unrelated_dev": {"accuracy": 0.9, "macro_f1": 0.3},
               "arc_dev": {"macro_f1": 0.4}}
    assert selection_score(metrics) == pytest.approx((0.8 + 0.9 + 0.4) / 3)


def test_multi_recipe_can_leave_named_corpora_uncapped(tmp_path, monkeypatch):
    from collections import Counter

    from models.recipes import recipe_data

    _multi_root(tmp_path)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    capped = recipe_data("stance", 13, recipe="multi", per_corpus=8)[0]
    whole = recipe_data("stance", 13, recipe="multi", per_corpus=8, uncapped=("perspectrum",))[0]
    count = Counter(e.text.split()[0] for e in whole if e.label != "neutral")
    assert count["perspectrum"] == 40 and count["ibm_argkp"] == 8  # all 40 train rows; the others still capped
    # the other corpora's samples are the same (the off-topic pairs are redrawn from the larger pools)
    assert {e for e in capped if e.label != "neutral" and not e.text.startswith("perspectrum")} <= set(whole)
    with pytest.raises(DataError, match="unknown stance corpus 'tweets'"):
        recipe_data("stance", 13, recipe="multi", uncapped=("tweets",))


def test_an_order_seed_changes_the_training_randomness_only_and_is_recorded(tmp_path):
    """--order-seed: runs that share --seed (and so their data and dev splits) but differ in batch order/init."""
    from safetensors.torch import load_file

    from models.training import train_new

    base = build_tiny_encoder(tmp_path / "base")
    ex = [Example("good", "x", "positive"), Example("bad", "x", "negative"), Example("the", None, "neutral")] * 4
    hyper = {"epochs": 1, "max_length": 16, "lora": {"r": 4, "alpha": 8}}

    def run(name, **seeds):
        cfg = train_new("sentiment", ex, {}, tmp_path / name, base_path=base, hyper=hyper, **seeds)
        return cfg["training"], load_file(str(tmp_path / name / "adapter.safetensors"))

    plain, plain_w = run("plain", seed=13)
    same, same_w = run("same", seed=13, order_seed=13)
    other, other_w = run("other", seed=13, order_seed=14)
    assert "order_seed" not in plain and same["order_seed"] == 13 and other == {**other, "seed": 13, "order_seed": 14}
    assert all((same_w[k] == plain_w[k]).all() for k in plain_w)  # the order seed is the seed unless given
    assert any(not (other_w[k] == plain_w[k]).all() for k in plain_w)
