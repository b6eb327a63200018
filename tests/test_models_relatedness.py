"""Stance relatedness: the combiner, its place in Classifier.logits, training and the recipe."""

import csv
import json

import numpy as np
import pytest

from models.data import CombinerSet, Example
from models.relatedness import combine, fit_combiner, unrelated_threshold
from models.testing import build_tiny_encoder

FAVOR = ["we support the tax bill", "i love this law", "a great law , vote for it", "good policy , support it"]
AGAINST = ["we oppose the tax bill", "i hate this law", "a terrible law , vote against it", "bad policy , oppose it"]
OFF_TOPIC = ["the meeting was today", "she said it was fine", "they will vote today", "the report"]


def stance_examples(k=3):
    ex = []
    for _ in range(k):
        ex += [Example(t, "tax law", "favor") for t in FAVOR]
        ex += [Example(t, "tax law", "against") for t in AGAINST]
        ex += [Example(t, "tax law", "neutral") for t in OFF_TOPIC]
    return ex


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_base_rel"))


@pytest.fixture(scope="module")
def stance_model(tiny_base, tmp_path_factory):
    from models.training import train_new

    out = tmp_path_factory.mktemp("tiny_stance")
    cfg = train_new("stance", stance_examples(3), {"toy_dev": stance_examples(1)}, out, seed=5, base_path=tiny_base,
                    hyper={"epochs": 4, "lr": 1e-2, "batch_size": 8, "max_length": 32},
                    combiner_set=CombinerSet(stance_examples(2), stance_examples(2)[-4:]))
    return out, cfg


def test_fit_combiner_learns_that_unrelated_means_neutral():
    rng = np.random.default_rng(0)
    n = 600
    gold = rng.integers(0, 3, n)
    logits = rng.normal(0, 1, (n, 3))
    logits[np.arange(n), gold] += 1.0  # the cross-encoder is somewhat right...
    cosine = np.where(gold == 2, rng.normal(0.0, 0.05, n), rng.normal(0.45, 0.1, n))  # ...relatedness decides neutral
    tau = unrelated_threshold(cosine[gold == 2])
    assert 0.05 < tau < 0.15
    comb = fit_combiner(logits, cosine, gold, tau)
    assert comb["features"] == "logits+unrelatedness" and comb["tau"] == tau
    w = np.asarray(comb["weight"])
    assert w.shape == (3, 4) and w[2, 3] > w[0, 3] and w[2, 3] > w[1, 3]  # unrelatedness pushes toward neutral
    before = (logits.argmax(1) == gold).mean()
    after = (combine(logits, cosine, comb).argmax(1) == gold).mean()
    assert after > before + 0.05


def test_related_pairs_feel_only_the_affine_part():
    """Above tau the unrelatedness feature is 0: cosine 0.5 and 0.9 give the same logits."""
    comb = {"features": "logits+unrelatedness", "tau": 0.2, "weight": np.c_[np.eye(3), [0.0, 0.0, 10.0]].tolist(),
            "bias": [0.0, 0.0, 0.0]}
    logits = np.array([[2.0, 0.0, 0.0], [2.0, 0.0, 0.0], [2.0, 0.0, 0.0]])
    out = combine(logits, np.array([0.5, 0.9, -0.2]), comb)
    np.testing.assert_allclose(out[0], logits[0])
    np.testing.assert_allclose(out[1], logits[1])
    assert out[2].argmax() == 2  # far below tau: neutral wins
    with pytest.raises(ValueError, match="known-unrelated"):
        unrelated_threshold(np.array([]))


def test_fit_combiner_class_weight_moves_the_bias():
    rng = np.random.default_rng(1)
    gold = np.array([0] * 450 + [1] * 450 + [2] * 100)
    logits = rng.normal(0, 1, (len(gold), 3))
    cosine = rng.normal(0.3, 0.1, len(gold))  # uninformative
    plain = fit_combiner(logits, cosine, gold, 0.2)
    weighted = fit_combiner(logits, cosine, gold, 0.2, class_weight=len(gold) / (3 * np.bincount(gold)))
    assert weighted["bias"][2] - np.mean(weighted["bias"][:2]) > plain["bias"][2] - np.mean(plain["bias"][:2]) + 0.5


def test_training_writes_the_block_and_the_classifier_applies_it(stance_model, tiny_base):
    from models.classifiers import load_classifier

    out, cfg = stance_model
    saved = json.loads((out / "config.json").read_text())
    block = saved["relatedness"]
    assert block["fitted_on"]["n"] == len(stance_examples(2)) and block["pooling"] == "mean"
    assert block["fitted_on"]["unrelated_pairs"] == 4 and -1.0 <= block["combiner"]["tau"] <= 1.0
    assert block["fitted_on"]["per_label"] == {"favor": 8, "against": 8, "neutral": 8}
    clf = load_classifier("stance", out, base_path=tiny_base)
    texts = FAVOR + OFF_TOPIC + ["we support it"]
    targets = ["tax law"] * 8 + [None]
    cross = clf.cross_logits(texts, targets)
    cosine = clf.cosines(texts, targets)
    assert clf.has_relatedness
    assert cosine[-1] == 1.0 and np.all(np.abs(cosine[:-1]) <= 1.0 + 1e-5)
    np.testing.assert_allclose(clf.logits(texts, targets), combine(cross, cosine, block["combiner"]), rtol=1e-5,
                               atol=1e-5)
    probs = clf.predict(texts, targets)
    assert [max(p.probabilities, key=p.probabilities.get) for p in probs] == [p.label for p in probs]


def test_the_combiner_is_fitted_on_fp32_cosines_and_int8_stays_close(stance_model, tiny_base):
    """fp32 by default (int8's per-batch activation scale would make a label depend on its batch);
    the int8 pass stays available to the benchmarks and gives nearly the same cosines."""
    import torch

    from models.encoder import load_tokenizer
    from models.relatedness import RelatednessEncoder

    out, _ = stance_model
    assert json.loads((out / "config.json").read_text())["relatedness"]["int8_on_cpu"] is False
    tok = load_tokenizer(tiny_base)
    cpu = torch.device("cpu")
    int8 = RelatednessEncoder(tiny_base, tok, cpu, 32, int8_on_cpu=True)
    fp32 = RelatednessEncoder(tiny_base, tok, cpu, 32)
    kinds = {type(m).__module__ for m in int8._model.modules()}
    assert any("quantized" in k for k in kinds) and not any("quantized" in type(m).__module__ for m in fp32._model.modules())
    texts, targets = FAVOR + OFF_TOPIC, ["tax law"] * 8
    np.testing.assert_allclose(int8.cosine(texts, targets), fp32.cosine(texts, targets), atol=0.05)


def test_a_pair_gets_the_same_logits_alone_and_in_any_batch(stance_model, tiny_base):
    from models.classifiers import load_classifier

    out, _ = stance_model
    clf = load_classifier("stance", out, base_path=tiny_base)
    texts, targets = FAVOR + OFF_TOPIC + ["ok"], ["tax law"] * 8 + [None]
    alone = clf.logits(texts, targets, batch_size=1)
    for batch_size in (2, 4, len(texts)):
        np.testing.assert_allclose(clf.logits(texts, targets, batch_size=batch_size), alone, atol=1e-5)


def test_a_model_without_the_block_uses_cross_logits_only(stance_model, tiny_base, tmp_path):
    import shutil

    from models.classifiers import load_classifier

    out, _ = stance_model
    plain = tmp_path / "plain"
    shutil.copytree(out, plain)
    cfg = json.loads((plain / "config.json").read_text())
    del cfg["relatedness"]
    (plain / "config.json").write_text(json.dumps(cfg))
    clf = load_classifier("stance", plain, base_path=tiny_base)
    texts, targets = FAVOR, ["tax law"] * len(FAVOR)
    np.testing.assert_array_equal(clf.logits(texts, targets), clf.cross_logits(texts, targets))
    assert not clf.has_relatedness
    with pytest.raises(ValueError, match="has no relatedness pass"):
        clf.cosines(texts, targets)


def test_finetuned_child_keeps_the_parents_combiner(stance_model, tiny_base, tmp_path):
    from models.training import finetune

    out, cfg = stance_model
    meta = finetune("stance", stance_examples(2), tmp_path / "child", parent=out, base_path=tiny_base, epochs=1)
    assert meta["relatedness"]["combiner"] == cfg["relatedness"]["combiner"]
    assert meta["dev_metrics"]["heldback"]["n"] > 0


def test_refit_changes_only_the_combiner(stance_model, tiny_base):
    from models.train_relatedness import refit_relatedness

    out, cfg = stance_model
    before = (out / "adapter.safetensors").read_bytes()
    new = refit_relatedness(out, CombinerSet(stance_examples(1), stance_examples(1)[-3:]), {"toy_dev": stance_examples(1)},
                            base_path=tiny_base)
    assert new["relatedness"]["fitted_on"]["n"] == len(stance_examples(1))
    assert set(new["dev_metrics"]) == {"toy_dev"} and new["training"] == cfg["training"]
    assert (out / "adapter.safetensors").read_bytes() == before


def test_refit_can_move_the_length_the_model_reads(stance_model, tiny_base, tmp_path):
    """How stance 2.0.1 came from 2.0.0: the same weights read at 128 word pieces, combiner and temperature
    refitted on logits read so, the trained length kept on record."""
    import shutil

    from models.train_relatedness import refit_relatedness

    out = tmp_path / "copy"
    shutil.copytree(stance_model[0], out)
    new = refit_relatedness(out, CombinerSet(stance_examples(1), stance_examples(1)[-3:]), {"toy_dev": stance_examples(1)},
                            base_path=tiny_base, max_length=20)
    assert new["max_length"] == 20 and new["training"]["max_length"] == 32
    again = refit_relatedness(out, CombinerSet(stance_examples(1), stance_examples(1)[-3:]), {"toy_dev": stance_examples(1)},
                              base_path=tiny_base)
    assert again["max_length"] == stance_model[1]["max_length"]  # no length given: as its config says


def _write_vast_train(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["text", "target", "label", "arc_id"])
        w.writerows(rows)


def test_combiner_data_never_reuses_trained_comments_and_pairs_across_articles(tmp_path, monkeypatch):
    from models.recipes import stance_combiner_data

    (tmp_path / "vast_train").mkdir()
    rows = []
    for a in range(6):
        for c in range(5):
            text = f"comment {c} on article {a}"
            rows.append([text, f"topic {a}", ["favor", "against"][c % 2], f"arc{a}"])
            rows.append([text, f"other {a}", "none", f"arc{a}"])
    _write_vast_train(tmp_path / "vast_train" / "train.csv", rows)
    _write_news(tmp_path)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    trained = [Example(f"comment {c} on article 0", "topic 0", "favor") for c in range(5)]
    combiner_set = stance_combiner_data(13, trained, held_max=40, unrelated=10)
    out = combiner_set.examples
    assert len(combiner_set.unrelated) == 10 and all(u in out for u in combiner_set.unrelated)
    trained_texts = {e.text for e in trained}
    assert out and not any(e.text in trained_texts for e in out)
    article = {r[0]: r[3] for r in rows}
    own_topics = {(r[0], r[1]) for r in rows}
    vast_out = [e for e in out if e.text in article]
    news = [e for e in out if e.text not in article]
    assert news and all(e.text.startswith(("sentence", "headline")) for e in news)  # the news combiner slices
    synthetic = [e for e in vast_out if (e.text, e.target) not in own_topics]
    assert len(synthetic) == 10 and all(e.label == "neutral" for e in synthetic)
    assert all(e.target.split()[-1] != article[e.text][3:] for e in synthetic)  # topic from another article
    assert stance_combiner_data(13, trained, held_max=40, unrelated=10) == combiner_set  # seeded
    assert sorted(synthetic, key=repr) == sorted(combiner_set.unrelated, key=repr)


def _write_news(root):
    (root / "gwsd_desmog").mkdir()
    (root / "emergent").mkdir()
    with open(root / "gwsd_desmog" / "train.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["split", "guid", "target", "text", "label"])
        for i in range(40):
            w.writerow(["train", f"g{i}", "global warming is a serious concern", f"sentence {i} says it",
                        ["favor", "against", "none"][i % 3]])
    with open(root / "emergent" / "all.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["split", "claim_id", "article_id", "target", "text", "label"])
        for claim in range(20):
            for a in range(3):
                w.writerow(["unsplit", f"c{claim}", f"a{claim}.{a}", f"claim {claim}", f"headline {a} on {claim}",
                            ["favor", "against", "none"][a]])


def test_news_splits_keep_each_claim_on_one_side(tmp_path, monkeypatch):
    from models.recipes import news_stance_splits

    _write_news(tmp_path)
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path))
    splits = news_stance_splits(13)
    assert splits == news_stance_splits(13)
    for name, n in (("gwsd", 40), ("emergent", 60)):
        parts = splits[name]
        assert sum(len(v) for v in parts.values()) == n
        assert {e.label for v in parts.values() for e in v} == {"favor", "against", "neutral"}
        assert len(parts["train"]) > len(parts["combiner"]) > 0 and len(parts["dev"]) > 0
    claims = {k: {e.target for e in v} for k, v in splits["emergent"].items()}
    assert not (claims["train"] & claims["dev"]) and not (claims["train"] & claims["combiner"])
    assert not (claims["combiner"] & claims["dev"])


def test_news_reader_names_file_and_line_of_a_bad_label(tmp_path):
    from models.data import read_news_stance
    from models.errors import DataError

    f = tmp_path / "n.csv"
    f.write_text("text,target,label\nit is fine,the plan,favor\nit is bad,the plan,maybe\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"n\.csv:3: unknown label 'maybe'"):
        read_news_stance(f)


_EMBED_IN_A_FRESH_PROCESS = """
import json, random, sys
import torch
from models.encoder import load_tokenizer
from models.relatedness import RelatednessEncoder

base = sys.argv[1]
rng = random.Random(0)
# many texts of one character length but different word pieces: only the tie-break decides their batches
texts = ["".join(rng.choice("abcdefgh ") for _ in range(24)) for _ in range(40)]
rel = RelatednessEncoder(base, load_tokenizer(base), torch.device("cpu"), 32, int8_on_cpu=True)
print(json.dumps(rel.embed(texts, batch_size=4).round(6).tolist()))
"""


def test_int8_relatedness_does_not_depend_on_the_hash_seed(tiny_base):
    """Dynamic int8 scales activations per batch, so batches must be formed the same way in every process."""
    import os
    import subprocess
    import sys

    outs = [subprocess.run([sys.executable, "-c", _EMBED_IN_A_FRESH_PROCESS, str(tiny_base)], check=True,
                           capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2")]
    assert outs[0] and outs[0] == outs[1]


def test_the_relatedness_pass_can_use_another_base_encoder_with_its_own_tokenizer(tiny_base, tmp_path):
    """Stance on MPNet takes its cosine from MiniLM (recipe `relatedness_base`): the block names that encoder,
    the recipe key stays out of the training record, and loading uses that encoder's own tokenizer."""
    import torch

    from models.classifiers import load_classifier
    from models.encoder import MINILM, MPNET
    from models.relatedness import load_relatedness
    from models.training import train_new

    cfg = train_new("stance", stance_examples(2), {"toy_dev": stance_examples(1)}, tmp_path / "m", seed=5,
                    base_path=tiny_base, hyper={"epochs": 2, "lr": 1e-2, "batch_size": 8, "max_length": 32,
                                                "base": MPNET.name, "relatedness_base": MINILM.name},
                    combiner_set=CombinerSet(stance_examples(2), stance_examples(2)[-4:]))
    assert cfg["relatedness"]["encoder"] == MINILM.name and "relatedness_base" not in cfg["training"]
    assert cfg["base_model"]["name"] == MPNET.name
    # another encoder than the model's base: its own tokenizer, whatever the caller passes
    callers = object()
    rel = load_relatedness(cfg["relatedness"], callers, torch.device("cpu"), base_path=tiny_base, base_name=MPNET.name)
    assert rel._tokenizer is not callers and rel.cosine(["we support the tax bill"], ["tax law"]).shape == (1,)
    same = load_relatedness({**cfg["relatedness"], "encoder": MPNET.name}, callers, torch.device("cpu"),
                            base_path=tiny_base, base_name=MPNET.name)
    assert same._tokenizer is callers  # the model's own base: the model's tokenizer
    clf = load_classifier("stance", tmp_path / "m", base_path=tiny_base)
    assert len(clf.predict(FAVOR, ["tax law"] * len(FAVOR))) == len(FAVOR)
