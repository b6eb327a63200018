"""Pre-labelling throughput: our Classifier.predict vs transformers.pipeline vs the raw forward pass.

    python bench/bench_prelabel.py [--n 2000] [--task sentiment] [--targets-per-statement K]

--targets-per-statement K (default 1: every pair's statement distinct, the worst case for
stance's relatedness pass) shapes the n pairs as `workbench prelabel` sees them: n/K
statements, each with its own target and K-1 targets taken from other statements (an
article's other targets are mostly about something else).

All three run the same merged weights (LoRA folded in) on the same (target,
statement) pairs, in one run, with torch threads = 2: ours through the packed
forward in the precision prelabel picks on this CPU (and in fp32), the pipeline
and raw rows through transformers' fp32 forward.  Sentences: NewsMTSC train statements when the
shared data is present, else synthetic sentences.
"""

from __future__ import annotations

import argparse
import random
import time

import torch


def sentences(n: int, seed: int = 0):
    from models.data import data_root, read_newsmtsc
    from models.errors import DataError

    try:
        ex = read_newsmtsc(data_root() / "newsmtsc" / "train.jsonl")
        random.Random(seed).shuffle(ex)
        ex = ex[:n]
        return [e.text for e in ex], [e.target for e in ex], "NewsMTSC train"
    except DataError:
        rng = random.Random(seed)
        subj = ["The senator", "Ms. Warren", "The mayor", "Trump", "The committee", "Protesters"]
        verbs = ["praised", "attacked", "met", "criticised", "supported", "ignored"]
        objs = ["the new tax bill", "the governor's plan", "voters in Ohio", "the court ruling", "the press"]
        tails = ["", " on Tuesday", " after weeks of debate", ", according to people familiar with the matter"]
        texts, targets = [], []
        for _ in range(n):
            s = rng.choice(subj)
            texts.append(f"{s} {rng.choice(verbs)} {rng.choice(objs)}{rng.choice(tails)}.")
            targets.append(s.replace("The ", "the "))
        return texts, targets, "synthetic"


def timed(fn, repeats: int = 2) -> float:
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def prelabel_shaped(texts: list[str], targets: list, k: int, seed: int = 0):
    """len(texts) pairs again, but as len(texts)//k statements each paired with k targets (its own first)."""
    rng = random.Random(seed)
    n_statements = len(texts) // k
    out_texts, out_targets = [], []
    for i in range(n_statements):
        others = rng.sample([t for j, t in enumerate(targets[:n_statements]) if j != i], k - 1)
        out_texts += [texts[i]] * k
        out_targets += [targets[i], *others]
    return out_texts, out_targets


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=2000)
    p.add_argument("--task", default="sentiment")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--model", default=None, help="model dir (default: shipped weights of --task)")
    p.add_argument("--targets-per-statement", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(2)
    from transformers import pipeline

    from models.classifiers import load_classifier
    from models.inputs import mark_target

    texts, targets, source = sentences(args.n)
    if args.targets_per_statement > 1:
        texts, targets = prelabel_shaped(texts, targets, args.targets_per_statement)
        source += f", {len(set(texts))} statements x {args.targets_per_statement} targets"
    # same weights for all: ours in the precision `workbench prelabel` picks here (bf16 projections where the config
    # allows it and the CPU has native bf16), the pipeline and raw rows on its fp32 transformers model
    clf = load_classifier(args.task, args.model, quantize=False)
    fp32 = load_classifier(args.task, args.model, quantize=False, precision="fp32") if clf.precision != "fp32" else None
    # a config that ships dynamic int8 (none does now: see the model cards) is also timed as `workbench prelabel`
    # runs it; otherwise `clf` already is that
    shipped = load_classifier(args.task, args.model) if clf.config.get("quantized", False) else None
    model, tok = clf._model, clf._tokenizer
    n, bs = len(texts), args.batch_size
    print(f"{n} sentences from {source}; task {args.task}; batch {bs}; torch threads {torch.get_num_threads()}")

    ours = timed(lambda: clf.predict(texts, targets, batch_size=bs))
    ours_fp32 = timed(lambda: fp32.predict(texts, targets, batch_size=bs)) if fp32 else None
    as_shipped = timed(lambda: shipped.predict(texts, targets, batch_size=bs)) if shipped else None
    # stance adds the relatedness encoder (one more pass per distinct text and target); the
    # pipeline and raw rows run the cross-encoder only, so compare like with like too
    cross = timed(lambda: clf.cross_logits(texts, targets, batch_size=bs)) if clf.has_relatedness else None

    pairs = [{"text": t or "", "text_pair": mark_target(x, t)} for x, t in zip(texts, targets)]
    pipe = pipeline("text-classification", model=model, tokenizer=tok, device=-1, truncation="longest_first",
                    max_length=clf.max_length)
    pipe_default = timed(lambda: pipe(pairs), repeats=1)
    pipe_batched = timed(lambda: pipe(pairs, batch_size=bs), repeats=1)

    # raw: pre-tokenised, input-order (unsorted) batches of the padded tensors; only model(**batch) timed
    enc = [tok([t or "" for t in targets[i:i + bs]], [mark_target(x, t) for x, t in zip(texts[i:i + bs], targets[i:i + bs])],
               truncation="longest_first", max_length=clf.max_length, padding=True, return_tensors="pt")
           for i in range(0, n, bs)]

    def raw():
        with torch.inference_mode():
            for b in enc:
                model(**b)

    raw_s = timed(raw)
    # raw forward on length-sorted batches: the best the model itself can do
    from models.inputs import collate, tokenize_pairs

    e2 = tokenize_pairs(tok, texts, targets, clf.max_length)
    order = sorted(range(n), key=lambda i: len(e2[i]["input_ids"]))
    sorted_batches = [collate([e2[i] for i in order[s:s + bs]], tok.pad_token_id) for s in range(0, n, bs)]

    def raw_sorted():
        with torch.inference_mode():
            for b in sorted_batches:
                model(**b)

    raw_sorted_s = timed(raw_sorted)
    rows = [(f"Classifier.predict ({clf.precision} matmuls)", ours)] + (
        [("Classifier.predict (fp32 matmuls)", ours_fp32)] if ours_fp32 else []) + (
        [("Classifier.predict as shipped (int8)", as_shipped)] if as_shipped else []) + (
        [("Classifier cross-encoder only", cross)] if cross else []) + [
            ("pipeline (default, per item)", pipe_default),
            (f"pipeline (batch_size={bs})", pipe_batched), ("raw forward (input-order batches)", raw_s),
            ("raw forward (length-sorted batches)", raw_sorted_s)]
    for name, s in rows:
        print(f"{name:40s} {n / s:8.1f} sentences/s")
    print(f"ours / pipeline default  = {pipe_default / ours:.2f}x  (goal >= 2x)")
    print(f"ours / pipeline batched  = {pipe_batched / ours:.2f}x")
    print(f"ours / raw forward       = {raw_s / ours:.2f}  (goal >= 0.80)")
    print(f"ours / raw sorted forward= {raw_sorted_s / ours:.2f}")
    if ours_fp32:
        print(f"fp32 matmuls / pipeline default = {pipe_default / ours_fp32:.2f}x, / raw forward = {raw_s / ours_fp32:.2f} "
              "(the packed forward in fp32, as on CPUs without native bf16)")
    if as_shipped:
        print(f"as shipped / pipeline default = {pipe_default / as_shipped:.2f}x, / raw forward = {raw_s / as_shipped:.2f} "
              "(int8 against the fp32 pipeline: the throughput `workbench prelabel` gets)")
    if cross:
        print(f"cross-encoder only: / pipeline default = {pipe_default / cross:.2f}x, / raw forward = {raw_s / cross:.2f}; "
              f"relatedness costs {100 * (ours - cross) / ours:.0f}% of predict here ("
              + ("every statement distinct: the worst case" if args.targets_per_statement == 1 else
                 f"each statement embedded once for its {args.targets_per_statement} targets, as in prelabel") + ")")


if __name__ == "__main__":
    main()
