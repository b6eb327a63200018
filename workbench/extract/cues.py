"""Cue verbs in an article: where "said", "stressed", "called for" and the like are written.

One scan per article finds them all (set look-ups on words, one small regex for multi-word
cues); the rules then ask about many overlapping ranges of the same text.
"""
import bisect
import re

from .lexicon import (AUX_BEFORE_TO, AUX_WORDS, NOT_ADVERBS, NOUN_FORMS, OBJECT_PARTICLES, OBJECT_VERBS, SPEECH_FORMS,
                      STANCE_ADJECTIVES, STANCE_FORMS, inflect)

_FORMS = [f for f in SPEECH_FORMS + STANCE_FORMS if f not in NOUN_FORMS]
STANCE = set(STANCE_FORMS)
_OBJ_FORMS = sorted({f for v in OBJECT_VERBS for f in inflect(v)} - NOUN_FORMS
                    | {f + " " + p for v, ps in OBJECT_PARTICLES.items() for f in inflect(v)
                       for p in ps} | set(STANCE_ADJECTIVES), key=len, reverse=True)


def _word_before(text: str, pos: int) -> tuple[int, str]:
    """Start and text of the word ending right before pos (past one run of spaces)."""
    end = pos
    while end > 0 and text[end - 1] == " ":
        end -= 1
    if end == pos:
        return pos, ""
    start = end
    while start > 0 and text[start - 1].isalpha() and end - start < 20:
        start -= 1
    return start, text[start:end]


_BE = {"is", "are", "was", "were", "be", "been", "am"}


def aux_start(text: str, pos: int, progressive: bool = False) -> int:
    """Where the auxiliaries and adverbs written before a cue at pos begin. A form of "be"
    counts only before an -ing cue ("is stressing"): before a participle it is a passive."""
    for _ in range(4):
        start, word = _word_before(text, pos)
        if word in AUX_WORDS or progressive and word in _BE or len(word) > 4 and word.endswith("ly") and word.islower() \
                and word not in NOT_ADVERBS:
            pos = start
        elif word == "to" and _word_before(text, start)[1] in AUX_BEFORE_TO:
            pos = _word_before(text, start)[0]
        elif word == "on" and _word_before(text, start)[1] in ("went", "goes"):
            pos = _word_before(text, start)[0]
        else:
            break
    return pos


class CueMatch:
    """A cue verb found in text, with the auxiliaries and adverbs written before it
    ("has also said"): start() includes them, start(1)/end(1)/group(1) are the verb itself."""
    __slots__ = ("_s", "_vs", "_ve", "_verb")

    def __init__(self, s: int, vs: int, ve: int, verb: str):
        self._s, self._vs, self._ve, self._verb = s, vs, ve, verb

    def start(self, group: int = 0) -> int:
        return self._vs if group else self._s

    def end(self, group: int = 0) -> int:
        return self._ve

    def group(self, group: int = 0) -> str:
        return self._verb


_WORD = re.compile(r"(?<![\w’'-])[a-z]+(?:-[a-z]+)*(?![\w’'-])")
# The lower-case words the scan keeps: one-word forms of every kind of cue and the first words of
# multi-word ones, added as each kind is made.
_KEPT_WORDS: set[str] = set()
_word_cache: tuple[str | None, int, list] = (None, 0, [])


def _cue_words_of(text: str) -> list[tuple[int, int, str]]:
    """(start, end, word) of each lower-case word of text that is a one-word form of some cue or the first
    word of a multi-word one. Every kind of cue scans the same article, so the last article's words are
    cached; only those words are kept, as keeping every word's match took more memory than the rest of
    the extraction on a long document."""
    global _word_cache
    if _word_cache[0] is not text or _word_cache[1] != len(_KEPT_WORDS):
        _word_cache = (text, len(_KEPT_WORDS), [(m.start(), m.end(), m.group())
                                                for m in _WORD.finditer(text)
                                                if m.group() in _KEPT_WORDS])
    return _word_cache[2]


# Nouns built on a cue's form: 'a liberal think tank', 'talk show'. A cue found inside one is none.
_COMPOUNDS = re.compile(r"(?<![\w’'-])(?:think\s+tanks?|talk\s+(?:shows?|radio)|say-so)(?![\w’'-])", re.I)
_COMPOUND_HEADS = ("think", "talk", "say-so")


class _Cues:
    """Cue verbs of one kind, with the auxiliaries before each ("has also said")."""

    def __init__(self, forms: list[str]):
        self._single = {f for f in forms if " " not in f}
        multi = sorted((f for f in forms if " " in f), key=len, reverse=True)
        self._multi_first = {f.split()[0] for f in multi}
        _KEPT_WORDS.update(self._single | self._multi_first)
        self._multi = re.compile(r"(?<![\w’'-])(?:" + "|".join(map(re.escape, multi))
                                 + r")(?![\w’'-])")
        self._text: str | None = None
        self._hits: list[tuple[int, int, str]] = []
        self._starts: list[int] = []

    def _scan(self, text: str) -> None:
        if text is self._text:
            return
        # Set look-ups on lower-case words beat one regex alternation of hundreds of forms; a multi-word
        # form is tried only where its first word stands (scanning the whole text with the alternation
        # took a tenth of the extraction), one match at a time like finditer: none overlaps the last.
        words = _cue_words_of(text)
        hits = {start: (start, end, word) for start, end, word in words if word in self._single}
        multi_end = -1
        for start, _, word in words:
            if word in self._multi_first and start >= multi_end:
                m = self._multi.match(text, start)
                if m:
                    hits[start] = (start, m.end(), m.group())
                    multi_end = m.end()
        self._hits = []
        for vs, ve, verb in sorted(hits.values()):
            if verb.startswith(_COMPOUND_HEADS) and _COMPOUNDS.match(text, vs):
                continue
            self._hits.append((aux_start(text, vs, verb.endswith("ing")), vs, ve, verb))
        self._starts = [h[1] for h in self._hits]
        self._text = text

    def finditer(self, text: str, lo: int = 0, hi: int | None = None):
        hi = len(text) if hi is None else hi
        self._scan(text)
        i = bisect.bisect_left(self._starts, lo)
        while i < len(self._hits) and self._hits[i][2] <= hi:
            s, vs, ve, verb = self._hits[i]
            yield CueMatch(max(s, lo), vs, ve, verb)
            i += 1

    def any_in(self, text: str, lo: int, hi: int) -> bool:
        self._scan(text)
        i = bisect.bisect_left(self._starts, lo)
        return i < len(self._hits) and self._hits[i][2] <= hi

    def search(self, text: str, lo: int = 0, hi: int | None = None) -> CueMatch | None:
        return next(self.finditer(text, lo, hi), None)


CUE = _Cues(_FORMS)
OBJECT_CUE = _Cues(_OBJ_FORMS)
