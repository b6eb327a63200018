"""Off-topic stance pairs: a text paired with a target it is not about, labelled neutral.

The stance recipes (recipes.py) add them so that a statement about something else takes no stance toward the
target; each builder draws from a seeded random.Random, so a recipe's training set is reproducible.
"""

from __future__ import annotations

import random

from .data import Example


def content_words(text: str) -> set[str]:
    return {w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) >= 5}


def cross_corpus_pairs(pools: dict[str, list[Example]], n: int, rng: random.Random) -> list[Example]:
    """n texts of one corpus paired with a target of another, labelled neutral; a pair whose target shares a
    content word with the text is re-drawn (SemEval's climate target and GWSD's are about the same thing)."""
    names = sorted(n_ for n_, pool in pools.items() if pool)
    targets = {name: sorted({ex.target for ex in pools[name] if ex.target}) for name in names}
    out = []
    while len(out) < n and len(names) > 1:
        a, b = rng.sample(names, 2)
        ex, target = rng.choice(pools[a]), rng.choice(targets[b])
        if not content_words(target) & content_words(ex.text):
            out.append(Example(ex.text, target, "neutral"))
    return out


def same_corpus_pairs(pools: dict[str, list[Example]], names: tuple[str, ...], n: int,
                      rng: random.Random) -> list[Example]:
    """Up to n texts of each named corpus paired with *another* target of the same corpus, labelled neutral: an
    off-topic pair in the corpus's own style (a headline toward another rumour, an argument toward another
    motion), so "not about the target" cannot be read off a change of genre, as it can in cross_corpus_pairs.
    A target sharing a content stem (relatedness_gate.stems) with the text or with the text's own target is
    re-drawn (two claims of one debate, such as "ban boxing" / "boxing is too dangerous", are not off-topic to
    each other); stems in over a quarter of a corpus's targets (and 3 or more) are its boilerplate ("This house believes that")
    and do not count."""
    from collections import Counter

    from .relatedness_gate import stems

    out = []
    for name in names:
        pool = [ex for ex in pools.get(name, []) if ex.target]
        targets = sorted({ex.target for ex in pool})
        if len(targets) < 2:
            continue
        counts = Counter(s for t in targets for s in stems(t))
        boilerplate = {s for s, c in counts.items() if c > len(targets) / 4 and c >= 3}

        def content(text: str) -> set[str]:
            return stems(text) - boilerplate
        made = 0
        for _ in range(n * 20):  # bounded: a corpus of near-identical targets yields fewer pairs, never a hang
            if made == n:
                break
            ex, target = rng.choice(pool), rng.choice(targets)
            if target != ex.target and not content(target) & (content(ex.text) | content(ex.target)):
                out.append(Example(ex.text, target, "neutral"))
                made += 1
    return out


def topics(rows: list[tuple[str, Example]]) -> list[tuple[str, str]]:
    """(topic, article) of every VAST row that takes a side (its topic is surely about that article)."""
    return sorted({(ex.target, arc) for arc, ex in rows if ex.label != "neutral"})


def swapped_topic_pairs(rows: list[tuple[str, Example]], topics: list[tuple[str, str]], n: int,
                        rng: random.Random) -> list[Example]:
    """n of the rows' comments, each paired with a topic from a *different* NYT article, labelled neutral."""
    article_of = {ex.text: arc for arc, ex in rows}
    comments = sorted(article_of)
    pairs = []
    for text in rng.sample(comments, min(n, len(comments))):
        for _ in range(100):  # re-draw until the topic comes from another article
            target, arc = rng.choice(topics)
            if arc != article_of[text]:
                pairs.append(Example(text, target, "neutral"))
                break
    return pairs
