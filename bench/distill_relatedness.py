"""Could a shallower encoder give stance's relatedness cosine?  Distil one to try (not part of the tests).

    python bench/distill_relatedness.py [--layers 3] [--epochs 2] [--lr 3e-4] [--out DIR]
    python bench/relatedness_variants.py --signals shipped,encoder:DIR      # then judge it on dev

The relatedness pass (models/relatedness.py) runs the encoder over every distinct statement and
target; with every statement distinct it is about half of stance's predict time.  This runs the
training code's distillation (models/student.py: the base encoder's first --layers layers trained
to reproduce its normalised mean-pooled embedding, on the training texts of
models.recipes.relatedness_student_texts, never a dev text) with other settings than the recipe's,
and saves the student as a plain transformers model in DIR, leaving the shipped weights alone.
Results: bench/results/stance_relatedness_2026-11-28.md, section 3.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--lr", type=float, default=3e-4)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-length", type=int, default=128)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--out", default="/tmp/relatedness_student")
    args = p.parse_args()
    from models.encoder import base_encoder_dir, load_tokenizer, set_cpu_threads
    from models.recipes import relatedness_student_texts
    from models.student import distil

    set_cpu_threads()
    t0 = time.time()
    texts = relatedness_student_texts(args.seed)
    base_dir, _ = base_encoder_dir(None)
    tok = load_tokenizer(base_dir)
    student, stats = distil(base_dir, tok, texts, layers=args.layers, epochs=args.epochs, lr=args.lr,
                            batch_size=args.batch_size, max_length=args.max_length, seed=args.seed)
    student.save_pretrained(args.out)
    tok.save_pretrained(args.out)
    print(f"{stats['n_texts']} texts; loss per epoch {stats['epoch_losses']} (cosine to the teacher "
          f"~{stats['cosine_to_teacher']}); saved {args.out} in {(time.time() - t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
