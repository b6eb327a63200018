"""Quoted spans inside one paragraph, tolerant of the marks real articles get wrong.

Handles curly, straight and doubled-apostrophe marks, a closing mark with no opener (the
quote then starts at the paragraph or after the previous quote), an opener never closed
(the quote runs to the paragraph end) and dash-led speech lines.
"""
import re
from dataclasses import dataclass

_MARKS = re.compile(r"''|``|[\"“”„«»]")
_OPENERS = {"“", "„", "«", "``"}
_CLOSERS = {"”", "»"}
_DASH_LEAD = re.compile(r"[–—―]\s+|-\s+|--\s*")
_TRIM_END = " \t,;:–—―-\u00a0"
_TRIM_START = " \t\u00a0–—―-"


@dataclass
class Quote:
    start: int          # content start (after the opening mark)
    end: int            # content end (before the closing mark)
    open_at: int        # offset of the opening mark, or content start when none was written
    close_at: int       # offset just past the closing mark, or content end when none was written
    opened: bool        # an opening mark was written
    closed: bool        # a closing mark was written


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow a content span to the words: no edge spaces, dashes or trailing commas."""
    while start < end and text[start] in _TRIM_START:
        start += 1
    while end > start and (text[end - 1] in _TRIM_END or text[end - 1] in "\"“”'"):
        end -= 1
    return start, end


def _orientation(text: str, pos: int, mark: str, para_start: int, para_end: int) -> str:
    before = text[pos - 1] if pos > para_start else " "
    after = text[pos + len(mark)] if pos + len(mark) < para_end else " "
    if mark in _OPENERS:
        if not before.isspace() and (after.isspace() or after in ".,;") and pos > para_start:
            return "close"
        return "open"
    if mark in _CLOSERS:
        # A closer written at the start of a paragraph is a mis-typed opener.
        if pos == para_start and not after.isspace():
            return "open"
        return "close"
    # Straight marks: decided by their neighbours.
    if before.isspace() or before in "([{–—―-:" or pos == para_start:
        return "open" if not after.isspace() else "either"
    if after.isspace() or after in ".,;:!?)]}–—―-" or pos + len(mark) >= para_end:
        return "close"
    return "either"


def find_quotes(text: str, para_start: int, para_end: int) -> list[Quote]:
    """Quotes of one paragraph in order of appearance."""
    out: list[Quote] = []
    open_at = None
    floor = para_start
    if _DASH_LEAD.match(text, para_start, para_end):
        floor = _DASH_LEAD.match(text, para_start, para_end).end()
    for m in _MARKS.finditer(text, para_start, para_end):
        kind = _orientation(text, m.start(), m.group(), para_start, para_end)
        if kind == "either":
            kind = "close" if open_at is not None else "open"
        if kind == "open":
            if open_at is not None:
                # A new opener while one is pending: the pending quote ends here unclosed.
                _add(out, text, open_at, m.start(), m.start(), True, False)
            open_at = m.start()
            continue
        if open_at is not None:
            _add(out, text, open_at, m.start(), m.end(), True, True)
            open_at = None
        else:
            start = max(floor, out[-1].close_at if out else para_start)
            _add(out, text, start, m.start(), m.end(), False, True)
        floor = m.end()
    if open_at is not None:
        _add(out, text, open_at, para_end, para_end, True, False)
    return out


def _add(out, text, open_at, content_end, close_at, opened, closed):
    width = 2 if text.startswith(("''", "``"), open_at) else 1
    s, e = trim(text, open_at + (width if opened else 0), content_end)
    if e > s and any(c.isalnum() for c in text[s:e]):
        out.append(Quote(s, e, open_at, close_at, opened, closed))


def dash_lead(text: str, para_start: int, para_end: int) -> int | None:
    """Content start of a dash-led speech paragraph ("– We will ..."), else None."""
    m = _DASH_LEAD.match(text, para_start, para_end)
    if m and m.end() < para_end and (text[m.end()].isupper() or text[m.end()] in "\"“«"):
        return m.end()
    return None
