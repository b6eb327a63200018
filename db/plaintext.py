"""Text from files, users and other databases, made safe to store and to print.

C0 and C1 control characters (ESC, BEL, CSI ...) make a terminal run commands: change its
title, clear the screen, rewrite what was printed. None of them belongs in a statement, a
name or a note, so they are dropped where text comes in (ingest, import, merge, names) and
again where it goes out (the CLI's tables, the UI), for databases written before this rule.
Dependency-free: db/, workbench/ and the UI share it.
"""
from __future__ import annotations

import re

# C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
# the same less tab, newline and carriage return (a CRLF file's line ends): the layout of a text
_CONTROLS_BUT_LAYOUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LAYOUT = re.compile("[\t\n\r]")


def clean_text(text: str, replacement: str = "") -> str:
    """A multi-line text (document, note, guidelines) without control characters; tab and line
    ends stay. A one-character replacement keeps offsets into the text valid."""
    return _CONTROLS_BUT_LAYOUT.sub(replacement, text)


def clean_line(text: str) -> str:
    """A one-line value (name, title, target, path in a message): tabs and line ends become
    spaces, other control characters are dropped."""
    return _CONTROLS.sub("", _LAYOUT.sub(" ", text))


def has_controls(text: str) -> bool:
    return _CONTROLS.search(text) is not None
