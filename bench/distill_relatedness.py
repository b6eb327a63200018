"""Could a shallower encoder give stance's relatedness cosine?  Distil it and save it (not part of the tests).

    python bench/distill_relatedness.py [--layers 3] [--epochs 2] [--lr 1e-4] [--out DIR]
    python bench/relatedness_variants.py --signals shipped,encoder:DIR      # then judge it on dev

The relatedness pass (models/relatedness.py) runs the whole base encoder over every distinct
statement and target; with every statement distinct it is about half of stance's predict time.
This trains a student made of the base encoder's first --layers layers (all of their weights;
embeddings frozen) to reproduce the teacher's L2-normalised mean-pooled embedding (squared
error), on the *training* texts only: statements and targets of VAST train, SemEval train, the
train and combiner slices of the news sets, NewsMTSC train and the argument sets. No dev text
is seen. The student is saved as a plain transformers model in --out.
Result 2026-11-29: bench/results/stance_relatedness_2026-11-28.md, section 3.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def training_texts(seed: int) -> list[str]:
    from models.data import data_root, read_flat_stance, read_newsmtsc, read_semeval, read_vast_train
    from models.recipes import STANCE_EXTRA, news_stance_splits

    root = data_root()
    examples = [ex for _, ex in read_vast_train(root / "vast_train" / "train.csv", with_article=True)]
    examples += read_semeval(root / "semeval2016_stance", "train")
    examples += [ex for split in news_stance_splits(seed).values() for ex in split["train"] + split["combiner"]]
    examples += read_newsmtsc(root / "newsmtsc" / "train.jsonl")
    for rel in STANCE_EXTRA.values():
        examples += read_flat_stance(root / rel)
    texts = sorted({t for ex in examples for t in (ex.text, ex.target) if t and t.strip()})
    random.Random(seed).shuffle(texts)
    return texts


def mean_pooled(model, batch):
    import torch

    hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0), dim=-1)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--out", default="/tmp/relatedness_student")
    args = p.parse_args()
    import torch
    from transformers import AutoConfig, AutoModel

    from models.encoder import base_encoder_dir, load_tokenizer, set_cpu_threads

    set_cpu_threads()
    torch.manual_seed(args.seed)
    texts = training_texts(args.seed)
    base_dir, _ = base_encoder_dir(None)
    tok = load_tokenizer(base_dir)
    t0 = time.time()
    order = sorted(range(len(texts)), key=lambda i: (len(texts[i]), texts[i]))

    def batch_of(idx):
        return tok([texts[i] for i in idx], padding=True, truncation=True, max_length=args.max_length,
                   return_tensors="pt")

    teacher = AutoModel.from_pretrained(str(base_dir), local_files_only=True, dtype=torch.float32).eval()
    goal = torch.zeros(len(texts), teacher.config.hidden_size)
    with torch.inference_mode():
        for s in range(0, len(order), 128):
            idx = order[s : s + 128]
            goal[idx] = mean_pooled(teacher, batch_of(idx))
    print(f"{len(texts)} training texts; teacher embeddings in {time.time() - t0:.0f} s", flush=True)

    cfg = AutoConfig.from_pretrained(str(base_dir), local_files_only=True)
    cfg.num_hidden_layers = args.layers  # from_pretrained keeps the first `layers` layers of the teacher
    student = AutoModel.from_pretrained(str(base_dir), config=cfg, local_files_only=True, dtype=torch.float32,
                                        add_pooling_layer=False)
    for name, param in student.named_parameters():
        param.requires_grad = name.startswith("encoder.")
    params = [q for q in student.parameters() if q.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    batches = [order[s : s + args.batch_size] for s in range(0, len(order), args.batch_size)]
    steps = len(batches) * args.epochs
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: min(1.0, (k + 1) / 100) * max(0.0, 1 - k / steps))
    rng = random.Random(args.seed)
    student.train()
    for epoch in range(args.epochs):
        rng.shuffle(batches)
        total = 0.0
        for idx in batches:
            loss = ((mean_pooled(student, batch_of(idx)) - goal[idx]) ** 2).sum(-1).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        # squared distance of unit vectors = 2 - 2 cos: the mean cosine to the teacher follows from it
        mean = total / len(batches)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {mean:.3f} (cosine to the teacher ~{1 - mean / 2:.3f}); "
              f"{(time.time() - t0) / 60:.1f} min", flush=True)
    student.eval()
    student.save_pretrained(args.out)
    tok.save_pretrained(args.out)
    print(f"{sum(q.numel() for q in params)} trained parameters; saved {args.out} in {(time.time() - t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
