"""Official, expert or other, from the role the article gives a speaker."""
import re

from .lexicon import ANONYMOUS, EXPERT_ORGS, EXPERT_WORDS, OFFICIAL_WORDS

_EXPERT = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in EXPERT_WORDS if len(w) > 3)
                     + r")\b", re.I)
_OFFICIAL = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in OFFICIAL_WORDS
                                                  if w not in ("mr.", "mrs.", "ms.", "dr.",
                                                               "campaign", "press", "manager",
                                                               "strategist", "candidate",
                                                               "nominee"))
                       + r")(?![\w])", re.I)
# Leaders of academic or research bodies speak as experts, not as officials.
_ORG_HEAD = re.compile(r"\b(?:head|president|director|chair(?:man|woman)?|founder|dean|rector|"
                       r"chief|leader)\b", re.I)


def classify(role: str | None) -> str:
    if not role:
        return "other"
    if ANONYMOUS.search(role) and not _OFFICIAL.search(role.replace("officials", "")):
        return "other"
    if _EXPERT.search(role):
        return "expert"
    if EXPERT_ORGS.search(role) and (_ORG_HEAD.search(role) or not _OFFICIAL.search(role)):
        return "expert"
    if _OFFICIAL.search(role):
        return "official"
    return "other"
