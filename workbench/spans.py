"""Moving a statement's span by whole words, or to a whole sentence (the span editor's arithmetic).

Offsets are code points into the document text, as statements store them. A span always
starts on a word's first character and ends after a word's last one (punctuation that clings
to the word, such as a closing quote or a full stop, is part of it), and never becomes empty.
"""
from __future__ import annotations

from workbench.extract.segment import paragraphs, sentences


def _word_starts(text: str, a: int, b: int) -> list[int]:
    return [i for i in range(a, b) if not text[i].isspace() and (i == 0 or text[i - 1].isspace())]


def _word_ends(text: str, a: int, b: int) -> list[int]:
    return [i + 1 for i in range(a, b) if not text[i].isspace() and (i + 1 == len(text) or text[i + 1].isspace())]


def _line(text: str, at: int) -> tuple[int, int]:
    """The line (paragraph) around offset `at`: a span never crosses a line break."""
    a = text.rfind("\n", 0, at) + 1
    b = text.find("\n", at)
    return a, len(text) if b < 0 else b


def start_earlier(text: str, start: int, end: int) -> tuple[int, int]:
    """One more word at the front."""
    a, _ = _line(text, start)
    found = _word_starts(text, a, start)
    return (found[-1] if found else start), end


def start_later(text: str, start: int, end: int) -> tuple[int, int]:
    """One word less at the front (the last word stays)."""
    found = [i for i in _word_starts(text, start + 1, end)]
    return (found[0] if found else start), end


def end_later(text: str, start: int, end: int) -> tuple[int, int]:
    """One more word at the end."""
    _, b = _line(text, max(start, end - 1))
    found = _word_ends(text, end, b)
    return start, (found[0] if found else end)


def end_earlier(text: str, start: int, end: int) -> tuple[int, int]:
    """One word less at the end (the first word stays)."""
    found = _word_ends(text, start, end - 1)
    return start, (found[-1] if found else end)


def sentence_at(text: str, at: int) -> tuple[int, int]:
    """The sentence that holds offset `at` (the segmenter's sentences, inside its paragraph)."""
    for ps, pe in paragraphs(text):
        if ps <= at < pe or (at == pe and pe > ps):
            for ss, se in sentences(text, ps, pe):
                if ss <= at < se:
                    return ss, se
            return ps, pe
    return snap(text, at, min(len(text), at + 1))


def next_sentence(text: str, end: int) -> tuple[int, int] | None:
    """The first sentence that starts at or after `end`."""
    for ps, pe in paragraphs(text):
        if pe <= end:
            continue
        for ss, se in sentences(text, ps, pe):
            if ss >= end:
                return ss, se
    return None


def previous_sentence(text: str, start: int) -> tuple[int, int] | None:
    """The last sentence that ends at or before `start`."""
    found = None
    for ps, pe in paragraphs(text):
        if ps >= start:
            break
        for ss, se in sentences(text, ps, pe):
            if se <= start:
                found = (ss, se)
    return found


def snap(text: str, start: int, end: int) -> tuple[int, int]:
    """The span trimmed of surrounding whitespace (a span of only spaces is left as it is)."""
    a, b = start, end
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return (a, b) if b > a else (start, end)
