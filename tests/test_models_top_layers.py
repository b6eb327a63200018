"""LoRA on the top layers only, trained on cached states of the frozen bottom (models/top_layers.py)."""

import json

import numpy as np
import pytest

from models.errors import ModelError
from models.testing import build_tiny_encoder

LABELS = ["favor", "against", "neutral"]
@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    # 3 layers, so "top" (layers 1-2) and "bottom" (layer 0) are both real
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_base3"), layers=3)


def _model(tiny_base, layers):
    from models.modeling import build_trainable

    return build_trainable(tiny_base, LABELS, {"r": 4, "alpha": 8, "layers": layers})


def test_frozen_bottom_counts_layers_without_trainable_parameters(tiny_base):
    from models.modeling import build_trainable
    from models.top_layers import frozen_bottom

    assert frozen_bottom(build_trainable(tiny_base, LABELS, {"r": 4, "alpha": 8})) == 0
    assert frozen_bottom(_model(tiny_base, [1, 2])) == 1
    assert frozen_bottom(_model(tiny_base, [2])) == 2
    m = _model(tiny_base, [2])
    m.get_base_model().bert.embeddings.word_embeddings.weight.requires_grad = True
    assert frozen_bottom(m) == 0  # trainable embeddings: nothing below the top is fixed


def test_layers_must_exist(tiny_base):
    with pytest.raises(ModelError, match=r"do not exist in a 3-layer"):
        _model(tiny_base, [3])
    with pytest.raises(ModelError, match="layer numbers"):
        _model(tiny_base, ["top"])


def test_a_recipes_top_layers_become_that_bases_layer_numbers(tiny_base):
    from models.modeling import build_trainable, resolve_lora
    from models.top_layers import frozen_bottom

    assert resolve_lora({"top_layers": 4}, 12) == {"r": 16, "alpha": 32, "dropout": 0.1, "layers": [8, 9, 10, 11]}
    assert resolve_lora({"top_layers": 4}, 3)["layers"] == [0, 1, 2]  # a shallower base: every layer
    assert "layers" not in resolve_lora({"r": 8}, 12)
    with pytest.raises(ModelError, match="top_layers must be a positive"):
        resolve_lora({"top_layers": 0}, 12)
    assert frozen_bottom(build_trainable(tiny_base, LABELS, {"r": 4, "alpha": 8, "top_layers": 2})) == 1
    assert frozen_bottom(build_trainable(tiny_base, LABELS, {"r": 4, "alpha": 8, "top_layers": 3})) == 0


def test_top_layers_on_cached_states_give_the_full_forward_pass(tiny_base):
    """Same logits as the whole model, whatever the padding of the batches the states came from."""
    import torch

    from models.encoder import load_tokenizer
    from models.inputs import collate, tokenize_pairs
    from models.top_layers import bottom_states, top_only
    from models.trainer import sorted_batches

    model = _model(tiny_base, [1, 2])
    with torch.no_grad():  # LoRA B starts at zero: make the adapters matter for the comparison
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.5)
    model.eval()
    tok = load_tokenizer(tiny_base)
    texts = ["we support it", "the law is a terrible failure for people today", "no", "he said it"]
    enc = tokenize_pairs(tok, texts, ["tax law", "tax law", None, "tax"], 32)
    with torch.inference_mode():
        full = model(**collate(enc, tok.pad_token_id, "cpu")).logits
    states = bottom_states(model, sorted_batches(enc, tok.pad_token_id, "cpu", batch_size=3), 1)
    assert [s.shape[0] for s in states] == [len(e["input_ids"]) for e in enc]
    with torch.inference_mode(), top_only(model, 1) as top:
        cut = top([states[i] for i in (2, 0, 3, 1)]).logits
    np.testing.assert_allclose(cut.numpy(), full[[2, 0, 3, 1]].numpy(), atol=1e-5)
    # the model is whole again afterwards: all its layers, its embeddings, its parameters
    inner = model.get_base_model().bert
    assert len(inner.encoder.layer) == 3 and type(inner.embeddings).__name__ == "BertEmbeddings"
    assert "base_model.model.bert.embeddings.word_embeddings.weight" in model.state_dict()


def test_training_the_top_layers_learns_and_saves_a_loadable_model(tiny_base, tmp_path):
    from safetensors.torch import load_file

    from models.classifiers import load_classifier
    from models.training import train_new

    from .test_models_api import NEG, POS, toy_examples

    cfg = train_new("sentiment", toy_examples(4), {"toy_dev": toy_examples(1)}, tmp_path / "m", seed=3,
                    base_path=tiny_base, hyper={"epochs": 15, "lr": 1e-2, "batch_size": 8, "max_length": 32,
                                                "lora": {"r": 16, "alpha": 32, "layers": [1, 2]}})
    assert cfg["training"]["cached_frozen_layers"] == 1
    assert json.loads((tmp_path / "m" / "config.json").read_text())["lora"]["layers"] == [1, 2]
    adapter = load_file(str(tmp_path / "m" / "adapter.safetensors"))
    assert adapter and all(".layer.1." in k or ".layer.2." in k for k in adapter)
    assert cfg["dev_metrics"]["toy_dev"]["macro_f1"] >= 0.8  # it learned, through the cached path
    clf = load_classifier("sentiment", tmp_path / "m", base_path=tiny_base)
    got = [p.label for p in clf.predict(POS + NEG, ["law"] * 5 + ["president"] * 5)]
    assert got == ["positive"] * 5 + ["negative"] * 5


def test_cli_lora_top_checks_its_range(capsys):
    from models.train import main

    assert main(["--task", "stance", "--lora-top", "0", "--out", "/nonexistent"]) == 2
    assert "--lora-top must be at least 1" in capsys.readouterr().err


def test_relatedness_int8_keeps_the_layers_the_block_names(tiny_base):
    from models.encoder import load_tokenizer
    from models.relatedness import load_relatedness

    block = {"max_length": 32, "int8_on_cpu": True, "int8_keep_fp32": [r"layer\.\d+\.output\.dense$"]}
    rel = load_relatedness(block, load_tokenizer(tiny_base), "cpu", base_path=tiny_base)
    fp32 = {n for n, m in rel._model.named_modules()
            if type(m).__name__ == "Linear" and "quantized" not in type(m).__module__}
    assert fp32 == {f"encoder.layer.{i}.output.dense" for i in range(3)}
