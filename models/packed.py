"""Token-packed inference forward for MPNet sequence classifiers (the shipped models' base).

Same weights and the same mathematics as transformers' MPNetForSequenceClassification, arranged
for throughput on CPU and so that a statement's logits cannot depend on what shares its batch:

* the projections and feed-forward layers run on the batch's real tokens only, packed into one
  [tokens, hidden] matrix (no work on padding; a GEMM row depends on its own inputs only);
* attention runs per statement on its own length, so padding never enters a reduction;
* the last layer computes the <s> token alone beyond keys and values: the head reads nothing else;
* query, key and value are one fused projection.

Optionally the projections run in bfloat16 (weights and inputs rounded, fp32 accumulation), on CPUs
with native bf16 dot products only (see encoder.pick_precision); attention, softmax, layer norms
and the head stay fp32.  Whether a model may use it is the model config's choice ("cpu_bf16"),
judged on dev like int8 (bench/bench_models_eval.py --precision).
"""

from __future__ import annotations

import math


def supports(model) -> bool:
    """A plain (not quantized) MPNet sequence classifier whose layers this forward knows."""
    import torch

    mpnet = getattr(model, "mpnet", None)
    if mpnet is None or not hasattr(model, "classifier") or not hasattr(mpnet, "encoder"):
        return False
    layer = mpnet.encoder.layer[0]
    return all(isinstance(m, torch.nn.Linear) for m in (layer.attention.attn.q, layer.intermediate.dense,
                                                         layer.output.dense))


MIN_ROWS = 8


def _at_least_rows(x):
    """x padded with zero rows to MIN_ROWS: a one-row product takes a matrix-vector kernel whose sums differ in
    the last bit from the matrix-matrix one's (which is the same for every larger row count), and a statement
    predicted alone must get the logits it gets in a batch (bench/batch_invariance.py)."""
    import torch

    rows = x.shape[0]
    if rows >= MIN_ROWS:
        return x, rows
    return torch.cat([x, x.new_zeros(MIN_ROWS - rows, *x.shape[1:])]), rows


class _Layer:
    """One encoder layer's weights, the projections in the matmul dtype."""

    def __init__(self, layer, dtype):
        import torch

        a = layer.attention.attn
        self.qkv_w = torch.cat([a.q.weight, a.k.weight, a.v.weight]).to(dtype).contiguous()
        self.qkv_b = torch.cat([a.q.bias, a.k.bias, a.v.bias]).to(dtype).contiguous()
        self.o_w, self.o_b = a.o.weight.to(dtype), a.o.bias.to(dtype)
        self.up_w, self.up_b = layer.intermediate.dense.weight.to(dtype), layer.intermediate.dense.bias.to(dtype)
        self.down_w, self.down_b = layer.output.dense.weight.to(dtype), layer.output.dense.bias.to(dtype)
        self.act = layer.intermediate.intermediate_act_fn
        self.attn_norm = layer.attention.LayerNorm
        self.out_norm = layer.output.LayerNorm


class PackedMPNet:
    """logits = PackedMPNet(model, dtype)(input_ids, attention_mask), fp32, one row per sequence."""

    def __init__(self, model, dtype=None):
        import torch

        if not supports(model):
            raise TypeError("PackedMPNet needs a plain MPNetForSequenceClassification")
        self.dtype = dtype or torch.float32
        mpnet = model.mpnet
        self._embeddings = mpnet.embeddings
        self._encoder = mpnet.encoder
        self._head = model.classifier
        cfg = mpnet.config
        self._heads = cfg.num_attention_heads
        self._head_dim = cfg.hidden_size // cfg.num_attention_heads
        self._layers = [_Layer(layer, self.dtype) for layer in mpnet.encoder.layer]

    def _linear(self, x, w, b):
        import torch.nn.functional as F

        x, rows = _at_least_rows(x)
        if self.dtype == x.dtype:
            return F.linear(x, w, b)[:rows]
        return F.linear(x.to(self.dtype), w, b).float()[:rows]  # fp32 accumulation inside; rounded once on output

    def __call__(self, input_ids, attention_mask):
        import torch

        lengths = attention_mask.sum(dim=1).tolist()
        if any(not all(attention_mask[i, :n].tolist()) for i, n in enumerate(lengths)):
            raise ValueError("PackedMPNet expects right-padded batches")
        hidden = self._embeddings(input_ids=input_ids)  # row-wise: position ids count real tokens only
        x = torch.cat([hidden[i, :n] for i, n in enumerate(lengths)])  # [tokens, hidden]
        starts = [0]
        for n in lengths:
            starts.append(starts[-1] + n)
        # relative-position bias of the longest statement; a shorter one reads its top-left corner
        bias = self._encoder.compute_position_bias(hidden[:1])[0]  # [heads, L, L]
        last = len(self._layers) - 1
        for depth, layer in enumerate(self._layers):
            x = self._layer(layer, x, lengths, starts, bias, cls_only=depth == last)
        x, rows = _at_least_rows(x)  # x holds the <s> rows only after the last layer
        return self._head(x[:, None, :]).float()[:rows]

    def _layer(self, layer: _Layer, x, lengths, starts, bias, cls_only: bool):
        import torch

        qkv = self._linear(x, layer.qkv_w, layer.qkv_b)
        size = x.shape[1]
        contexts = []
        for i, n in enumerate(lengths):
            seq = qkv[starts[i] : starts[i] + n].view(n, 3, self._heads, self._head_dim).permute(1, 2, 0, 3)
            q, k, v = seq[0], seq[1], seq[2]  # [heads, n, head_dim]
            b = bias[:, :n, :n]
            if cls_only:
                q, b = q[:, :1], b[:, :1]
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self._head_dim) + b
            ctx = torch.matmul(scores.softmax(dim=-1), v)  # [heads, rows, head_dim]
            contexts.append(ctx.transpose(0, 1).reshape(-1, size))
        ctx = torch.cat(contexts)
        residual = x[starts[:-1]] if cls_only else x
        h = layer.attn_norm(self._linear(ctx, layer.o_w, layer.o_b) + residual)
        up = layer.act(self._linear(h, layer.up_w, layer.up_b))
        return layer.out_norm(self._linear(up, layer.down_w, layer.down_b) + h)
