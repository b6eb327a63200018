"""What each shipped model is trained and checked on (read from the shared data dir).

Dev sets are never trained on: for sentiment, a sentence-grouped 15 % slice of
NewsMTSC train (only train is available); for stance, VAST dev and SemEval val.
The stance relatedness combiner is fitted on a third set, disjoint from both
(stance_combiner_data).
"""

from __future__ import annotations

import random
from collections import defaultdict

from .errors import DataError
from .offtopic import cross_corpus_pairs, same_corpus_pairs, swapped_topic_pairs, topics
from .data import (CombinerSet, Example, data_root, read_flat_sentiment, read_flat_stance, read_grouped_stance,
                   read_news_stance, read_newsmtsc, read_semeval, read_vast, read_vast_train)

DATASETS = {
    "newsmtsc": {
        "name": "NewsMTSC (Hamborg & Donnay, EACL 2021), train.jsonl",
        "licence": "repo LICENSE is MIT-style for newly developed files; no separate data licence stated; "
        "sentences from US news outlets (publishers' copyright); research/eval use, cite the paper",
    },
    "semeval": {
        "name": "SemEval-2016 Task 6 stance, subtask A (TweetEval packaging): train trained on, val = dev",
        "licence": "TweetEval: released without restrictions but restrictions may apply to individual tasks or "
        "Twitter; SemEval-2016 data distributed for research use; tweets subject to Twitter/X terms",
    },
    "vast_train": {
        "name": "VAST (Allaway & McKeown, EMNLP 2020), official train split",
        "licence": "none stated (no LICENSE in the authors' repo); NYT reader comments; research use, "
        "flag before redistribution",
    },
    "gwsd": {
        "name": "GWSD (Luo, Card & Jurafsky, Findings of EMNLP 2020), train split: news sentences toward "
        "\"global warming is a serious concern\"; 70 % trained on, 15 % combiner, 15 % dev (its test split is not used)",
        "licence": "none stated (no LICENSE in the authors' repo; README asks for citation); research use only",
    },
    "emergent": {
        "name": "Emergent (Ferreira & Vlachos, NAACL 2016): news headlines toward rumoured claims; split by claim, "
        "70 % trained on, 15 % combiner, 15 % dev",
        "licence": "none stated; headlines from news outlets; research use, flag before redistribution",
    },
    "perspectrum": {
        "name": "PERSPECTRUM (Chen et al., NAACL 2019), train split: perspective sentences toward debate claims "
        "(favor/against)",
        "licence": "CC BY-SA 4.0 (data/dataset/license.txt)",
    },
    "ibm_argkp": {
        "name": "IBM ArgKP (Bar-Haim et al., ACL 2020), train split: crowd arguments toward debate motions (favor/against)",
        "licence": "Community Data License Agreement - Sharing 1.0 (c) IBM 2020",
    },
    "ibm_claim_stance": {
        "name": "IBM Claim Stance (Bar-Haim et al., EACL 2017), train split: Wikipedia claims toward debate motions "
        "(favor/against)",
        "licence": "treated as CC BY-SA 3.0 (IBM Debater datasets; Wikipedia sentences)",
    },
    "ibm_argkp_dev": {
        "name": "IBM ArgKP dev split — dev only, not trained on",
        "licence": "Community Data License Agreement - Sharing 1.0 (c) IBM 2020",
    },
    "perspectrum_dev": {
        "name": "PERSPECTRUM dev split — dev only, not trained on",
        "licence": "CC BY-SA 4.0 (data/dataset/license.txt)",
    },
    "arc": {
        "name": "ARC (Hanselowski et al., COLING 2018; posts from Habernal et al., NAACL 2018), train split in FNC-1 "
        "layout: NYT reader comments toward claims, agree/disagree/discuss/unrelated; split by claim, 70 % trained on, "
        "15 % combiner, 15 % dev; unrelated pairs are neutral",
        "licence": "repo LICENSE.txt is Apache 2.0 (written for the code); NYT reader comments: research use, "
        "not clearly licensed for redistribution",
    },
    "sst5": {
        "name": "SST-5 (Socher et al., EMNLP 2013), train split mapped to positive/negative/neutral, "
        "added without a target",
        "licence": "none stated; rottentomatoes.com review sentences; research use",
    },
    "vast_dev": {
        "name": "VAST dev (vast_dev.csv, reduced copy) — dev only: metrics and the temperature, not trained on",
        "licence": "none stated; NYT reader comments; research/eval use only",
    },
}


SENTIMENT_EXTRA = {"sst5": "sst5/train.csv"}  # sentence-level, no target
STANCE_EXTRA = {  # argument stance toward free-text claims/motions: polarity without neutral
    "perspectrum": "perspectrum/train.csv",
    "ibm_argkp": "ibm_argkp/train.csv",
    "ibm_claim_stance": "ibm_claim_stance/train.csv",
}


def sentiment_data(seed: int, dev_share: float = 0.15, untargeted_share: float = 0.15, extra: tuple[str, ...] = ()):
    """NewsMTSC split by sentence (no sentence in both train and dev), plus any `extra` sets.

    A share of training sentences whose targets all agree is also added
    without a target, so `sentiment(statement, None)` is meaningful.
    """
    root = data_root()
    rows = read_newsmtsc(root / "newsmtsc" / "train.jsonl", with_sentence_ids=True)
    by_sentence: dict[int, list[Example]] = defaultdict(list)
    for sid, ex in rows:
        by_sentence[sid].append(ex)
    sids = sorted(by_sentence)
    rng = random.Random(seed)
    rng.shuffle(sids)
    n_dev = int(len(sids) * dev_share)
    dev_ids, train_ids = set(sids[:n_dev]), sids[n_dev:]
    train = [ex for s in train_ids for ex in by_sentence[s]]
    for s in train_ids:
        labels = {ex.label for ex in by_sentence[s]}
        if len(labels) == 1 and rng.random() < untargeted_share:
            train.append(Example(by_sentence[s][0].text, None, labels.pop()))
    dev = [ex for s in sorted(dev_ids) for ex in by_sentence[s]]
    for name in extra:
        train += read_flat_sentiment(root / SENTIMENT_EXTRA[name])
    rng.shuffle(train)
    return train, {"newsmtsc_dev": dev}, ["newsmtsc", *extra]


NEWS_STANCE = {"gwsd": "gwsd_desmog/train.csv", "emergent": "emergent/all.csv"}
NEWS_SHARES = (0.70, 0.15)  # train, combiner; the rest is dev


def news_stance_splits(seed: int) -> dict[str, dict[str, list[Example]]]:
    """The news stance sets, each split by group (Emergent: by claim) into train / combiner / dev.

    They are the only stance data from news (reported opinions, headlines), i.e. closest to the
    statements the workbench labels: without them the model does not transfer (see the card).
    """
    root = data_root()
    out = {}
    for name, rel in NEWS_STANCE.items():
        rows = read_news_stance(root / rel)
        groups = sorted({g for g, _ in rows})
        random.Random(f"{seed}:{name}").shuffle(groups)
        a, b = int(len(groups) * NEWS_SHARES[0]), int(len(groups) * sum(NEWS_SHARES))
        part = {g: "train" for g in groups[:a]} | {g: "combiner" for g in groups[a:b]} | {g: "dev" for g in groups[b:]}
        out[name] = {k: [ex for g, ex in rows if part[g] == k] for k in ("train", "combiner", "dev")}
    return out


def stance_data(seed: int, vast_train_max: int = 1000, extra: tuple[str, ...] = (), unrelated_train: int = 0):
    """SemEval train + a seeded sample of VAST train + 70 % of the news sets (GWSD, Emergent)
    + any `extra` argument sets; dev = VAST dev, SemEval val and 15 % of each news set.
    unrelated_train adds up to that many of the sampled VAST comments paired with another
    article's topic, labelled neutral (not in the shipped recipe: bench/results/stance_relatedness_*).

    VAST train is capped (posts are long: a full epoch would not fit the CPU budget).
    """
    root = data_root()
    rng = random.Random(seed)
    semeval_train = read_semeval(root / "semeval2016_stance", "train")
    rows = read_vast_train(root / "vast_train" / "train.csv", with_article=True)
    rng.shuffle(rows)
    sample = rows[:vast_train_max]
    vast = [ex for _, ex in sample]
    if unrelated_train:
        # the cross-encoder learns "not about the target" itself, from its own comments paired with
        # another article's topic (the combiner set draws the same kind from comments it never saw)
        vast += swapped_topic_pairs(sample, topics(rows), unrelated_train, random.Random(f"{seed}:unrelated"))
    news = news_stance_splits(seed)
    train = semeval_train + vast + [ex for split in news.values() for ex in split["train"]]
    for name in extra:
        train += read_flat_stance(root / STANCE_EXTRA[name])
    rng.shuffle(train)
    dev = {
        "vast_dev": read_vast(root / "vast" / "vast_dev.csv"),
        "semeval_val": read_semeval(root / "semeval2016_stance", "val"),
        **{f"{name}_dev": split["dev"] for name, split in news.items()},
    }
    return train, dev, ["semeval", "vast_train", *NEWS_STANCE, *extra, "vast_dev"]


# ---- stance 3: every stance corpus, balanced ---------------------------------------------------------------
# Corpora with no dev split of their own are split by topic/claim (the group column), so their dev topics are unseen.
GROUPED_STANCE = {"ibm_claim_stance": ("ibm_claim_stance/train.csv", "topic_id"), "arc": ("arc_ukp/train.csv", "target")}
ARGUMENT_SPLITS = {"perspectrum": ("perspectrum/train.csv", "perspectrum/dev.csv"),
                   "ibm_argkp": ("ibm_argkp/train.csv", "ibm_argkp/dev.csv")}
# Dataset-balanced sampling: each corpus gives at most per_corpus training examples, so neither ARC's 14k pairs nor
# VAST's 13k comments dominate; off-topic pairs (neutral) come from ARC's "unrelated", VAST comments paired with
# another article's topic, and texts of one corpus paired with a target of another.
MULTI_CORPORA = ("semeval", "vast_train", "gwsd", "emergent", "perspectrum", "ibm_argkp", "ibm_claim_stance", "arc")
MULTI = {"per_corpus": 1200, "arc_unrelated": 400, "vast_swapped": 400, "cross_corpus": 400, "arc_dev_unrelated": 300}
# Corpora whose own targets are distinct enough to pair a text with another of them as an off-topic example
# (same_corpus): news headlines toward other rumours, debate arguments toward other motions. Not SemEval (its
# five targets overlap: a religious tweet against "Atheism" is often against "Legalization of Abortion" too), not
# GWSD (one target), and VAST / ARC already have theirs (vast_swapped, arc_unrelated).
SAME_CORPUS_OFFTOPIC = ("emergent", "perspectrum", "ibm_argkp", "ibm_claim_stance")
# Two-class corpora (no neutral gold) are judged, like SemEval, on the mean F1 of favor and against.
F_AVG_DEVS = ("semeval_val", "perspectrum_dev", "ibm_argkp_dev", "ibm_claim_stance_dev")


def dev_primary_metric(name: str) -> str:
    """The one number a dev set is judged on: F_avg for two-class sets and SemEval, the share predicted
    neutral for off-topic pairs, macro-F1 otherwise."""
    if name in F_AVG_DEVS:
        return "f_avg"
    return "accuracy" if name.endswith("unrelated_dev") else "macro_f1"


def selection_score(dev_metrics: dict[str, dict]) -> float:
    """The mean over every dev set of its primary metric: what recipes and models are chosen on."""
    scores = [rep[dev_primary_metric(name)] for name, rep in dev_metrics.items() if dev_primary_metric(name) in rep]
    return sum(scores) / len(scores) if scores else 0.0


def grouped_splits(rows: list[tuple[str, Example, bool]], name: str, seed: int) -> dict[str, list[tuple[Example, bool]]]:
    """Split (group, Example, unrelated?) rows by group into train / combiner / dev, as the news sets are."""
    groups = sorted({g for g, _, _ in rows})
    random.Random(f"{seed}:{name}").shuffle(groups)
    a, b = int(len(groups) * NEWS_SHARES[0]), int(len(groups) * sum(NEWS_SHARES))
    part = {g: "train" for g in groups[:a]} | {g: "combiner" for g in groups[a:b]} | {g: "dev" for g in groups[b:]}
    return {k: [(ex, unrel) for g, ex, unrel in rows if part[g] == k] for k in ("train", "combiner", "dev")}


def stance_multi_data(seed: int, per_corpus: int | None = None, uncapped: tuple[str, ...] = (),
                      same_corpus: int = 0, same_corpus_from: tuple[str, ...] = ()):
    """Every stance corpus in the shared data, each sampled to at most per_corpus training examples (all of the
    corpora named in `uncapped`: small ones a recipe wants whole, e.g. SemEval's 2,620 tweets), plus
    off-topic pairs; dev = every corpus's dev slice (VAST dev, SemEval val, Perspectrum and ArgKP dev, 15 % of
    the topics/claims of GWSD, Emergent, IBM claim stance and ARC; ARC's related and unrelated pairs apart).

    No dev text is trained on, under any target: ARC's posts are NYT comments, as VAST's are, and 1,835 ARC rows
    carry a VAST dev comment; ARC and Perspectrum reuse a text across claims.

    same_corpus adds that many off-topic pairs per corpus of same_corpus_from (default all of SAME_CORPUS_OFFTOPIC;
    offtopic.same_corpus_pairs)."""
    unknown = set(uncapped) - set(MULTI_CORPORA)
    if unknown:
        raise DataError(f"unknown stance corpus {sorted(unknown)[0]!r} to leave uncapped (one of {', '.join(MULTI_CORPORA)})")
    unfit = set(same_corpus_from) - set(SAME_CORPUS_OFFTOPIC)
    if unfit:
        raise DataError(f"no same-corpus off-topic pairs from {sorted(unfit)[0]!r} "
                        f"(one of {', '.join(SAME_CORPUS_OFFTOPIC)})")

    root = data_root()
    cap = per_corpus or MULTI["per_corpus"]
    news = news_stance_splits(seed)
    grouped = {name: grouped_splits(read_grouped_stance(root / rel, column), name, seed)
               for name, (rel, column) in GROUPED_STANCE.items()}
    devs: dict[str, list[Example]] = {
        "vast_dev": read_vast(root / "vast" / "vast_dev.csv"),
        "semeval_val": read_semeval(root / "semeval2016_stance", "val"),
        **{f"{name}_dev": split["dev"] for name, split in news.items()},
        **{f"{name}_dev": read_flat_stance(root / dev_rel) for name, (_, dev_rel) in ARGUMENT_SPLITS.items()},
    }
    for name, split in grouped.items():
        devs[f"{name}_dev"] = [ex for ex, unrel in split["dev"] if not unrel]
        dev_unrelated = [ex for ex, unrel in split["dev"] if unrel]
        if dev_unrelated:
            random.Random(f"{seed}:dev:{name}").shuffle(dev_unrelated)
            devs[f"{name}_unrelated_dev"] = dev_unrelated[: MULTI["arc_dev_unrelated"]]
    dev_texts = {ex.text.strip() for rows in devs.values() for ex in rows}

    def sample(name: str, rows: list[Example], k: int = cap) -> list[Example]:
        rows = [ex for ex in rows if ex.text.strip() not in dev_texts]
        random.Random(f"{seed}:sample:{name}").shuffle(rows)
        return rows if name in uncapped else rows[:k]

    pools: dict[str, list[Example]] = {"semeval": sample("semeval", read_semeval(root / "semeval2016_stance", "train"))}
    vast_rows = read_vast_train(root / "vast_train" / "train.csv", with_article=True)
    random.Random(seed).shuffle(vast_rows)
    vast_sample = [(arc, ex) for arc, ex in vast_rows if ex.text.strip() not in dev_texts]
    vast_sample = vast_sample if "vast_train" in uncapped else vast_sample[:cap]
    pools["vast_train"] = [ex for _, ex in vast_sample]
    for name, split in news.items():
        pools[name] = sample(name, split["train"])
    for name, (train_rel, _) in ARGUMENT_SPLITS.items():
        pools[name] = sample(name, read_flat_stance(root / train_rel))
    for name, split in grouped.items():
        pools[name] = (sample(name, [ex for ex, unrel in split["train"] if not unrel])
                       + sample(f"{name}:unrelated", [ex for ex, unrel in split["train"] if unrel], MULTI["arc_unrelated"]))
    train = [ex for pool in pools.values() for ex in pool]
    train += swapped_topic_pairs(vast_sample, topics(vast_rows), MULTI["vast_swapped"],
                                 random.Random(f"{seed}:unrelated"))
    related_pools = {k: [ex for ex in v if ex.label != "neutral" or k in NEWS_STANCE] for k, v in pools.items()}
    train += cross_corpus_pairs(related_pools, MULTI["cross_corpus"], random.Random(f"{seed}:cross"))
    if same_corpus:
        train += same_corpus_pairs(pools, tuple(same_corpus_from) or SAME_CORPUS_OFFTOPIC, same_corpus,
                                   random.Random(f"{seed}:same-corpus"))
    random.Random(seed).shuffle(train)
    names = ["semeval", "vast_train", *NEWS_STANCE, *ARGUMENT_SPLITS, *GROUPED_STANCE, "vast_dev", "perspectrum_dev",
             "ibm_argkp_dev"]
    return train, devs, names


def stance_multi_combiner_data(seed: int, trained: list[Example], arc_max: int = 600) -> CombinerSet:
    """The stance combiner set (VAST held-out rows, off-topic VAST pairs, news combiner slices) plus the
    combiner slices of ARC (its unrelated pairs counted as known-unrelated) and IBM claim stance."""
    base = stance_combiner_data(seed, trained)
    root = data_root()
    _, devs, _ = stance_multi_data(seed)
    dev_texts = {ex.text.strip() for rows in devs.values() for ex in rows}
    extra, unrelated = [], []
    for name, (rel, column) in GROUPED_STANCE.items():
        rows = grouped_splits(read_grouped_stance(root / rel, column), name, seed)["combiner"]
        rows = [(ex, unrel) for ex, unrel in rows if ex.text.strip() not in dev_texts]
        random.Random(f"{seed}:combiner:{name}").shuffle(rows)
        for ex, unrel in rows[:arc_max]:
            extra.append(ex)
            if unrel:
                unrelated.append(ex)
    out = [ex for ex in base.examples if ex.text.strip() not in dev_texts] + extra
    random.Random(seed + 2).shuffle(out)
    return CombinerSet(out, [ex for ex in base.unrelated if ex.text.strip() not in dev_texts] + unrelated)


def stance_combiner_data(seed: int, trained: list[Example], held_max: int = 2000, unrelated: int = 700) -> CombinerSet:
    """Examples the cross-encoder never saw, to fit the relatedness combiner on (see relatedness.py).

    * up to held_max VAST train rows whose comment is not among the trained texts
      (a comment appears with several topics: none of its rows may leak in);
    * `unrelated` of those comments paired with a topic annotated on a comment about a
      *different* NYT article, labelled neutral: a statement about something else takes no
      stance toward the target (the way VAST itself builds its synthetic neutral examples).
    * the news sets' combiner slices (related statements that report without taking a side
      are common in news and rare in VAST).
    Dev sets are not touched, so dev metrics stay honest.
    """
    root = data_root()
    rows = read_vast_train(root / "vast_train" / "train.csv", with_article=True)
    trained_texts = {e.text for e in trained}
    rng = random.Random(seed + 1)
    held = [(arc, ex) for arc, ex in rows if ex.text not in trained_texts]
    rng.shuffle(held)
    held = held[:held_max]
    pairs = swapped_topic_pairs(held, topics(rows), unrelated, rng)
    news = [ex for split in news_stance_splits(seed).values() for ex in split["combiner"]]
    out = [ex for _, ex in held] + pairs + news
    rng.shuffle(out)
    return CombinerSet(out, pairs)


def recipe_data(task: str, seed: int, recipe: str | None = None, **options):
    """(train, devs, dataset names, combiner set or None) of a shipped recipe; options go to
    sentiment_data / stance_data (e.g. extra=..., vast_train_max=...). recipe "multi" (stance):
    every stance corpus, balanced (stance_multi_data)."""
    if task == "sentiment":
        return (*sentiment_data(seed, **options), None)
    if recipe == "multi":
        train, devs, datasets = stance_multi_data(seed, **options)
        return train, devs, datasets, stance_multi_combiner_data(seed, train)
    train, devs, datasets = stance_data(seed, **options)
    return train, devs, datasets, stance_combiner_data(seed, train)


def relatedness_student_texts(seed: int) -> list[str]:
    """Statements and targets the relatedness student is distilled on (student.py): every training
    text of the stance recipe's sources and more (all of VAST train, NewsMTSC train, the argument
    sets, the news sets' train and combiner slices), never a dev text."""
    root = data_root()
    examples = [ex for _, ex in read_vast_train(root / "vast_train" / "train.csv", with_article=True)]
    examples += read_semeval(root / "semeval2016_stance", "train")
    examples += [ex for split in news_stance_splits(seed).values() for ex in split["train"] + split["combiner"]]
    examples += read_newsmtsc(root / "newsmtsc" / "train.jsonl")
    for rel in STANCE_EXTRA.values():
        examples += read_flat_stance(root / rel)
    return sorted({t for ex in examples for t in (ex.text, ex.target) if t and t.strip()})


def smoke_subset(limit: int, train: list[Example], devs: dict[str, list[Example]], combiner_set: CombinerSet | None):
    """A small slice of a recipe's data (smoke runs): `limit` training examples, dev and combiner cut to match."""
    devs = {k: v[: max(20, limit // 4)] for k, v in devs.items()}
    if combiner_set:
        unrelated = combiner_set.unrelated[:5]
        keep = combiner_set.examples[: max(30, limit // 2)]
        keep += [u for u in unrelated if u not in keep]
        combiner_set = CombinerSet(keep, unrelated)
    return train[:limit], devs, combiner_set
