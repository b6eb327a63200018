"""Attribution clauses: where the cue verb is and which words name the speaker.

All functions take and return offsets into the article so that callers can slice content
and speaker exactly. A speaker phrase may carry an apposition ("Dmitry Abzalov, president of
the Center for Strategic Communications"); mentions.py splits it into name and role.
"""
import re
from dataclasses import dataclass

from .cues import CUE
from .lexicon import DETERMINERS, PERSON_NOUNS, PREPOSITIONS, ROLE_ADJECTIVES, SPEECH_FORMS
from .canonical import strip_titles
from .mentions import is_role, split_name
from .phrase_kind import np_kind, speaker_like
from .sentence_subject import subject
from .segment import is_abbreviation

ACCORDING = re.compile(r"(?<![\w])[Aa]ccording to\s+")
_SEG = re.compile(r"[^,—―]+")
_ANTECEDENT = re.compile(r"(?:(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'.-]*|(?:the|a|an|his|her|their)\s+"
                         r"(?:[\w’'-]+\s+){0,2}[\w’'-]+)\s*$")
# Words after a cue that are its object ("told Izvestia") rather than the content itself.
# rules-1.18: also the speaker's own audience ('told his supporters,', 'told his closest advisers as ...')
_AUDIENCE = (r"(?:his|her|their|its|our)\s+(?:[\w’'-]+\s+)?(?:supporters|audience|advisers|advisors|aides|staff|"
             r"followers|fans|colleagues|friends|listeners|viewers|readers|crowd|voters|donors|members|allies|"
             r"team|family|children|wife|husband|guests|hosts|interviewer|congregation|students|employees)")
_PERSON_OBJECT = re.compile(
    r"\s*(?:to\s+)?(?:(?:an?|the|this|that|his|her|their|its)\s+(?:[\w’'-]+\s+){0,3}?(?:press|news)\s+"
    r"(?:conference|briefing)s?|" + _AUDIENCE + r"|reporters|journalists|the\s+press|me|us|him|her|them|an?\s+[\w\s’'-]{2,30}?"
    r"|the\s+[\w’'-]+(?:\s+(?!(?:that|on|in|at|during|after|before|from|with|for|of|to)\b)[a-z][\w’'-]*)?"
    r"|(?:The\s+)?[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,3})(?=[\s,:])")
TELL = re.compile(r"tell|told|telling|tells|inform|assure|warn|remind|ask|urge|assured|warned|"
                   r"reminded|asked|urged|informed|informs|assures|warns|reminds|asks|urges")
# Adjuncts of time, place and medium between a cue and its content (rules-1.16: also before a colon,
# 'wrote on Facebook: “').
_OBJECT = re.compile(
    r"\s*(?:on\s+\w+|via\s+\w+|(?:in|at|from)\s+[A-Z][\w’'.-]*(?:,?\s+[A-Z][\w’'.-]*){0,2}|of\s+[A-Z][\w’'.-]*(?:\s+[A-Z][\w’'.-]*){0,2}|"
    r"(?:during|outside)\s+(?:the\s+|a\s+|an\s+|his\s+|her\s+)?[\w’'-]+"
    r"|in\s+(?:an?|the|his|her|their)\s+[\w\s’'-]{2,40}?"
    r"|at\s+(?:an?|the)\s+[\w\s’'-]{2,40}?|(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday)(?:\s+(?:morning|afternoon|evening|night))?|(?:last|this|earlier\s+this)\s+"
    r"(?:week|month|year)|yesterday|today|recently|earlier|later|also|previously)(?=[\s,:])")


# Adjuncts of time between a speaker and its cue: 'McConnell, who in 2010 said ...',
# 'Smith on Tuesday said ...', 'A poll released Friday found ...'. They are no part of the
# speaker phrase.
_TIME_BEFORE_CUE = re.compile(
    r"(?:\s+(?:released|published|issued|conducted|filed|out))?\s+(?:(?:in|since|during)\s+(?:(?:early|late|mid-?)\s*)?(?:1[89]|20)\d\d|(?:on\s+)?(?:Monday|Tuesday|"
    r"Wednesday|Thursday|Friday|Saturday|Sunday)(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?:last|this|earlier\s+this)\s+(?:week|month|year)|yesterday|today)\s*$")


@dataclass
class Clause:
    cue: str
    cue_start: int
    cue_end: int
    spk_start: int
    spk_end: int
    end: int            # where the attribution clause stops


def _segments(text: str, lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    for m in _SEG.finditer(text, lo, hi):
        s, e = m.start(), m.end()
        # A closing mark may lead a segment ('"Face the Nation," House Speaker ...'),
        # an opening one may end it; the reverse means the segment is quoted words.
        while s < e and (text[s].isspace() or text[s] in "”’" or text[s] == '"' and
                         (s + 1 == e or text[s + 1].isspace())):
            s += 1
        while e > s and (text[e - 1].isspace() or text[e - 1] in "“‘"):
            e -= 1
        out.append((s, e))
    return out



def _strip_conjunction(text: str, s: int, e: int) -> int:
    m = re.match(r"(?:and|but|while|as|so|yet|because|though|although|then)\s+", text[s:e], re.I)
    return s + m.end() if m else s


# A place after a preposition, ending its segment: 'in Aurora', 'of Springfield'.
_PLACE_END = re.compile(r"(?<!\S)(?:in|at|from|near|outside|of)\s+(?:[A-Z][\w.’'-]*\s+){0,2}[A-Z][\w.’'-]*$")
_PLACE_NAME = re.compile(r"(?:[A-Z][\w’'-]*\.?|(?:[A-Z]\.){2,})(?:\s+[A-Z][\w’'-]*\.?){0,2}$")


def _place_tail(text: str, prev: tuple[int, int], seg: tuple[int, int]) -> bool:
    """seg names the state or country of the place that ends prev: 'in Columbus' + 'Ohio',
    'of Springfield' + 'Va.'; only a comma lies between them. The caller asks only where a
    segment comes before prev: a sentence's opening phrase ('Back in Virginia, Mr. Clarke
    said') may stand before the speaker."""
    words = text[seg[0]:seg[1]].split()
    if strip_titles(" ".join(words))[0] != " ".join(words):
        return False                        # 'in Virginia, Mr. Clarke': a title opens a name
    return text[prev[1]:seg[0]].strip() == "," and _PLACE_NAME.match(text, seg[0], seg[1]) is not None \
        and _PLACE_END.search(text, prev[0], prev[1]) is not None


def _before_dash_aside(text: str, lo: int, cue_start: int) -> int:
    """rules-1.18: 'Joyce — who is listed as an attorney in Illinois — told ...': where the aside between dashes
    that ends right before the cue opens (the speaker stands before it); else cue_start."""
    end = len(text[lo:cue_start].rstrip()) + lo
    if end <= lo or text[end - 1] not in "—–":
        return cue_start
    opening = text.rfind(text[end - 1], lo, end - 1)
    return opening if opening > lo and text[lo:opening].strip() else cue_start


def speaker_before(text: str, lo: int, cue_start: int) -> tuple[int, int] | None:
    """The speaker phrase that ends right before a cue, looking back no further than lo."""
    cue_start = _before_dash_aside(text, lo, cue_start)
    segs = [sg for sg in _segments(text, lo, cue_start)]
    while segs and segs[-1][0] == segs[-1][1]:
        segs.pop()
    if not segs:
        return None
    # ", in an interview with Izvestia," between the speaker and the cue is an adjunct.
    # ", who runs the campaign," likewise: skip up to two such segments.
    last = segs[-1]
    for _ in range(2):
        if len(segs) >= 3 and _place_tail(text, segs[-2], last):
            # rules-1.15: 'who lost her daughter in Aurora, Colorado,': the state after a
            # place closes the segment before it; it is no speaker.
            segs[-2:] = [(segs[-2][0], last[1])]
            last = segs[-1]
        words = text[last[0]:last[1]].split()
        if not words:  # a segment of spaces only: no adjunct to skip
            break
        first_word = words[0].lower()
        # rules-1.15: an age, 'of' and a place ('Dewayne Smithy, 33, of Baldwin, Miss., said') or
        # 'now ...' ('Mr. Daniloff, now 81 and retired in Cambridge, Mass., said') are skipped too.
        age = len(words) == 1 and words[0].isdigit() or first_word == "now" and len(words) > 1
        if len(segs) >= 2 and ((first_word in PREPOSITIONS or first_word.endswith("ing")
                                or first_word in ("who", "whose", "which", "of")) and len(words) > 1 or age) \
                and text[last[1]:cue_start].strip() == ",":
            segs.pop()
            cue_start = last[0]
            last = segs[-1]
    adjunct = _TIME_BEFORE_CUE.search(text, last[0], last[1])
    if adjunct and adjunct.start() > last[0]:
        last = (last[0], adjunct.start())
    s = _strip_conjunction(text, *last)
    here = text[s:last[1]]
    if here == "who" or here.endswith(" who"):
        # "an architect who said ...": the speaker is the relative pronoun's antecedent.
        lo_ant, hi_ant = (segs[-2] if here == "who" and len(segs) >= 2 else (s, last[1] - 4))
        m = _ANTECEDENT.search(text, lo_ant, hi_ant)
        return (m.start(), m.end()) if m and np_kind(m.group()) else None
    kind = np_kind(here)
    if kind is None:
        return None
    if len(segs) >= 2 and kind != "pronoun":
        ps, pe = segs[-2]
        ps = _strip_conjunction(text, ps, pe)     # 'But Megan Hester, senior associate ...'
        prev = text[ps:pe]
        here = text[s:last[1]]
        # 'Megan Hester, senior associate at ...': a bare name, then any descriptor.
        if (is_role(here) or kind == "descriptor" and split_name(prev)[0] == prev.strip()) \
                and split_name(prev)[0] or (is_role(prev) and split_name(here)[0] and np_kind(prev)):
            s = _strip_conjunction(text, ps, pe)
        elif kind == "descriptor" and len(segs) >= 3 and is_role(prev):
            # 'Anna Berg, a fellow at the Institute, a liberal think tank, said': the second
            # apposition describes the first one's organisation; the speaker is the name.
            ns, ne = segs[-3]
            ns = _strip_conjunction(text, ns, ne)
            if split_name(text[ns:ne])[0] == text[ns:ne].strip():
                s = ns
    return s, last[1]


_DESCRIPTOR_GLUE = {"of", "for", "the", "and", "at", "on", "in", "a", "an"}


def _descriptor_words(phrase: str) -> bool:
    """A speaker phrase that opens in lower case without a determiner ('senior aides said')
    holds only role words, names and glue: 'said parents still want schools' is content."""
    words = phrase.split()
    if words[0][:1].isupper() or words[0].lower() in DETERMINERS or len(words) == 1:
        return True
    return all(w[:1].isupper() or w.lower().strip(".,’'") in PERSON_NOUNS or w.lower() in ROLE_ADJECTIVES
               or w.lower() in _DESCRIPTOR_GLUE for w in words)


def speaker_after(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The speaker phrase right after an inverted cue ("said Dmitry Peskov, press secretary ...")."""
    while hi > lo and text[hi - 1] in ".!?… ":
        hi -= 1
    segs = _segments(text, lo, hi)
    if not segs or np_kind(text[segs[0][0]:segs[0][1]]) is None \
            or not _descriptor_words(text[segs[0][0]:segs[0][1]]):
        return None
    s, e = segs[0]
    if len(segs) >= 2:
        nxt = text[segs[1][0]:segs[1][1]]
        here = text[s:e]
        if nxt and nxt.split()[0].lower() not in PREPOSITIONS and (
                (split_name(here)[0] and is_role(nxt)) or (is_role(here) and split_name(nxt)[0])):
            e = segs[1][1]
    return s, e


_CLAUSE_STOP = re.compile(r"[.!?]+(?=\s|$)|[“\"]|\s[–—―]\s")

def clause_end(text: str, pos: int, limit: int) -> int:
    """End of the sentence that starts an attribution at pos (past its full stop). The period
    of a title or an initial ('said Mr. Burman', 'said the Rev. Peter Wherry') ends nothing."""
    while True:
        m = _CLAUSE_STOP.search(text, pos, limit)
        if not m:
            return limit
        if m.group() == "." and is_abbreviation(text, m.start()):
            pos = m.end()
            continue
        return m.end() if m.group()[0] in ".!?" else m.start()


def post_clause(text: str, pos: int, limit: int) -> Clause | None:
    """An attribution right after content: ', Dmitry Peskov said.' or ', said Dmitry Peskov.'"""
    end = clause_end(text, pos, limit)
    window = text[pos:end]
    lead = len(window) - len(window.lstrip(" ,\u00a0"))
    start = pos + lead
    m = CUE.search(text, start, end)
    if not m:
        return None
    if m.start() == start and not TELL.fullmatch(m.group(1)):
        spk = speaker_after(text, m.end(), end)
        if spk is None:
            return None
        return Clause(m.group(1), m.start(1), m.end(), spk[0], spk[1], end)
    # Speaker then cue: everything between must be the speaker.
    head = text[start:m.start()].rstrip(" ,")
    spk_end = start + len(head)
    if np_kind(head) is None and not _appositive(head):
        # rules-1.15: ', Mr. Daniloff, now 81 and retired in Cambridge, Mass., said': the name,
        # then adjuncts that speaker_before() skips.
        spk = speaker_before(text, start, m.start())
        if spk is None or spk[0] != start:
            return None
        spk_end = spk[1]
    rest = text[m.end():end]
    if re.match(r"\s*(?:that|,?\s*[“\"])", rest):
        return None
    return Clause(m.group(1), m.start(1), m.end(), start, spk_end, end)


def _appositive(head: str) -> bool:
    """'Scott Pruitt, the attorney general of Oklahoma, one of the states suing the EPA'."""
    parts = [p.strip() for p in head.split(",") if p.strip()]
    if not 2 <= len(parts) <= 3 or not all(np_kind(p) for p in parts):
        return False
    return bool(split_name(parts[0])[0] and is_role(parts[1])
                or is_role(parts[0]) and split_name(parts[1])[0])


_TIME = re.compile(r"(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
                   r"yesterday|today|tonight|last|this|earlier|later|recently)\b")


def adjunct_tail(rest: str, cue: str) -> bool:
    """What may follow a closing attribution: nothing, an adjunct, a time, or tell's object."""
    rest = rest.strip(" .!?…\u00a0")
    if not rest:
        return True
    if len(rest.split()) > 12 or re.search(r"\bthat\b|[“”\"]", rest):
        return False
    first = rest.split()[0].lower()
    if first in PREPOSITIONS or first in ("of", "as", "adding", "noting", "saying") or _TIME.match(rest):
        return True
    if not TELL.fullmatch(cue):
        return False
    # 'told Izvestia', 'told reporters on Monday', 'told reporters after the vote': the object,
    # then adjuncts only.
    padded = " " + rest + " "
    left = padded[past_object(padded, 0, len(padded), cue):].strip(" ,")
    return not left or left.split()[0].lower() in PREPOSITIONS or left.split()[0].lower() in ("as", "while", "when") \
        or _TIME.match(left) is not None


def dash_name(text: str, pos: int, limit: int) -> tuple[int, int] | None:
    """'” ― Sonya Herridge': a dash and a bare name after a quote, closing the paragraph."""
    m = re.compile(r"\s*[―—–]\s*([A-Z][\w’'.-]+(?:\s+[A-Z][\w’'.-]+){0,3})[\s.,]*$").match(
        text, pos, limit)
    return (m.start(1), m.end(1)) if m else None


def pre_clause(text: str, lo: int, open_at: int) -> Clause | None:
    """An attribution that introduces content: 'X wrote that “', 'X said: “', 'She said, “'."""
    head = text[lo:open_at]
    stripped = head.rstrip()
    if not stripped:
        return None
    if not re.search(r"(?:that|:|,|[a-z])$", stripped):
        return None
    cues = list(CUE.finditer(text, lo, open_at))
    if not cues:
        return _name_colon(text, lo, open_at)
    m = cues[-1]
    if skip_object(text, m.end(), open_at, m.group(1)) is None:
        return None
    spk = speaker_before(text, lo, m.start())
    if spk is None and m.group(1).endswith("ing") and text[m.start() - 2:m.start()].strip() == ",":
        spk = subject(text, lo, m.start())      # 'He defended the remark, saying, “...”'
    if spk is None:
        return None
    return Clause(m.group(1), m.start(1), m.end(), spk[0], spk[1], open_at)


# rules-1.16: 'Clinton: "..." Bush: "..."', 'Pollsters agree - Carl Bialik: “...”': a name and a colon open the
# quote, at the start of a sentence or after a dash.
_NAME_COLON = re.compile(r"(?<![\w’'.-])((?:[A-Z][\w’'-]*|[A-Z]\.)(?:\s+(?:[A-Z][\w’'-]*|[A-Z]\.)){0,3}):\s*$")


def _name_colon(text: str, lo: int, open_at: int) -> Clause | None:
    m = _NAME_COLON.search(text, lo, open_at)
    if not m or np_kind(m.group(1)) != "name" or not speaker_like(m.group(1)):
        return None
    before = text[lo:m.start(1)].rstrip(" \u00a0")
    if before and not (before.endswith(("\n", ".", "!", "?", "”", "\"")) or re.search(r"\s[-–—]$", before)):
        return None
    last = m.group(1).split()[-1]
    # the name is written elsewhere in the article: not a label such as 'UPDATE:' or 'Photo:'
    if not re.search(r"(?<![\w-])" + re.escape(last) + r"(?![\w-])", text[:m.start(1)] + " " + text[open_at:]):
        return None
    first = m.group(1).split()[0]
    spk_start = m.start(1) + len(first) + 1 if first.lower() in SPEECH_FORMS and " " in m.group(1) else m.start(1)
    return Clause(":", m.end(1), m.end(1) + 1, spk_start, m.end(1), open_at)   # 'Stated Stone:' -> Stone


def past_object(text: str, pos: int, limit: int, cue: str) -> int:
    if TELL.fullmatch(cue):
        m = _PERSON_OBJECT.match(text, pos, limit)
        if m:
            pos = m.end()
    while True:
        m = _OBJECT.match(text, pos, limit)
        if not m or m.end() == pos:
            return pos
        pos = m.end()


def skip_object(text: str, cue_end: int, open_at: int, cue: str) -> int | None:
    """open_at when only an object, adjuncts and 'that', ':' or ',' lie between cue and quote."""
    pos = past_object(text, cue_end, open_at, cue)
    return open_at if re.fullmatch(r"\s*,?\s*(?:that\s*,?\s*|:\s*)?", text[pos:open_at]) else None
