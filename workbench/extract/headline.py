"""Headlines and digest lines: 'Poll: Wealthy Voters Abandon ...', 'Obama Says Museum Will ...',
'Clinton Hid Health Problems, Former White House Doctor Says.'

Headlines are written in title case with the cue capitalised and no 'that', so the sentence
rules (which look for lower-case cues) pass them by. Each function returns
(content_start, content_end, speaker_start, speaker_end, cue) or None.
"""
import re

from .lexicon import NOT_NAME, PERSON_NOUNS, SOURCE_NOUNS

# rules-1.18: a title's period may stand in the name ('Dr. Ben Carson: ...'); a label and a dash before it are
# no part of it ('EXCLUSIVE – Roger Stone: ...')
_COLON = re.compile(r"(?:(?:EXCLUSIVE|BREAKING|WATCH|UPDATE|VIDEO|OPINION)\s*[–—-]\s*)?"
                    r"((?:\b(?:Dr|Mr|Mrs|Ms|Sen|Rep|Gov|Lt|Gen|Col|Rev|Prof)\.|[^:.!?“”\"]){2,60}?):\s+(?=\S)")
# groups that speak as one ('Clinton camp: ...')
_GROUPS = {"camp", "campaign", "aides", "allies", "team", "spokesman", "spokeswoman", "spokesperson"}
_GLUE = {"of", "the", "and", "on", "for", "at", "in", "to", "a"}
# Labels that a colon follows without naming a speaker.
_LABELS = {"note", "related", "update", "updated", "watch", "read", "more", "photo", "video",
           "source", "sources", "credit", "editor's", "example", "answer", "question", "q", "a",
           "subscribe", "sign", "click", "correction", "advertisement", "image", "caption",
           "listen", "see", "also", "warning", "disclosure", "topics", "tags", "share", "email",
           "contact", "follow", "live", "breaking", "exclusive", "opinion", "analysis", "the latest",
           "latest", "here", "today", "now", "day", "week", "bottom", "line", "why", "what", "how",
           "contributing", "byline", "twitter", "facebook", "instagram", "paid notice", "dateline"}
_CUES = ("Says|Say|Said|Tells|Told|Claims|Warns|Urges|Slams|Calls|Reveals|Announces|Endorses|"
         "Praises|Wants|Blasts|Insists|Admits|Predicts|Vows|Pledges|Denies|Accuses|Suggests|"
         "Argues|Thinks|Believes|Fears|Hopes|Rips|Knocks|Questions|Shows|Finds")
TITLE_CUE = re.compile(r"(?<![\w’'-])(" + _CUES + r")(?![\w’'-])")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")


def _named(phrase: str) -> bool:
    """A short title-case name or source: 'Poll', 'Clinton camp', 'Wash Post Fact-Check'."""
    words = phrase.split()
    if not 1 <= len(words) <= 6 or phrase.lower() in _LABELS or words[0].lower() in _LABELS:
        return False
    if words[0].lower() in NOT_NAME and words[0].lower() not in ("the",):
        return False
    head = re.sub(r"[’']s$", "", words[-1].lower())
    return words[0][:1].isupper() and all(
        w[:1].isupper() or w.lower() in _GLUE for w in words) or head in PERSON_NOUNS \
        or head in SOURCE_NOUNS or head in _GROUPS and words[0][:1].isupper()


def colon_line(text: str, ps: int, pe: int):
    """'NAME: CONTENT', a short paragraph."""
    m = _COLON.match(text, ps, pe)
    name = m.group(1).strip() if m else ""
    # A name in capitals is a section label ('STAT OF THE WEEK'); content of a few words a
    # title or a program ('Morning Joe'), not something said.
    if not m or not _named(name) or name.isupper() or not 4 <= len(text[m.end():pe].split()) <= 30:
        return None                         # long paragraphs: lists and section bodies
    return m.end(), pe, m.start(1), m.end(1), ":"


def _title_case(text: str, ps: int, pe: int) -> bool:
    words = _WORD.findall(text, ps, pe)
    if not 3 <= len(words) <= 25:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps >= 0.6 * len(words)


def says_line(text: str, ps: int, pe: int):
    """'SPEAKER Says CONTENT' or 'CONTENT, SPEAKER Says.' in a title-case paragraph."""
    if not _title_case(text, ps, pe):
        return None
    m = TITLE_CUE.search(text, ps, pe)
    if not m or m.start() == ps:
        return None
    tail = text[m.end():pe].strip(" .!?\u00a0")
    if not tail:
        comma = text.rfind(",", ps, m.start())
        spk = text[comma + 1:m.start()].strip() if comma > 0 else ""
        if not spk or not _named(spk):
            return None
        s_at = text.index(spk, comma)
        return ps, comma, s_at, s_at + len(spk), m.group(1)
    spk = text[ps:m.start()].strip()
    if not _named(spk) or len(tail.split()) < 2:
        return None
    return m.end(), pe, ps, ps + len(spk), m.group(1)
