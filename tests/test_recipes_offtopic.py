"""Same-corpus off-topic pairs (offtopic.same_corpus_pairs): what the multi recipe's --same-corpus adds."""

import random

import pytest

from models.data import Example
from models.errors import DataError
from models.offtopic import same_corpus_pairs
from models.relatedness_gate import stems


def _pool():
    motions = ["This house believes that advertising is harmful", "This house would criminalize blasphemy",
               "This house believes nations have a right to nuclear weapons", "This house would ban boxing",
               "This house believes boxing is too dangerous"]
    texts = {motions[0]: "Adverts push children toward junk food", motions[1]: "Offending a religion should be a crime",
             motions[2]: "Deterrence kept the peace for decades", motions[3]: "Boxers suffer brain damage",
             motions[4]: "Boxing injuries are rare"}
    return [Example(texts[m], m, "favor") for m in motions]


def test_pairs_a_text_with_another_target_of_its_own_corpus_labelled_neutral():
    pool = _pool()
    pairs = same_corpus_pairs({"debates": pool, "other": [Example("x", "unrelated target", "favor")]}, ("debates",),
                              6, random.Random(0))
    own = {ex.text: ex.target for ex in pool}
    targets = {ex.target for ex in pool}
    assert len(pairs) == 6
    for pair in pairs:
        assert pair.label == "neutral"
        assert pair.target in targets and pair.target != own[pair.text]  # same corpus, never the text's own target


def test_a_target_sharing_a_content_stem_with_the_text_or_its_own_target_is_never_drawn():
    pairs = same_corpus_pairs({"debates": _pool()}, ("debates",), 50, random.Random(1))
    boxing = {"This house would ban boxing", "This house believes boxing is too dangerous"}
    for pair in pairs:
        # the two boxing motions are one debate: neither is off-topic for the other's arguments
        assert not (pair.text in ("Boxers suffer brain damage", "Boxing injuries are rare") and pair.target in boxing)
    # "This house believes" is in every motion: boilerplate, or no pair could be drawn at all
    assert len(pairs) == 50
    assert all(not (stems(p.target) & stems(p.text)) - {"house", "belie"} for p in pairs)


def test_a_corpus_with_one_target_or_none_named_gives_no_pairs():
    one = [Example("Warming is real", "global warming is a serious concern", "favor")]
    assert same_corpus_pairs({"gwsd": one}, ("gwsd",), 10, random.Random(0)) == []
    assert same_corpus_pairs({"debates": _pool()}, (), 10, random.Random(0)) == []


def test_same_corpus_pairs_come_only_from_corpora_with_distinct_targets():
    """SemEval's targets overlap (a tweet against "Atheism" is often against abortion too): refused, not drawn."""
    from models.recipes import recipe_data

    with pytest.raises(DataError, match="no same-corpus off-topic pairs from 'semeval'"):
        recipe_data("stance", 13, recipe="multi", same_corpus=10, same_corpus_from=("semeval",))
