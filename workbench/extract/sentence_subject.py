"""The subject that opens a sentence, past a dateline or a fronted adverb or participle phrase:
'Washington (AFP) – Democrat Hillary Clinton has ...', 'Since announcing ..., Mr. Biden ...'."""
import re

from .canonical import fronted_adverb, fronted_participle
from .lexicon import CLAUSE_WORDS, DETERMINERS, PERSON_NOUNS, PREPOSITIONS
from .phrase_kind import SAID, speaker_like

_SUBJECT = re.compile(r"(?:He|She|They|We|I)\b|(?:The\s+)?(?:[A-Z][\w’'.-]*\s+){0,4}[A-Z][\w’'-]*")


# 'The mayor', 'A senior aide': a determiner and a person noun within a few words.
_DESCRIBED = re.compile(r"(?:The|A|An|Her|His|Their)\s+(?:[\w’'-]+\s+){0,3}?([\w’'-]+)(?=[\s,])")


# rules-1.14: a sentence that opens with an adverb or a participle phrase before its subject:
# 'Recently, ...', 'Hastily politicizing the tragedy ... ― Trump cast ...', 'Having announced
# that ..., Judge Berman proceeded ...'. The next word shows the participle ('Manning defended',
# 'Fleming says' open with a name).
_FRONTED = re.compile(r"([A-Z][a-z]+)(?=,|\s+[a-z])")
_PARTICIPLE_NEXT = re.compile(r"\s+(?:to\b|[a-z][\w’'-]*ing\b|(?:%s)\b)" % "|".join(
    sorted(DETERMINERS | PREPOSITIONS | {"up", "out", "off", "back"})))
# rules-1.15: a preposition before the participle: 'Since announcing ...', 'After saying ...'.
_FRONTED_PREPOSITION = re.compile(r"(?:Since|After|Before|While|When|Upon|Without|By)\s+([a-z]{3,}ing)\b")
_FRONT_END = re.compile(r"[,;]\s+|\s[―—–]\s*|[―—–]\s*")


def _past_fronted(text: str, s: int, hi: int, participle: bool = False) -> int | None:
    """Where the subject starts after a fronted adverb or participle phrase, if one opens
    the sentence at s and a speaker-like subject with its verb follows it; else None."""
    m = participle and _FRONTED_PREPOSITION.match(text, s, hi) or _FRONTED.match(text, s, hi)
    if not m:
        return None
    word = m.group(1)
    if participle and m.re is not _FRONTED_PREPOSITION and not word.endswith("ing"):
        return None                         # only a participle phrase holds words of its own
    if m.re is not _FRONTED_PREPOSITION and not (
            fronted_adverb(word) or word in ("Having", "Being")
            or fronted_participle(word) and (text.startswith(",", m.end()) or _PARTICIPLE_NEXT.match(text, m.end(), hi))):
        return None
    for b in _FRONT_END.finditer(text, m.end(), hi):
        sub = _SUBJECT.match(text, b.end(), hi)
        if sub and re.match(r"\s+[a-z]", text[sub.end():hi]) and speaker_like(sub.group()) \
                and sub.group().lower() not in DETERMINERS:
            return b.end()
    return None


def fronted_subject(text: str, s: int, cue_start: int, hi: int,
                    spk: tuple[int, int] | None) -> tuple[int, int] | None:
    """rules-1.15: spk, or the subject after the participle phrase that opens the sentence
    when the cue and spk lie inside it ('Since announcing in October that ..., Mr. Biden has
    ...', 'Having announced that ..., Judge Berman proceeded', 'Continuing to explain ...,
    Carson rejected'): the phrase's first words are no speaker."""
    if spk is None:
        return None
    b = _past_fronted(text, s, hi, participle=True)
    if b is None or b <= cue_start or spk[1] > b or any(q in text[s:b] for q in "“”\"") or "''" in text[s:b]:
        return spk
    return subject(text, b, hi) or spk


# A dateline that opens a report: 'Washington (AFP) – ', 'NEW YORK (AP) — '.
_DATELINE = re.compile(r"[A-Z][\w.’'-]*(?:,?\s+[A-Z][\w.’'-]*){0,3}\s*\([A-Z][\w.&/ -]{0,20}\)\s*[–—―-]+\s*")


def subject(text: str, s: int, hi: int) -> tuple[int, int] | None:
    """The speaker-like words that open a sentence ('He then defended ..., saying ...')."""
    dateline = _DATELINE.match(text, s, hi)
    if dateline:
        s = dateline.end()                  # rules-1.15: 'Washington (AFP) – Democrat Hillary Clinton has'
    s = _past_fronted(text, s, hi) or s
    m = _SUBJECT.match(text, s, hi)
    if m and m.group().lower() in DETERMINERS:
        for d in _DESCRIBED.finditer(text, s, hi):
            if d.start() == s and d.group(1).lower() in PERSON_NOUNS:
                return d.start(), d.end()
        return None
    if m and speaker_like(m.group()):
        more = _DESCRIBED_NAME.match(text, m.end(), hi)
        if more and any(w.lower() in PERSON_NOUNS for w in more.group(1).split()) \
                and not any(w.lower() in CLAUSE_WORDS or w.lower() in SAID or w.endswith(("ed", "ly"))
                            for w in more.group(1).split()) and speaker_like(text[m.start():more.end()]):
            return m.start(), more.end()    # 'Presumptive Republican presidential nominee Donald Trump'
        return m.start(), m.end()
    return None


# rules-1.14: lower-case role words between capitalised ones, then a name and its verb.
_DESCRIBED_NAME = re.compile(r"((?:\s+[a-z][\w’'-]*){1,3})(?:\s+[A-Z][\w’'.-]*){0,2}\s+[A-Z][\w’'-]*(?=\s+[a-z]|,)")
