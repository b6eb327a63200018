"""Gap-filling fallbacks (priority FALLBACK): content clauses whatever their subject, and
verbs of intention ('hopes to', 'plans to').

A mixin of SentenceRules (reported.py); run after the other sentence rules, whose
candidates win any overlap.
"""
import re

from .attribution import Clause, speaker_before
from .phrase_kind import GENERIC_PLURAL, speaker_like
from .sentence_subject import fronted_subject
from .candidate import FALLBACK, words as _words
from .content_end import cut_afterthought
from .cues import STANCE
from .that_clause import that_clauses

_INTENTION = re.compile(r"(?<=[a-zA-Z.] )(hopes|plans|intends)\s+(?:(to)\s+(?=[a-z])|(that)\s+(?=\S))")
_POSSESSOR = re.compile(r"([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})[’']s?\s+(?:[a-z]+\s+){0,2}$")


def _possessor(text: str, s: int, head_start: int) -> tuple[int, int] | None:
    """'Trump’s repeated claim': the owner of a speech noun, a name in the possessive."""
    m = _POSSESSOR.search(text, max(s, head_start - 60), head_start)
    return (m.start(1), m.end(1)) if m else None


class FallbackRules:
    def intention(self, s: int, e: int) -> None:
        """rules-1.12: 'Clinton hopes to make ...', 'The U.S. plans to help ...', 'Sanders
        hopes that ...': 'hopes' and 'plans' are more often nouns, so they are no cue words;
        before an infinitive or 'that' after a speaker they are verbs of intention."""
        text = self.text
        for m in _INTENTION.finditer(text, s, e):
            if self.in_quote(m.start()) or _words(text, m.end(), e) < 3:
                continue
            spk = speaker_before(text, s, m.start()) or self._local(s, m.start())
            if spk is None or not speaker_like(text[spk[0]:spk[1]]) \
                    or re.search(r"(?:[’']s?|\b(?:the|a|an|his|her|their|its|our|my|your|whose))\s*$",
                                 text[spk[0]:m.start()], re.I):
                continue                    # 'Clinton’s plans to ...', 'the plans to': nouns
            clause = Clause(m.group(1), m.start(1), m.end(1), spk[0], spk[1], e)
            cs = m.end() if m.group(2) == "that" else m.start(2)
            self.add(cs, cut_afterthought(text, cs, e), "indirect", clause, FALLBACK, keep_stop=False)

    def that_fallback(self, s: int, e: int) -> None:
        """rules-1.10: 'environmentalists worry that ...', 'Trump's claim that ...': content
        clauses whatever their subject; they fill gaps only (priority FALLBACK)."""
        text = self.text
        for hs, he, head, cs in that_clauses(text, s, e):
            if self.in_quote(hs) or _words(text, cs, e) < 3:
                continue
            before = text[max(s, hs - 12):hs].split()
            if before and before[-1].lower() in ("is", "was", "be", "been", "being", "are", "were") \
                    and head.endswith("ed"):
                continue                    # 'It is expected that': no one says it
            spk = _possessor(text, s, hs) or self._local(s, hs) or speaker_before(text, s, hs) \
                or self._coordinated(s, hs)
            spk = fronted_subject(text, s, hs, e, spk)
            if spk and head in STANCE and GENERIC_PLURAL.fullmatch(text[spk[0]:spk[1]]):
                continue                    # 'Experts believe that': as in reported()
            clause = Clause(head, hs, he, spk[0], spk[1], e) if spk else None
            c = self.add(cs, cut_afterthought(text, cs, e), "indirect", clause, FALLBACK,
                         keep_stop=False)
            if c is not None and clause is None:
                c.cue = head
