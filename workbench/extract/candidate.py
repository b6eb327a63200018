"""A statement candidate as the rules find it, before overlaps and speakers are resolved."""
from dataclasses import dataclass

from .mentions import Resolved
from .quotes import trim

STRONG, RULE, FALLBACK, WEAK = 3, 2, 1, 0
_END_PUNCT = ".!?…"


@dataclass
class Cand:
    start: int
    end: int
    kind: str
    cue: str | None
    spk: tuple[int, int] | None
    priority: int
    inherit: "Cand | None" = None
    who: Resolved | None = None


def content(text: str, s: int, e: int, keep_stop: bool) -> tuple[int, int]:
    s, e = trim(text, s, e)
    if not keep_stop:
        while e > s and text[e - 1] in _END_PUNCT + " ":
            e -= 1
    return s, e


def words(text: str, s: int, e: int) -> int:
    return len(text[s:e].split())
