"""Train only the top encoder layers: run the frozen bottom once, keep its hidden states.

When LoRA sits on the top k layers only (config ``lora.layers``), nothing below them
changes during training, so their output for an example is the same every epoch. On a
2-core CPU that matters: an all-mpnet-base-v2 step with LoRA on all 12 layers costs ~7.4 s
(batch 32 x 64 tokens), one on the top 4 layers fed from cached states ~2.3 s
(bench/results/stance_mpnet_top_layers_2026-11-29.md).

Architecture-agnostic on purpose: instead of calling a model's layers by hand (MPNet
adds a relative position bias, BERT does not, and transformers' mask formats change),
the model's own forward runs with its layer list cut and its embedding module replaced by
one that hands back the cached states.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

_LAYER = re.compile(r"encoder\.layer\.(\d+)\.")


def frozen_bottom(model) -> int:
    """How many bottom encoder layers have no trainable parameter (0: train end to end).

    Anything trainable outside the encoder layers other than the head (e.g. embeddings) means 0.
    """
    inner = _inner(model)
    if inner is None:
        return 0
    n_layers = len(inner.encoder.layer)
    lowest = n_layers
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        m = _LAYER.search(name)
        if m:
            lowest = min(lowest, int(m.group(1)))
        elif ".embeddings." in name or ".relative_attention_bias" in name:
            return 0
    return lowest if lowest < n_layers else 0


def _inner(model):
    """The transformers encoder model (BertModel, MPNetModel, ...) inside a possibly LoRA-wrapped classifier."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    inner = getattr(base, base.base_model_prefix, None)
    if inner is None or not hasattr(inner, "encoder") or not hasattr(inner, "embeddings"):
        return None
    return inner


class _CachedStates:
    """Stands in for the embedding module: returns the states set for the next forward."""

    def __init__(self):
        self.states = None

    def __call__(self, *args, **kwargs):
        return self.states


@contextmanager
def _cut(model, layers: slice, replace_embeddings: bool):
    import torch

    inner = _inner(model)
    full, embeddings = inner.encoder.layer, inner.embeddings
    inner.encoder.layer = torch.nn.ModuleList(list(full)[layers])
    feeder = _CachedStates() if replace_embeddings else None
    if feeder is not None:
        # a plain attribute, not a registered submodule: state_dict and .parameters() never see it
        del inner._modules["embeddings"]
        object.__setattr__(inner, "embeddings", feeder)
    try:
        yield feeder
    finally:
        inner.encoder.layer = full
        if feeder is not None:
            object.__delattr__(inner, "embeddings")
            inner.embeddings = embeddings


def bottom_states(model, batches, k: int) -> list:
    """Hidden states after the first k layers, one (tokens, hidden) tensor per example, no padding.

    batches: (example indices, collated batch) pairs; padding positions are dropped
    because the mask keeps them out of every real token's attention.
    """
    import torch

    out: dict[int, torch.Tensor] = {}
    was_training = model.training
    model.eval()
    with torch.inference_mode(), _cut(model, slice(0, k), replace_embeddings=False):
        for idx, batch in batches:
            hidden = model(**batch, output_hidden_states=True).hidden_states[-1]
            lengths = batch["attention_mask"].sum(dim=1).tolist()
            for row, (i, n) in enumerate(zip(idx, lengths)):
                out[i] = hidden[row, : int(n)].clone()
    model.train(was_training)
    return [out[i] for i in range(len(out))]


@contextmanager
def top_only(model, k: int):
    """Within the block, ``forward(states, labels)`` runs layers k.. and the head on cached states."""
    import torch

    with _cut(model, slice(k, None), replace_embeddings=True) as feeder:
        def forward(states: list, labels=None):
            n = max(s.shape[0] for s in states)
            hidden = states[0].new_zeros((len(states), n, states[0].shape[1]))
            mask = torch.zeros((len(states), n), dtype=torch.long, device=hidden.device)
            for row, s in enumerate(states):
                hidden[row, : s.shape[0]] = s
                mask[row, : s.shape[0]] = 1
            feeder.states = hidden
            # input_ids only carry the shape (the feeder ignores them); padded ids are never looked up
            return model(input_ids=mask, attention_mask=mask, labels=labels)

        yield forward
