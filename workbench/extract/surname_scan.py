"""Where an article writes a surname with first names before it ('Donald J. Trump' for 'Trump').

The scans behind canonical.py's fullest names, kept apart because they run over the whole article
text: the capitalised words that are a speaker's surname, the name-like words just before each,
and the title-case headline lines where any capitalised word may stand before a name.
"""
import bisect
import re
from collections.abc import Iterator

FIRST_NAMES = re.compile(r"(?<![\w’'.-])((?:(?:[A-Z][a-z][\w’'-]*|[A-Z]\.)[ \u00a0]+){1,3})$")  # not across a line
CAPITALISED = re.compile(r"(?<![\w’'-])[A-Z][\w’'-]*(?![\w’'-])")


def title_case_lines(text: str) -> list[tuple[int, int]]:
    """rules-1.16: the (start, end) of each headline line ('Jeb Bush Hits Marco Rubio On Rape Exception For
    Abortions'), where any capitalised word may stand before a name: most of its words (five or more) are
    capitalised and none of the others is longer than four letters. One pass over the text, once per article."""
    out, start = [], 0
    for line in text.split("\n"):
        words = line.split()
        # a sentence has long lower-case words ('Chris Wallace interviewed Mike Pence on Sunday.'); a title-case
        # headline lower-cases only short function words
        # (the cheap test first: most lines are sentences, and the first long lower-case word settles it)
        if len(words) >= 5 and not any(w[:1].islower() and len(w) > 4 for w in words) \
                and sum(w[:1].isupper() for w in words) >= 0.7 * len(words):
            out.append((start, start + len(line)))
        start += len(line) + 1
    return out


def surname_hits(text: str, surnames: set[str]):
    """The capitalised words of text (CAPITALISED) that are one of surnames, in any case.

    Found with str.find in the lower-cased text, then checked to be a whole capitalised word: matching
    every capitalised word of the article and looking each up took a twentieth of the extraction, and
    compiling an alternation of each article's surnames cost more still."""
    low = text.lower()
    if len(low) != len(text):               # lower() changed a length ('İ'): offsets would not line up
        yield from (hit for hit in CAPITALISED.finditer(text) if hit.group().lower() in surnames)
        return
    starts = set()
    for surname in surnames:
        if not surname:
            continue
        at = low.find(surname)
        while at >= 0:
            starts.add(at)
            at = low.find(surname, at + 1)
    for at in sorted(starts):
        hit = CAPITALISED.match(text, at)
        if hit and hit.group().lower() in surnames:
            yield hit


def name_words_before(text: str, surnames: set[str]) -> Iterator[tuple[re.Match, list[str]]]:
    """(surname hit, the up to three name-like words right before it) for each hit outside a title-case
    headline line; the caller decides which of those words are a name."""
    headlines = None
    for hit in surname_hits(text, surnames):
        m = FIRST_NAMES.search(text, max(0, hit.start() - 60), hit.start())
        if m is None:
            continue
        headlines = title_case_lines(text) if headlines is None else headlines
        k = bisect.bisect_right(headlines, (hit.start(), len(text) + 1)) - 1
        if k >= 0 and headlines[k][0] <= hit.start() < headlines[k][1]:
            continue
        yield hit, m.group(1).split()
