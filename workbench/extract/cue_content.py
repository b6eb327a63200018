"""Where reported content starts after its cue: 'X said (on Monday) that CONTENT'.

The cue's object and adjuncts are skipped ("told reporters on Monday", "noted in a guest
column in Saturday's New York Times"), then 'that', an infinitive, a wh-word or, after verbs
that take one, a bare clause ("Cruz said he would ...").
"""
import re

from .attribution import TELL, past_object
from .lexicon import BARE_CLAUSE, DETERMINERS, INFINITIVE_VERBS, PREPOSITIONS, PRONOUNS, inflect

_THAT = re.compile(r"\s*,?\s*(?:that\s*,?\s+|:\s*)")   # 'joked that, among ...'
# rules-1.17: 'believes, for example, that', 'cautioned, as did the Clinton campaign itself, that'
_PARENTHESIS_THAT = re.compile(r"\s*,\s+[^,;:“”\"]{2,60},\s*that\s*,?\s+")
_TO = re.compile(r"\s+(?=(?:not\s+)?to\s+[a-z])")
# Indirect questions: 'asked whether ...', 'wondered why ...' (the gold content keeps the word).
_WH = re.compile(r"\s+(?=(?:whether|if|why|how|what|when|where|who)\s)")
_ASKING = {f for v in ("ask", "wonder", "question", "inquire") for f in inflect(v)}
_CLAUSE_GAP = re.compile(r"\s+(?=[\w’'\"“$]+)")
# rules-1.9: a longer adjunct before 'that' than past_object() knows ('told El Universal
# newspaper on Tuesday that', 'said in her opening remarks that', 'told a town hall in Salem,
# New Hampshire on Monday that'): up to 12 words opened by a preposition, an article or a
# name, with no verb form, quote or clause punctuation among them.
_ADJUNCT_WORDS = r"(?:(?!(?:that|who|which|is|are|was|were|has|have|had|and|but)\s)[\w’'.-]+,?\s){0,11}?that\s+(?=\S)"
_LONG_ADJUNCT_THAT = re.compile(r"\s+(?:in|at|on|during|after|before|from|with)\s" + _ADJUNCT_WORDS)
# The rest of an adjunct that past_object() began ('told El Universal | newspaper on Tuesday that'),
# not a new noun phrase ('said Tuesday | the bill that passed ...').
_ADJUNCT_GOES_ON = re.compile(r"\s+(?!(?:the|a|an|his|her|their|its|this|these|those)\s)[a-z]" + _ADJUNCT_WORDS)
_PREPOSITION = re.compile(r"\s(?:in|at|on|during|after|before|from|with|of)\s")

_WORD_AT = re.compile(r"[\w’']+")
# Up to seven words of a told or asked person (no clause word, no punctuation), then 'that', 'if' or 'whether'.
_LONG_PERSON_OBJECT = re.compile(r"\s+(?:(?!(?:that|if|whether|and|but|or|to|is|was|are|were|will|would|has|had|"
                                 r"have)\b)[\w’'.-]+\s+){1,7}?(?:that\s*,?\s+|(?=(?:whether|if)\s))")
# 'about 20 people', 'over 1,000 jobs': a preposition before a number is part of the subject that follows
_APPROXIMATE_NUMBER = re.compile(r"(?:about|around|over|under|nearly|almost|roughly|some)\s+\$?\d")


def content_after_cue(text: str, cue_end: int, limit: int, cue: str, bare: bool = False) -> int | None:
    """Start of reported content after a cue: past its object, adjuncts and 'that'. bare: the caller knows the
    cue takes a bare clause here though it need not elsewhere ('records show he backed ...')."""
    pos = past_object(text, cue_end, limit, cue)
    m = _THAT.match(text, pos, limit) or _PARENTHESIS_THAT.match(text, pos, limit)
    if m:
        return m.end()
    m = _LONG_ADJUNCT_THAT.match(text, pos, limit) or (
        _ADJUNCT_GOES_ON.match(text, pos, limit) if pos > cue_end else None)
    # an open adjunct past_object() stopped inside goes on to 'that' ('wrote in his 1990 | autobiography that')
    if m and (_PREPOSITION.search(text, pos, m.end()) or _OPEN_ADJUNCT.match(text, cue_end, pos)):
        return m.end()
    m = _LONG_PERSON_OBJECT.match(text, pos, limit) if TELL.fullmatch(cue) else None
    if m:
        # rules-1.17: 'tells Fox News anchor Megyn Kelly that', 'asked the 2016 Democratic White House contender
        # if': a person object longer than past_object() knows, then the content
        return m.end()
    m = _TO.match(text, pos, limit)
    if m and cue in INFINITIVE_VERBS:
        return m.end()
    m = _WH.match(text, pos, limit)
    if m and cue in _ASKING:
        return m.end()
    if cue not in BARE_CLAUSE and not bare:
        return None
    m = _CLAUSE_GAP.match(text, pos, limit)
    if not m:
        return None
    word = _WORD_AT.match(text, m.end(), limit)
    if _APPROXIMATE_NUMBER.match(text, m.end(), limit):
        return m.end()                      # rules-1.17: 'has said about 20 people have ...': a number, no adjunct
    if word and _OPEN_ADJUNCT.match(text, cue_end, pos) and not _opens_clause_after_adjunct(text, pos, word):
        return None                         # rules-1.18: 'said during a contentious | hearing in Arizona'
    if word and word.group().lower() in _NOT_CLAUSE_START:
        # 'Trump said after the convention he would not ...': a short adjunct, then a clause
        # opened by a pronoun subject.
        adj = _ADJUNCT_THEN_PRONOUN.match(text, m.end(), limit)
        return adj.end() if adj else None
    return m.end()


# rules-1.18: past_object() ends an open adjunct ('during a ...', 'at an ...', 'in a ...') after its first word,
# so a bare clause after one must open like a clause: a pronoun or determiner, a number, or a name that does not
# go on the adjunct's own capitalised words ('in a Rolling | Stone interview').
_CLAUSE_OPENERS = set(PRONOUNS) | DETERMINERS | {"there", "you", "no", "all", "most", "every", "any", "each", "more",
                                                 "few", "none", "nobody", "everyone", "someone", "my", "your", "not"}
_OPEN_ADJUNCT = re.compile(r"\s*(?:during|outside|in|at)\s+(?:an?|the|his|her|their)\s")
_LAST_WORD = re.compile(r"([\w’'.-]+)\s*$")


def _opens_clause_after_adjunct(text: str, adjunct_end: int, word: re.Match) -> bool:
    first = word.group()
    if first.lower() in _CLAUSE_OPENERS or first[0].isdigit() or text.startswith("$", word.start()):
        return True
    if not first[0].isupper():
        return False
    last = _LAST_WORD.search(text, max(0, adjunct_end - 40), adjunct_end)
    return not (last and last.group(1)[0].isupper())


_ADJUNCT_THEN_PRONOUN = re.compile(r"(?:after|before|during|in|on|at|last|earlier|later|"
                                   r"this|that|yesterday|today)\b[^,;:.“”\"]{0,40}?\s"
                                   r"(?=(?:he|she|they|we|I|it)\s+[a-z’']+\s)")


# Words that cannot open a reported clause after a bare "said": adjuncts and particles.
_NOT_CLAUSE_START = PREPOSITIONS | {"of", "when", "so", "as", "and", "but", "or", "nothing", "something",
                                    "yes", "goodbye", "hello", "thanks", "sorry", "to",
                                    "too", "though", "otherwise", "instead", "repeatedly",
                                    "then", "publicly", "privately", "earlier", "later"}
