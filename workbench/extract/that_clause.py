"""rules-1.10: content clauses that no other rule reads: 'environmentalists worry that ...',
'The Tax Policy Center estimates that ...', 'Trump's claim that ...', 'few experts believe that'.

A 'that' right after a word of saying or believing (a cue verb in any form, a speech noun such
as 'claim' or 'acknowledgment', an adjective such as 'convinced') opens reported content when the
word after it can open a clause: a pronoun, a determiner, a name, a number or a quotation. The
other rules need a speaker-like subject before the cue; here the subject may be anything
('Sanders's most passionate supporters', 'Many people involved in the negotiations'), so the
candidates only fill gaps (priority FALLBACK: they never cut or displace another statement).
"""
import re

from .lexicon import SPEECH_FORMS, STANCE_FORMS, inflect

# Verbs of knowing and deciding that take a content clause, beyond the cue lexicon.
_MORE_VERBS = {f for v in """understand learn hear discover realize realise recognize recognise
decide determine assume wish imagine speculate notice prove bet conclude rule testify stipulate
insinuate imply reason figure hint posit
""".split() for f in inflect(v)} | {"understood", "heard", "learnt", "proven"}
_VERBS = {f for f in SPEECH_FORMS + STANCE_FORMS if " " not in f} | _MORE_VERBS
_NOUNS = set("""claim claims report reports acknowledgment acknowledgement admission admissions
assertion assertions allegation allegations argument arguments belief beliefs concern concerns
fear fears worry worries warning warnings charge charges conclusion conclusions suggestion
suggestions insistence statement statements message notion recognition assurance assurances
promise promises pledge pledges prediction predictions speculation suspicion suspicions
complaint complaints accusation accusations emphasis pronouncement pronouncements announcement
declaration finding findings rumor rumors rumour rumours denial contention assumption doubts
consensus agreement theory argument view impression reminder reassurance vow vows
""".split())
_ADJECTIVES = set("""convinced sure confident certain afraid concerned worried hopeful optimistic
adamant aware frustrated disappointed unconvinced skeptical sceptical""".split())
_HEADS = _VERBS | _NOUNS | _ADJECTIVES
# 'that' as a complementizer: the next word can open a clause. A verb or an auxiliary right
# after it ('the report that was released') makes it a relative pronoun.
_THAT = re.compile(r"(?<![\w’'-])([A-Za-z]+)(?:,)?\s+that\s+(?=[“\"‘'A-Z0-9$]|(?:he|she|they|we|it|you|"
                   r"there|this|these|those|the|a|an|his|her|their|its|our|my|your|some|many|"
                   r"most|all|no|every|each|any|one|only|if|when|while|because|after|before|"
                   r"as|in|on|at|for|by|under|without|even|not|nobody|people)[\s,])")


def that_clauses(text: str, s: int, e: int):
    """(head_start, head_end, head, content_start) for each content clause in [s, e)."""
    if "that " not in text[s:e]:
        return
    for m in _THAT.finditer(text, s, e):
        head = m.group(1)
        if head.lower() not in _HEADS or head[0].isupper() and m.start(1) > s:
            continue
        yield m.start(1), m.end(1), head, m.end()
