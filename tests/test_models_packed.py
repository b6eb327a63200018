"""The packed MPNet forward (models/packed.py) on a tiny, locally built MPNet classifier: same logits as
transformers' forward, and a statement's logits never depend on what shares its batch."""

from __future__ import annotations

import pytest
import torch

from models.encoder import batch_invariant_bf16, pick_precision
from models.errors import ModelError
from models.packed import PackedMPNet, supports

PAD = 1  # MPNet's padding id


@pytest.fixture(scope="module")
def tiny_mpnet():
    from transformers import MPNetConfig, MPNetForSequenceClassification

    torch.manual_seed(0)
    cfg = MPNetConfig(vocab_size=60, hidden_size=32, num_hidden_layers=3, num_attention_heads=4,
                      intermediate_size=64, max_position_embeddings=80, num_labels=3,
                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    return MPNetForSequenceClassification(cfg).eval()


@pytest.fixture(scope="module")
def tiny_encoder(tmp_path_factory):
    from models.testing import build_tiny_encoder

    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_base"))


def _statements(n: int, seed: int = 1) -> list[list[int]]:
    g = torch.Generator().manual_seed(seed)
    lengths = torch.randint(3, 40, (n,), generator=g).tolist()
    return [[0] + torch.randint(3, 60, (k - 2,), generator=g).tolist() + [2] for k in lengths]


def _batch(seqs: list[list[int]]):
    width = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), width), PAD)
    mask = torch.zeros((len(seqs), width), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def test_packed_forward_gives_transformers_logits(tiny_mpnet):
    ids, mask = _batch(_statements(20))
    with torch.inference_mode():
        ours = PackedMPNet(tiny_mpnet)(ids, mask)
        theirs = tiny_mpnet(input_ids=ids, attention_mask=mask).logits
    assert ours.shape == theirs.shape == (20, 3)
    torch.testing.assert_close(ours, theirs, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_a_statement_gets_the_same_logits_alone_and_in_any_batch(tiny_mpnet, dtype):
    seqs = _statements(24)
    forward = PackedMPNet(tiny_mpnet, dtype)
    with torch.inference_mode():
        alone = torch.cat([forward(*_batch([s])) for s in seqs])
        for size in (2, 7, 24):
            together = torch.cat([forward(*_batch(seqs[i : i + size])) for i in range(0, len(seqs), size)])
            if dtype == torch.bfloat16 and batch_invariant_bf16():
                # bf16 products are the same for every row count but one, padded away (packed.MIN_ROWS), and a
                # last-bit difference upstream would be rounded into a bf16 step (~1e-3) downstream: equal, exactly
                assert torch.equal(together, alone), f"batch {size}: max diff {(together - alone).abs().max():.2e}"
            else:  # fp32 products may differ in the last bit with the row count; emulated or AMX bf16 is never chosen
                torch.testing.assert_close(together, alone, atol=1e-6 if dtype == torch.float32 else 1e-2, rtol=0)


def test_bf16_projections_stay_close_to_fp32(tiny_mpnet):
    ids, mask = _batch(_statements(16))
    with torch.inference_mode():
        fp32 = PackedMPNet(tiny_mpnet)(ids, mask)
        bf16 = PackedMPNet(tiny_mpnet, torch.bfloat16)(ids, mask)
    assert bf16.dtype == torch.float32
    assert not torch.equal(bf16, fp32)  # it did run in bf16
    torch.testing.assert_close(bf16, fp32, atol=0.05, rtol=0.05)


def test_left_padding_is_refused(tiny_mpnet):
    ids, mask = _batch(_statements(3))
    with pytest.raises(ValueError, match="right-padded"):
        PackedMPNet(tiny_mpnet)(ids.flip(1), mask.flip(1))


def test_only_plain_mpnet_classifiers_take_the_packed_forward(tiny_mpnet, tiny_encoder):
    from transformers import AutoModelForSequenceClassification

    bert = AutoModelForSequenceClassification.from_pretrained(str(tiny_encoder), num_labels=3)
    assert supports(tiny_mpnet) and not supports(bert)
    quantized = torch.ao.quantization.quantize_dynamic(tiny_mpnet, {torch.nn.Linear}, dtype=torch.qint8)
    assert not supports(quantized)
    with pytest.raises(TypeError):
        PackedMPNet(bert)


def test_precision_is_bf16_only_where_the_config_allows_it_and_the_cpu_has_it(monkeypatch):
    monkeypatch.delenv("WORKBENCH_PRECISION", raising=False)
    cpu = torch.device("cpu")
    assert pick_precision(cpu, False) == "fp32"
    assert pick_precision(cpu, True) == ("bf16" if batch_invariant_bf16() else "fp32")
    assert pick_precision(torch.device("cuda"), True) == "fp32"
    assert pick_precision(cpu, True, "fp32") == "fp32"
    monkeypatch.setenv("WORKBENCH_PRECISION", "bf16")
    assert pick_precision(cpu, False) == "bf16"
    monkeypatch.setenv("WORKBENCH_PRECISION", "fp16")
    with pytest.raises(ModelError, match="unknown precision 'fp16'"):
        pick_precision(cpu, True)
