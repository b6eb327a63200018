"""Subjects that speaker_before() does not find: coordinated verbs, appositives, any noun
phrase before 'said' / 'say'.

A mixin of SentenceRules (reported.py): it reads self.text and self.in_quote and appends
through self.add.
"""
import re

from .attribution import Clause
from .sentence_subject import subject
from .candidate import FALLBACK
from .content_end import cut_afterthought
from .cues import CUE, OBJECT_CUE
from .lexicon import PREPOSITIONS
from .subjects import local_speaker

# Words that open a subordinate clause: a sentence's lead-in, not a statement of its own.
SUBORDINATORS = {"when", "after", "before", "while", "since", "although", "though", "if",
                 "unless", "once", "until", "as", "just", "which", "who", "whose", "where"}
_AND_BEFORE = re.compile(r"\s(and|but|by|after|before|while|without)\s+$")
_SUBJECT_BOUNDARY = re.compile(r"[,;:]\s+(?![^(]*\))|\s(?:and|but|because|while|as|that|if|"
                               r"when|since|though|although|so)\s")
_NEXT_SHARE = re.compile(r"[,;]\s+(?:and\s+|while\s+)?(?:\d+(?:%|\s+percent)|[A-Z][a-z]+(?:-[a-z]+)?\s+percent)")
_PARENS = re.compile(r"\([^()]*\)")
# Words that show the phrase before a cue is no subject: a verb form, a quote's lead-in.
_NOT_SUBJECT = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could",
                "should", "must", "do", "does", "did", "be", "been", "not", "it", "i", "you",
                "there", "what", "which", "how", "why", "whom", "to", "ever", "never"}


class SubjectRules:
    def _any_subject(self, s: int, m, cstart: int, e: int) -> None:
        """rules-1.12: 'those surveyed said ...', 'About 4 in 10 say ...', 'Sen. X (a ...) says
        ...': a plain verb of saying and a bare clause after it, whatever noun phrase is its
        subject. A fallback: it fills gaps only."""
        text = self.text
        lo = s
        for b in _SUBJECT_BOUNDARY.finditer(text, s, m.start()):
            lo = b.end()
        seg = _PARENS.sub(lambda x: " " * len(x.group()), text[lo:m.start()])
        words = seg.split()
        if not 1 <= len(words) <= 10 or self.in_quote(m.start()) \
                or any(q in text[s:m.start()] for q in ("“", "”", "\"", "''")):
            return                          # '...,'' said Curt Smith, ...': an inverted quote
        low = [w.lower().strip(".,’'") for w in words]
        if any(w in _NOT_SUBJECT for w in low) or low[0] in ("so", "let", "let's", "let’s", "as") \
                or low[0] in PREPOSITIONS or low[-1] == "who":
            return
        st = lo + len(seg) - len(seg.lstrip())
        spk = (st, st + len(seg.rstrip()) - (len(seg) - len(seg.lstrip())))
        if self._after_quote(spk[0]):
            return
        clause = Clause(m.group(1), m.start(1), m.end(), spk[0], spk[1], e)
        end = cut_afterthought(text, cstart, e)
        more = _NEXT_SHARE.search(text, cstart, end)   # '42% say X, 32% call themselves Y'
        self.add(cstart, more.start() if more else end, "indirect", clause, FALLBACK, keep_stop=False)

    def _appositive_subject(self, s: int, cue_start: int) -> tuple[int, int] | None:
        """'Johnnie Wilson, of Springfield, Va., said ...': a capitalised name that opens the
        sentence, then an appositive closed by the comma right before the cue."""
        text = self.text
        if text[cue_start - 2:cue_start] != ", " or self.in_quote(cue_start):
            return None
        comma = text.find(",", s, cue_start - 2)
        head = text[s:comma].split() if comma > s else []
        if not 1 <= len(head) <= 6 or not all(w[:1].isupper() for w in head if len(w) > 3) \
                or head[0].lower() in PREPOSITIONS or head[0].lower() in SUBORDINATORS \
                or any(ch in text[s:cue_start] for ch in "“”\"") or CUE.any_in(text, s, cue_start - 2):
            return None
        return s, comma

    def _local(self, s: int, cue_start: int) -> tuple[int, int] | None:
        """local_speaker(), but not inside a quotation: there the quote is the statement."""
        return None if self.in_quote(cue_start) else local_speaker(self.text, s, cue_start)

    def _coordinated(self, s: int, cue_start: int) -> tuple[int, int] | None:
        """'Strada accused the government of X and asserted that Y': a second verb joined by
        'and' shares the sentence's subject; the first verb's object is a statement too."""
        m = _AND_BEFORE.search(self.text, s, cue_start)
        if not m:
            return None
        spk = subject(self.text, s, m.start())
        if spk is None:
            return None
        if m.group(1) in ("and", "but") and OBJECT_CUE.any_in(self.text, spk[1], m.start()):
            self.stance_object(s, m.start())
        return spk
