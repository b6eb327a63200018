"""Stance-verb objects: 'Trump has called for the repeal of ...', 'accused X of lying'.

A mixin of SentenceRules (reported.py): it reads self.text and appends through self.add; it
uses the subject finders of subject_rules.py and reads the rest of a sentence with
self.reported.
"""
import re

from .attribution import Clause, speaker_before
from .phrase_kind import speaker_like
from .candidate import RULE, words as _words
from .content_end import cut_adjunct, cut_afterthought, cut_object, open_quote
from .cue_content import content_after_cue
from .cues import CUE, OBJECT_CUE
from .lexicon import CLAUSE_WORDS, inflect

# A second predicate of the stance verb's subject: ', and urged ...', ' but said ...', ', calling
# ...', ' while Democrats defended ...' is left to the verb's own rule.
_SECOND_PREDICATE = re.compile(r",?\s+(?:and|but|while)\s+(?:(?:also|then|later|repeatedly|[a-z]+ly)\s+)?"
                               r"((?:has\s+|have\s+|had\s+)?[a-z]+(?:ed|ied)|said|told|wrote|sought|"
                               r"took|gave|made|saw|spoke|found|sent|met|left|came|went|"
                               r"says|tells|calls|urges|warns|accuses|argues|insists|adds)\b|"
                               r",\s+((?!including|meaning|according)[a-z]+ing)\b")



# What makes a stance verb's object say something: a quotation, a clause ('that ...', 'to
# repeal ...', 'of ignoring ...', 'what she called ...'), or a predicate on the object ('called
# the plan a disaster', 'dismissed the tender as rigged'). Without one the object is a thing
# the speaker acted on.
_OBJECT_CLAUSE = re.compile(
    r"[“”\"«»]|''|\b(?:that|whether|what|how|why|who|which|because)\b|\bto\s+(?!(?:the|a|an|his|her|"
    r"their|its|our|my|your|this|that|these|those|[A-Z]\w*)\b)[a-z]+|\b(?:of|for|by|about|from|against|"
    r"on|over|in|without)\s+(?:not\s+)?[a-z]+ing\b|\bas\s+[a-z]")
_PREDICATIVE = {f for v in ("call", "label", "dub", "brand", "term", "describe", "liken", "compare",
                            "deride", "hail", "accuse", "blame", "credit", "fault")
                for f in inflect(v)}


def bare_noun_phrase(obj: str, verb: str) -> bool:
    """A stance verb's object that is only a noun phrase: no quotation, no clause, and a verb
    that does not predicate something of its object ('welcomed the vote', 'criticised the
    decision', 'warned of consequences'). Such an object is no statement."""
    if verb.split()[0] in _PREDICATIVE or _OBJECT_CLAUSE.search(obj):
        return False
    words = [w.lower().strip(".,;:’'") for w in obj.split()]
    return not any(w in CLAUSE_WORDS for w in words)


class StanceRules:
    # True while the rest of a sentence after a cut stance object is read: that reading reads
    # no further tail of its own.
    _reading_tail = False

    def stance_object(self, s: int, e: int) -> None:
        """'Trump has called for the repeal of ...': the object of a stance verb, when the
        subject right before the verb is a person, an organisation or a pronoun."""
        text = self.text
        for m in OBJECT_CUE.finditer(text, s, e):
            spk = self._coordinated(s, m.start()) or speaker_before(text, s, m.start()) \
                or self._local(s, m.start())
            if spk is None or not speaker_like(text[spk[0]:spk[1]]):
                continue
            if m.group(1) in ("called", "named", "dubbed") and re.match(
                    r"(?:an?|one|another|some)\s", text[spk[0]:spk[1]], re.I):
                continue                    # rules-1.10: 'a company called Cambridge Analytica'
            cstart = m.end()
            while cstart < e and text[cstart].isspace():
                cstart += 1
            if _words(text, cstart, e) < 2 or not (text[cstart].isalnum() or text[cstart] in "“\"$"):
                continue
            end = cut_object(text, cstart, e)
            nxt = self._second_verb(cstart, end)
            if nxt is not None:
                end = nxt[0]                # rules-1.10: 'called X a liar, and urged him to resign'
            clause = Clause(m.group(1), m.start(1), m.end(), spk[0], spk[1], e)
            if not bare_noun_phrase(text[cstart:end], m.group(1)):
                cut = cut_adjunct(text, cstart, end)
                self.add(cstart, cut, "indirect", clause, RULE, keep_stop=False)
                if cut < end and nxt is None and not self._reading_tail:
                    self._reading_tail = True
                    try:
                        self.reported(cut + 1, e)
                    finally:
                        self._reading_tail = False
            elif nxt is None:
                continue                    # 'welcomed the vote', 'pushed for exemptions'
            if nxt is not None:
                self._second_predicate(nxt[1], e, spk)
            return

    def _second_verb(self, cstart: int, end: int) -> tuple[int, int] | None:
        """(where the object ends, where the next cue starts) for a stance verb's object that
        a second predicate of the same subject follows: ', and urged ...', ' but stopped short
        of calling ...', ', accusing ...'. Not inside a quotation or a relative clause."""
        text = self.text
        for nxt in _SECOND_PREDICATE.finditer(text, cstart, end):
            if _words(text, cstart, nxt.start()) < 2 or open_quote(text, cstart, nxt.start()) \
                    or re.search(r",\s+(?:who|which|whose|where)\s", text[cstart:nxt.start()]):
                return None
            cue = CUE.search(text, nxt.start(), end) or OBJECT_CUE.search(text, nxt.start(), end)
            other = OBJECT_CUE.search(text, nxt.start(), end)
            if other and (cue is None or other.start(1) < cue.start(1)):
                cue = other
            if nxt.group(2) and (cue is None or cue.start(1) != nxt.start(2)):
                continue                    # ', singing ...': not a cue
            return nxt.start(), (cue.start(1) if cue else end)
        return None

    def _second_predicate(self, vs: int, e: int, spk: tuple[int, int]) -> None:
        """The second verb of 'X called Y a liar and urged him to resign': a cue or a stance
        verb whose content is read like the first one's, spoken by the same subject."""
        text = self.text
        m = CUE.search(text, vs, min(e, vs + 30))
        if m and m.start(1) == vs:
            quote = re.match(r"\s*,?\s*(?=[“\"])", text[m.end():e])
            cstart = m.end() + quote.end() if quote else content_after_cue(text, m.end(), e, m.group(1))
            if cstart is not None and _words(text, cstart, e) >= 3:
                clause = Clause(m.group(1), m.start(1), m.end(), spk[0], spk[1], e)
                self.add(cstart, cut_afterthought(text, cstart, e), "indirect", clause, RULE,
                         keep_stop=False)
            return
        m = OBJECT_CUE.search(text, vs, min(e, vs + 30))
        if m and m.start(1) == vs:
            cstart = m.end()
            while cstart < e and text[cstart].isspace():
                cstart += 1
            end = cut_object(text, cstart, e)
            if _words(text, cstart, end) >= 2 and not bare_noun_phrase(text[cstart:end], m.group(1)):
                clause = Clause(m.group(1), m.start(1), m.end(), spk[0], spk[1], e)
                self.add(cstart, cut_adjunct(text, cstart, end), "indirect", clause, RULE, keep_stop=False)
