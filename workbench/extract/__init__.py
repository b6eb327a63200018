"""Deterministic statement extractor: who said what in a news article, by rules.

extract(text) finds quoted and reported statements, with offsets that slice the text
exactly, the speaker resolved to a full name where the article gives one, the speaker's
role and type, the kind of speech and the cue that introduced it.
"""
from dataclasses import dataclass

EXTRACTOR_VERSION = "rules-1.0"


@dataclass(frozen=True)
class ExtractedStatement:
    start: int
    end: int
    text: str
    speaker: str | None
    speaker_role: str | None
    speaker_type: str          # "official" | "expert" | "other"
    kind: str                  # "direct" | "indirect"
    cue: str | None


def extract(text: str) -> list[ExtractedStatement]:
    """Statements in text, sorted by start. Never raises on a str; returns [] if the rules fail."""
    from .cascade import run

    if not isinstance(text, str) or not text.strip():
        return []
    try:
        cands = run(text)
    except (ValueError, IndexError, RecursionError):  # a rule tripping on odd input must not
        return []                                       # take the caller down with it
    out = []
    for c in cands:
        if 0 <= c.start < c.end <= len(text):
            who = c.who
            out.append(ExtractedStatement(c.start, c.end, text[c.start:c.end], who.speaker,
                                          who.role, who.type, c.kind, c.cue))
    return out


__all__ = ["EXTRACTOR_VERSION", "ExtractedStatement", "extract"]
