"""What each shipped model is trained and checked on (read from the shared data dir).

Dev sets are never trained on: for sentiment, a sentence-grouped 15 % slice of
NewsMTSC train (only train is available); for stance, VAST dev and SemEval val.
"""

from __future__ import annotations

import random
from collections import defaultdict

from .data import Example, data_root, read_newsmtsc, read_semeval, read_vast, read_vast_train

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
    "vast_dev": {
        "name": "VAST dev (vast_dev.csv, reduced copy) — dev only: metrics and the temperature, not trained on",
        "licence": "none stated; NYT reader comments; research/eval use only",
    },
}


def sentiment_data(seed: int, dev_share: float = 0.15, untargeted_share: float = 0.15):
    """NewsMTSC split by sentence (no sentence in both train and dev).

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
    rng.shuffle(train)
    return train, {"newsmtsc_dev": dev}, ["newsmtsc"]


def stance_data(seed: int, vast_train_max: int = 1000):
    """SemEval train + a seeded random sample of VAST train; dev = VAST dev + SemEval val.

    VAST train is capped (posts are long: a full epoch would not fit the CPU budget).
    """
    root = data_root()
    rng = random.Random(seed)
    semeval_train = read_semeval(root / "semeval2016_stance", "train")
    vast = read_vast_train(root / "vast_train" / "train.csv")
    rng.shuffle(vast)
    vast = vast[:vast_train_max]
    train = semeval_train + vast
    rng.shuffle(train)
    dev = {
        "vast_dev": read_vast(root / "vast" / "vast_dev.csv"),
        "semeval_val": read_semeval(root / "semeval2016_stance", "val"),
    }
    return train, dev, ["semeval", "vast_train", "vast_dev"]
