"""Paragraph windows around a statement: what the UI shows and what the relatedness gate reads."""
from __future__ import annotations


def _separator(text: str) -> str:
    return "\n\n" if "\n\n" in text else "\n"


def context_window(text: str, start: int, end: int, extra: int = 0) -> tuple[int, int]:
    """[a, b) of the paragraph(s) holding text[start:end], widened by `extra` paragraphs each side.

    Paragraphs end at blank lines (at line breaks in texts without blank lines).
    """
    sep = _separator(text)
    a = text.rfind(sep, 0, start)
    a = 0 if a < 0 else a + len(sep)
    b = text.find(sep, end)
    b = len(text) if b < 0 else b
    for _ in range(extra):
        if a > 0:
            prev = text.rfind(sep, 0, max(a - len(sep), 0))
            a = 0 if prev < 0 else prev + len(sep)
        if b < len(text):
            nxt = text.find(sep, b + len(sep))
            b = len(text) if nxt < 0 else nxt
    return a, b


def paragraph(text: str, start: int, end: int) -> str:
    a, b = context_window(text, start, end)
    return text[a:b]
