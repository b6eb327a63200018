"""Can a phrase name a speaker?  np_kind() and speaker_like(): the shared test of the attribution
finders (attribution.py, sentence_subject.py and the rule mixins)."""
import re

from .canonical import PARTY
from .lexicon import CLAUSE_WORDS, DETERMINERS, NOT_NAME, PERSON_NOUNS, PREPOSITIONS, PRONOUNS, ROLE_ADJECTIVES
from .mentions import is_role

# Common cue forms that can never sit inside a speaker phrase.
SAID = {"said", "says", "told", "tells", "wrote", "added", "noted", "stressed", "asked"}
_ABBREV_TOKEN = re.compile(r"^(?:[A-Z]\.|[A-Z][a-z]{0,3}\.|(?:[A-Za-z]\.){2,})$")


GENERIC_PLURAL = re.compile(r"(?:experts|analysts|observers|many|some|others|critics|"
                             r"scientists|economists|people|it|this|that|they|we|you|i)$", re.I)


def _tokens_ok(words: list[str]) -> bool:
    """Periods inside a speaker phrase may only mark abbreviations and initials."""
    return all("." not in w.strip(",") or _ABBREV_TOKEN.match(w.strip(",")) for w in words)


def np_kind(phrase: str) -> str | None:
    """'pronoun', 'name' (capitalised) or 'descriptor' when phrase can be a speaker, else None."""
    phrase = PARTY.sub("", phrase)
    words = phrase.split()
    if not words or len(words) > 14 or any(c in phrase for c in "\"“”;:()[]?!"):
        return None
    low = [w.lower().strip(".,’'") for w in words]
    if len(words) == 1 and low[0] in PRONOUNS:
        return "pronoun"
    if low[-1] in ("and", "or", "but"):
        return None                         # 'X thanked them and': a clause, cut short
    if any(w in CLAUSE_WORDS or w in SAID for w in low) or not _tokens_ok(words):
        return None
    first = low[0]
    if first in DETERMINERS:
        return "descriptor"
    if first in NOT_NAME or first in PREPOSITIONS:
        return None
    if words[0][:1].isupper():
        return "name"
    if first in DETERMINERS or first in ROLE_ADJECTIVES or first in PERSON_NOUNS:
        return "descriptor"
    return None


def speaker_like(phrase: str) -> bool:
    kind = np_kind(phrase)
    words = phrase.split()
    if kind == "pronoun":
        return phrase.lower() in ("he", "she", "they", "we", "i")
    if kind == "name":
        return len(words) <= 6 and not GENERIC_PLURAL.fullmatch(phrase)
    # 'the Supreme Court', 'the IMF': a descriptor that names an institution counts too.
    return kind == "descriptor" and len(words) <= 8 and (is_role(phrase) or words[-1][:1].isupper())
