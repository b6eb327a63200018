"""The training loop: seeded, length-bucketed mini-batches, AdamW, linear warmup/decay.

Kept free of data-set knowledge; training.py (with recipes.py) decides what to train on.
"""

from __future__ import annotations

import random
import time


def set_seed(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def length_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, then sort within pools of 50 batches by length: little padding, still random."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    pool = batch_size * 50
    batches = []
    for s in range(0, len(idx), pool):
        chunk = sorted(idx[s : s + pool], key=lambda i: lengths[i])
        batches.extend(chunk[j : j + batch_size] for j in range(0, len(chunk), batch_size))
    rng.shuffle(batches)
    return batches


def encode_examples(tokenizer, examples, max_length: int) -> list[dict]:
    from .inputs import tokenize_pairs

    return tokenize_pairs(tokenizer, [e.text for e in examples], [e.target for e in examples], max_length)


def train_loop(model, tokenizer, examples, labels, *, epochs: int, lr: float, batch_size: int, max_length: int,
               seed: int, progress=None, weight_decay: float = 0.01, warmup: float = 0.06) -> dict:
    """Train model in place on examples; returns simple stats (steps, seconds, last loss).

    If the bottom encoder layers have nothing to train (LoRA on the top layers only), their
    output is computed once up front and every step runs the top layers alone (top_layers.py).
    """
    import torch

    from .encoder import pick_device
    from .inputs import collate
    from .top_layers import bottom_states, frozen_bottom, top_only

    set_seed(seed)
    rng = random.Random(seed)
    device = pick_device()
    model.to(device)
    label_id = {lab: i for i, lab in enumerate(labels)}
    enc = encode_examples(tokenizer, examples, max_length)
    y = torch.tensor([label_id[e.label] for e in examples], dtype=torch.long)
    lengths = [len(e["input_ids"]) for e in enc]
    plan = [length_batches(lengths, batch_size, rng) for _ in range(epochs)]
    total = sum(len(p) for p in plan)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}], lr=lr
    )
    warm = max(1, int(total * warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm)))
    )
    pad = tokenizer.pad_token_id or 0
    t0 = time.time()
    frozen = frozen_bottom(model)
    cached = bottom_states(model, sorted_batches(enc, pad, device), frozen) if frozen else None
    model.train()
    step, running = 0, None
    for epoch in range(epochs):
        for batch_idx in plan[epoch]:
            labels_b = y[batch_idx].to(device)
            if cached is not None:
                with top_only(model, frozen) as top:
                    out = top([cached[i] for i in batch_idx], labels=labels_b)
            else:
                out = model(**collate([enc[i] for i in batch_idx], pad, device), labels=labels_b)
            out.loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            step += 1
            loss = float(out.loss.detach())
            running = loss if running is None else 0.98 * running + 0.02 * loss
            if progress is not None:
                progress(step, total, f"epoch {epoch + 1}/{epochs} loss {running:.3f}")
    model.eval()
    stats = {"steps": step, "seconds": round(time.time() - t0, 1), "final_loss": running}
    return {**stats, "cached_frozen_layers": frozen} if frozen else stats


def sorted_batches(enc: list[dict], pad: int, device, batch_size: int = 64):
    """(indices, collated batch) over encoded examples in length order: little padding."""
    from .inputs import collate

    order = sorted(range(len(enc)), key=lambda i: len(enc[i]["input_ids"]))
    for s in range(0, len(order), batch_size):
        idx = order[s : s + batch_size]
        yield idx, collate([enc[i] for i in idx], pad, device)


def predict_logits(model, tokenizer, examples, max_length: int, batch_size: int = 64):
    """Logits (numpy, input order) of a possibly unmerged model; used for dev metrics."""
    import numpy as np
    import torch

    model.eval()
    device = next(model.parameters()).device
    enc = encode_examples(tokenizer, examples, max_length)
    out = None
    with torch.inference_mode():
        for idx, batch in sorted_batches(enc, tokenizer.pad_token_id or 0, device, batch_size):
            logits = model(**batch).logits.float().cpu().numpy()
            if out is None:
                out = np.zeros((len(enc), logits.shape[1]), dtype=np.float32)
            out[idx] = logits
    return out if out is not None else np.zeros((0, 0), dtype=np.float32)
