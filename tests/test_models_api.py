"""models/: API behaviour with a tiny locally built encoder (fast, no download)."""

import dataclasses
import json
import socket
import subprocess
import sys

import pytest

from models.data import Example  # noqa: E402
from models.errors import DataError, ModelError  # noqa: E402
from models.testing import build_tiny_encoder  # noqa: E402
from models.shipped import SHIPPED_VERSION  # noqa: E402

POS = ["this is good", "a great success", "wonderful , i love it", "very good policy", "great law"]
NEG = ["this is bad", "a terrible failure", "awful , i hate it", "very bad policy", "a disaster"]
NEU = ["the meeting was today", "he said it", "the report", "they will vote today", "she says the bill"]


def toy_examples(k=3):
    ex = []
    for _ in range(k):
        ex += [Example(t, "law", "positive") for t in POS]
        ex += [Example(t, "president", "negative") for t in NEG]
        ex += [Example(t, None, "neutral") for t in NEU]
    return ex


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_base"))


@pytest.fixture(scope="module")
def tiny_model(tiny_base, tmp_path_factory):
    from models.training import train_new

    out = tmp_path_factory.mktemp("tiny_model")
    dev = {"toy_dev": toy_examples(1)}
    train_new("sentiment", toy_examples(4), dev, out, seed=3, base_path=tiny_base,
              # the toy encoder is 32 wide: keep LoRA below full rank, whatever the shipped recipe uses
              hyper={"epochs": 15, "lr": 1e-2, "batch_size": 8, "max_length": 32, "lora": {"r": 16, "alpha": 32}})
    return out


def test_import_is_cheap():
    code = (
        "import sys, models, models.registry, models.errors, models.data;"
        "heavy=[m for m in ('torch','transformers','peft','numpy','textual','rich','db','workbench') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_model_dir_layout_and_config(tiny_model):
    names = sorted(p.name for p in tiny_model.iterdir())
    assert names == ["adapter.safetensors", "config.json", "head.safetensors"]
    cfg = json.loads((tiny_model / "config.json").read_text())
    assert cfg["labels"] == ["positive", "negative", "neutral"]
    assert cfg["id2label"] == {"0": "positive", "1": "negative", "2": "neutral"}
    assert cfg["temperature"] > 0 and len(cfg["base_model"]["sha256"]) == 64
    assert set(cfg["dev_metrics"]["toy_dev"]) >= {"macro_f1", "per_class", "confusion", "ece"}


def test_predict_learns_and_keeps_order(tiny_model, tiny_base):
    from models.classifiers import Prediction, load_classifier

    clf = load_classifier("sentiment", tiny_model, base_path=tiny_base)
    assert (clf.task, clf.name, clf.version) == ("sentiment", "mpnet-lora-sentiment", SHIPPED_VERSION["sentiment"])
    assert clf.labels == ("positive", "negative", "neutral")
    # mixed lengths so length-sorting reorders internally; results must come back in input order
    texts = ["a disaster", "wonderful , i love it", "the report", "this is bad"]
    targets = ["president", "law", None, "president"]
    preds = clf.predict(texts, targets, batch_size=2)
    assert all(isinstance(p, Prediction) for p in preds)
    assert [p.label for p in preds] == ["negative", "positive", "neutral", "negative"]
    for p in preds:
        assert set(p.probabilities) == set(clf.labels)
        assert abs(sum(p.probabilities.values()) - 1) < 1e-6
        assert p.label == max(p.probabilities, key=p.probabilities.get)
    # batch size must not change results
    again = clf.predict(texts, targets, batch_size=32)
    for a, b in zip(preds, again):
        assert a.label == b.label and abs(a.probabilities["positive"] - b.probabilities["positive"]) < 1e-5
    assert clf.predict([], []) == []
    with pytest.raises(ValueError):
        clf.predict(["one"], [])


def test_no_network_while_loading_and_predicting(tiny_model, tiny_base, monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from models.classifiers import load_classifier

    clf = load_classifier("sentiment", tiny_model, base_path=tiny_base)
    assert len(clf.predict(["great law"], ["law"])) == 1


def test_missing_and_corrupt_files_raise_model_error(tiny_model, tiny_base, tmp_path):
    import shutil

    from models.classifiers import load_classifier

    with pytest.raises(ModelError, match="not found"):
        load_classifier("sentiment", tmp_path / "nope", base_path=tiny_base)
    broken = tmp_path / "broken"
    shutil.copytree(tiny_model, broken)
    (broken / "head.safetensors").unlink()
    with pytest.raises(ModelError, match="head.safetensors"):
        load_classifier("sentiment", broken, base_path=tiny_base)
    (broken / "head.safetensors").write_bytes(b"\x00garbage")
    with pytest.raises(ModelError, match="corrupt"):
        load_classifier("sentiment", broken, base_path=tiny_base)
    (broken / "config.json").write_text("{not json")
    with pytest.raises(ModelError, match="config"):
        load_classifier("sentiment", broken, base_path=tiny_base)
    with pytest.raises(ModelError, match="not stance"):
        load_classifier("stance", tiny_model, base_path=tiny_base)
    with pytest.raises(ModelError, match="unknown task"):
        load_classifier("emotion", tiny_model, base_path=tiny_base)


def test_message_is_one_line_for_wrong_base(tiny_model, tmp_path):
    from models.classifiers import load_classifier

    other = build_tiny_encoder(tmp_path / "other", seed=1)  # same shapes, different weights
    with pytest.raises(ModelError) as err:
        load_classifier("sentiment", tiny_model, base_path=other)
    assert "trained on base weights" in str(err.value) and "\n" not in str(err.value)


def test_packaged_encoder_hash_is_checked(monkeypatch, tmp_path):
    import models.encoder as enc

    monkeypatch.delenv(enc.ENV_BASE, raising=False)
    monkeypatch.setitem(enc.BASES, enc.MINILM.name, dataclasses.replace(enc.MINILM, sha256="0" * 64))
    with pytest.raises(ModelError, match="sha256"):
        enc.base_encoder_dir()
    with pytest.raises(ModelError, match="not found"):
        enc.base_encoder_dir(tmp_path)


def test_finetune_from_parent_and_registry(tiny_model, tiny_base, tmp_path):
    from models.classifiers import load_classifier
    from models.registry import active_version, list_versions, set_active
    from models.training import finetune

    calls = []
    ex = toy_examples(3)  # 45 examples, like a batch of annotator decisions
    store = tmp_path / "store"
    meta = finetune("sentiment", ex, store / "ft1", parent=tiny_model, seed=5, base_path=tiny_base,
                    progress=lambda done, total, msg: calls.append((done, total)))
    shipped = SHIPPED_VERSION["sentiment"]
    assert meta["parent"]["version"] == shipped and meta["version"].startswith(shipped + "+ft.")
    assert len(meta["training_set_sha256"]) == 64
    assert meta["training"]["n_dev"] == 9 and meta["training"]["n_train"] == 36
    assert "heldback" in meta["dev_metrics"]
    assert calls and calls[-1][0] == calls[-1][1]
    clf = load_classifier("sentiment", store / "ft1", base_path=tiny_base)
    assert clf.version == meta["version"]
    assert clf.predict(["a terrible failure"], ["president"])[0].label == "negative"

    # registry: shipped is the default, the fine-tuned version can be activated
    versions = list_versions(store)
    mine = [v for v in versions if not v["shipped"]]
    assert [v["version"] for v in mine] == [meta["version"]]
    assert mine[0]["parent"] == SHIPPED_VERSION["sentiment"] and mine[0]["active"] is False
    set_active(store, "sentiment", meta["version"])
    assert active_version(store, "sentiment")["version"] == meta["version"]
    assert json.loads((store / "registry.json").read_text())["active"]["sentiment"] == meta["version"]
    with pytest.raises(ModelError, match="no sentiment model version"):
        set_active(store, "sentiment", "9.9.9")


def test_finetune_rejects_bad_examples(tiny_model, tiny_base, tmp_path):
    from models.training import finetune

    with pytest.raises(DataError, match="label 'favor'"):
        finetune("sentiment", [Example("x", None, "favor")], tmp_path / "x", parent=tiny_model, base_path=tiny_base)


def test_registry_lists_shipped_as_default(tmp_path):
    from models.classifiers import shipped_dir
    from models.registry import active_version, list_versions

    assert (shipped_dir("stance") / "config.json").is_file() and (shipped_dir("sentiment") / "config.json").is_file()
    versions = list_versions(tmp_path / "empty")
    assert {v["task"] for v in versions if v["shipped"]} == {"stance", "sentiment", "relatedness"}
    assert active_version(tmp_path / "empty", "stance")["shipped"] is True
    gate = active_version(tmp_path / "empty", "relatedness")  # the shipped gate.json
    assert gate["shipped"] is True and gate["path"].endswith("relatedness") and "all" in gate["dev_metrics"]


def test_target_marking():
    from models.inputs import mark_target

    assert mark_target("Senator Warren said no.", "Elizabeth Warren") == "Senator «Warren» said no."
    assert mark_target("Trump and Trumpism", "trump") == "«Trump» and Trumpism"
    assert mark_target("I will never support it", "the bill") == "I will never support it"
    assert mark_target("no target here", None) == "no target here"


def test_overlong_target_is_truncated_not_fatal(tiny_model, tiny_base):
    from models.classifiers import load_classifier

    clf = load_classifier("sentiment", tiny_model, base_path=tiny_base)
    long_target = " ".join(["xylophonezq"] * 24)  # many word pieces each in the tiny vocab
    preds = clf.predict(["great law " * 30, "bad"], [long_target, "law"])
    assert len(preds) == 2


def test_config_picks_the_int8_scheme(tiny_model, tiny_base, tmp_path):
    """quantized + quantization in config.json decide the inference path; per channel keeps one scale per row."""
    import shutil

    import torch

    from models.classifiers import load_classifier
    from models.errors import ModelError

    copy = tmp_path / "m"
    shutil.copytree(tiny_model, copy)
    cfg = json.loads((copy / "config.json").read_text())
    texts, targets = ["a disaster", "wonderful , i love it", "the report"], ["president", "law", None]
    fp32 = load_classifier("sentiment", copy, base_path=tiny_base)
    schemes = {}
    for scheme in ("per_tensor", "per_channel"):
        (copy / "config.json").write_text(json.dumps({**cfg, "quantized": True, "quantization": scheme}))
        clf = load_classifier("sentiment", copy, base_path=tiny_base)
        layers = [m for m in clf._model.modules() if type(m).__name__ == "Linear" and "quantized" in type(m).__module__]
        assert layers, "no dynamic int8 Linear layers"
        schemes[scheme] = {layer.weight().qscheme() for layer in layers}
        # int8 moves the numbers a little, not the decisions on this toy set
        assert [p.label for p in clf.predict(texts, targets)] == [p.label for p in fp32.predict(texts, targets)]
    assert schemes == {"per_tensor": {torch.per_tensor_affine}, "per_channel": {torch.per_channel_affine}}
    (copy / "config.json").write_text(json.dumps({**cfg, "quantized": True, "quantization": "per_row"}))
    with pytest.raises(ModelError, match="unknown quantization 'per_row'"):
        load_classifier("sentiment", copy, base_path=tiny_base)


def test_config_keeps_named_layers_in_fp32(tiny_model, tiny_base, tmp_path):
    """quantization_keep_fp32 leaves the Linear layers it names (regexes) unquantized, and only those."""
    import shutil

    from models.classifiers import load_classifier
    from models.errors import ModelError

    copy = tmp_path / "m"
    shutil.copytree(tiny_model, copy)
    cfg = json.loads((copy / "config.json").read_text())
    keep = [r"layer\.\d+\.output\.dense$", r"^classifier$"]
    (copy / "config.json").write_text(json.dumps({**cfg, "quantized": True, "quantization": "per_channel",
                                                  "quantization_keep_fp32": keep}))
    clf = load_classifier("sentiment", copy, base_path=tiny_base)
    kinds = {name: "int8" if "quantized" in type(m).__module__ else "fp32"
             for name, m in clf._model.named_modules() if type(m).__name__ == "Linear"}
    assert {n for n, k in kinds.items() if k == "fp32"} == {
        "bert.encoder.layer.0.output.dense", "bert.encoder.layer.1.output.dense", "classifier"}
    assert "bert.encoder.layer.0.intermediate.dense" in kinds and "fp32" not in {
        kinds[n] for n in kinds if "attention" in n or "intermediate" in n or "pooler" in n}
    assert len(clf.predict(["a disaster"], ["president"])) == 1
    (copy / "config.json").write_text(json.dumps({**cfg, "quantized": True, "quantization_keep_fp32": ["("]}))
    with pytest.raises(ModelError, match="bad quantization_keep_fp32 pattern"):
        load_classifier("sentiment", copy, base_path=tiny_base)
