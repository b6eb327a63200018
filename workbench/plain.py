"""User-supplied strings (names, notes, targets, titles, statements) for Rich and Textual.

A Text is never parsed as markup, so an annotator called "[/bold]" prints as itself instead of
raising MarkupError; control characters are dropped (db.plaintext) so that no value can drive
the terminal.
"""
from __future__ import annotations

from rich.text import Text

from db.plaintext import clean_line, clean_text


def plain(value: object, style: str = "", *, multiline: bool = False) -> Text:
    text = "" if value is None else str(value)
    return Text(clean_text(text) if multiline else clean_line(text), style=style)
