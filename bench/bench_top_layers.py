"""Training-step cost: LoRA on every layer (baseline) vs on the top K layers, with and without cached states.

    python bench/bench_top_layers.py [--base mpnet|minilm] [--top 4] [--batch 32] [--tokens 64] [--repeats 3]

One batch of random token ids, forward + backward, best of --repeats, in this process:
  all layers   -- LoRA on every layer, the whole model runs forward and backward (the baseline);
  top K        -- LoRA on the top K layers only: backward stops there, forward still runs everything;
  top K cached -- the top K layers alone on states of the frozen bottom (models/top_layers.py),
                  what every training step costs once those states are computed;
and the one-off cost of computing the states (bottom layers, inference mode), per batch.
"""

from __future__ import annotations

import argparse
import time


def best_of(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--base", choices=["minilm", "mpnet"], default="mpnet")
    p.add_argument("--top", type=int, default=4)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--tokens", type=int, default=64)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()

    import torch

    from models.encoder import BASES, base_encoder_dir, set_cpu_threads
    from models.modeling import build_trainable
    from models.top_layers import bottom_states, frozen_bottom, top_only

    set_cpu_threads()
    base = next(b for b in BASES.values() if b.short == args.base)
    base_dir, _ = base_encoder_dir(None, base.name)
    labels = ["favor", "against", "neutral"]
    torch.manual_seed(0)
    batch = {"input_ids": torch.randint(1000, 20000, (args.batch, args.tokens)),
             "attention_mask": torch.ones(args.batch, args.tokens, dtype=torch.long)}
    y = torch.randint(0, 3, (args.batch,))
    k = base.layers - args.top

    def step(model):
        model(**batch, labels=y).loss.backward()

    full = build_trainable(base_dir, labels).train()
    t_full = best_of(lambda: step(full), args.repeats)
    del full
    top = build_trainable(base_dir, labels, {"layers": list(range(k, base.layers))}).train()
    assert frozen_bottom(top) == k
    t_top = best_of(lambda: step(top), args.repeats)
    rows = [(i, batch) for i in [list(range(args.batch))]]
    t_cache = best_of(lambda: bottom_states(top, rows, k), args.repeats)
    states = bottom_states(top, rows, k)
    top.train()

    def cached_step():
        with top_only(top, k) as forward:
            forward(states, labels=y).loss.backward()

    t_cached = best_of(cached_step, args.repeats)
    print(f"{base.name}, {base.layers} layers, LoRA top {args.top}; batch {args.batch} x {args.tokens} tokens, "
          f"{torch.get_num_threads()} threads, best of {args.repeats}")
    print(f"  all layers (baseline)  {t_full:6.2f} s/step  1.00x")
    print(f"  top {args.top}                  {t_top:6.2f} s/step  {t_full / t_top:.2f}x")
    print(f"  top {args.top} cached           {t_cached:6.2f} s/step  {t_full / t_cached:.2f}x")
    print(f"  computing the states   {t_cache:6.2f} s/batch (once per example, not per epoch)")
    epochs = 3
    print(f"  {epochs} epochs, per batch of examples: baseline {epochs * t_full:.1f} s, "
          f"cached {t_cache + epochs * t_cached:.1f} s ({epochs * t_full / (t_cache + epochs * t_cached):.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
