"""Paragraphs and sentences as (start, end) offsets into the article text.

Everything downstream works on offsets so that every statement slices the text exactly.
"""
import re

from .lexicon import ABBREVIATIONS

_PARA = re.compile(r"[^\n]+")
# A sentence ends at terminal punctuation (possibly doubled, "said.."), optionally followed by
# closing quotes or brackets, when the next thing is whitespace and then a likely sentence start.
_END = re.compile(r"(?:[.!?]+|…)[\"”’')\]]*(?=\s+[\"“‘'(\[–—―-]*\s*[A-Z0-9\"“‘'–—―])")
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Non-blank lines, trimmed of surrounding whitespace."""
    out = []
    for m in _PARA.finditer(text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def is_abbreviation(text: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if not m:
        return False
    word = m.group(1).lower().strip(".")
    if word in ABBREVIATIONS:
        return True
    # A lone capital is an initial ("John F. Kennedy").
    return len(word) == 1 and text[dot - 1].isupper()


# The sentence rules look back to the sentence start from every cue, so one endless "sentence"
# (a text without full stops) costs its length squared: 100 KB took two minutes. Real sentences
# are far shorter (the longest of 34,182 in PolNeAR and the seed: 979 characters), so longer runs
# are cut at a space into pieces of at most this many characters; real text is never cut.
MAX_SENTENCE = 2000


def _bounded(text: str, s: int, e: int) -> list[tuple[int, int]]:
    pieces = []
    while e - s > MAX_SENTENCE:
        cut = text.rfind(" ", s + MAX_SENTENCE // 2, s + MAX_SENTENCE)
        cut = cut if cut > s else s + MAX_SENTENCE
        pieces.append((s, cut))
        s = cut
        while s < e and text[s].isspace():
            s += 1
    if e > s:
        pieces.append((s, e))
    return pieces


def sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences inside text[start:end]; boundaries never split an abbreviation or initial,
    and a run longer than MAX_SENTENCE characters is cut into pieces."""
    return [piece for s, e in _sentences(text, start, end) for piece in _bounded(text, s, e)]


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    out, s = [], start
    for m in _END.finditer(text, start, end):
        if text[m.start()] == "." and m.end() - m.start() == 1 and is_abbreviation(text, m.start()):
            continue
        e = m.end()
        if e > s:
            out.append((s, e))
        s = e
        while s < end and text[s].isspace():
            s += 1
    if s < end:
        out.append((s, end))
    return out
