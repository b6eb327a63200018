"""Subjects of a cue found locally, for sentences whose own subject is something else.

speaker_before() in attribution.py reads a whole comma segment as the speaker phrase; this
reads back word by word from the cue instead, so that 'shortly after Trump said' or
'In 2013, research by the Center found' still yield a speaker.
"""
import re

from .phrase_kind import SAID
from .lexicon import (CLAUSE_WORDS, DETERMINERS, NOT_NAME, PERSON_NOUNS, PREPOSITIONS,
                      ROLE_ADJECTIVES, SOURCE_NOUNS)

_LOCAL_TOKEN = re.compile(r"[\w’'./&-]+")
_LOCAL_STOP = PREPOSITIONS | {"and", "but", "or", "nor", "that", "which", "who", "whom", "whose",
                              "than", "then", "so", "because", "what", "where", "how", "why",
                              "when", "after", "before", "while", "since", "as", "if", "once"}
_SUBJECT_PRONOUNS = {"he", "she", "they", "we", "i", "it"}
# Quantifiers that stand for people on their own: 'all agreed that', 'others argue'.
_QUANTIFIERS = {"all", "both", "others", "many", "some", "most", "few", "several", "everyone",
                "nobody", "none"}
# rules-1.9: survey shares and groups of people ('52 percent said', 'a majority of her backers
# say', 'forecasters say', 'Clinton's allies think'): the head of the phrase is enough.
_SHARES = {"percent", "majority", "majorities", "plurality", "minority", "half", "third", "thirds",
           "quarter", "fourths", "fifths", "allies", "critics", "people", "opponents", "proponents"}
_PEOPLE_PLURAL = re.compile(r"[a-z]{3,}(?:ers|ists|ians|ents|ants)")


def local_speaker(text: str, lo: int, cue_start: int) -> tuple[int, int] | None:
    """The noun phrase right before a cue when the sentence as a whole has another subject:
    'shortly after Trump said ...', '; Clinton's team says ...', 'one study found ...'.
    The phrase is headed by a name, a subject pronoun, a person noun or a source noun
    (poll, study), and reaches back over modifiers only: a stop word or a punctuation mark
    ends it, so no clause is taken for a speaker."""
    end = cue_start
    while end > lo and text[end - 1].isspace():
        end -= 1
    words = list(_LOCAL_TOKEN.finditer(text, max(lo, end - 80), end))
    if not words or words[-1].end() != end:
        return None
    head = words[-1].group()
    low = _POSSESSIVE_END.sub("", head.lower()).rstrip(".")
    if low in _SUBJECT_PRONOUNS or low in _QUANTIFIERS:
        return words[-1].start(), end
    if not (head[0].isupper() and low not in NOT_NAME or low in PERSON_NOUNS or low in SOURCE_NOUNS
            or low in _SHARES or _PEOPLE_PLURAL.fullmatch(head)):
        return None
    i = len(words) - 1
    while i > 0 and len(words) - i < 6:
        w = words[i - 1].group()
        wl = w.lower()
        if text[words[i - 1].end():words[i].start()].strip():
            break                               # punctuation between the words
        if wl in DETERMINERS:
            i -= 1
            break
        if wl in _LOCAL_STOP or wl in CLAUSE_WORDS or wl in NOT_NAME or wl in SAID:
            break
        if not (w[0].isupper() or wl in ROLE_ADJECTIVES or wl in PERSON_NOUNS or wl.isalpha()
                and not wl.endswith(("ed", "ing", "ly")) or low in _SHARES and wl.isdigit()):
            break                               # ('52 percent': the number belongs to the share)
        i -= 1
    return words[i].start(), end


_POSSESSIVE_END = re.compile(r"[’']s$")
