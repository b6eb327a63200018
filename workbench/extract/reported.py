"""Sentence rules: attributions and reported speech written without quote marks.

'CONTENT, X said.', 'X stressed that CONTENT', 'According to X, CONTENT', 'Trump has called for
CONTENT'. A mixin of the paragraph rules in cascade.py: it reads self.text, self.sents,
self.pe, self.out and appends through self.add. Its parts: source_rules.py (lead-ins naming
the source), subject_rules.py (subjects), stance_rules.py (stance-verb objects),
fallbacks.py (gap fillers), content_end.py (where content ends).
"""
import re

from .attribution import TELL, Clause, adjunct_tail, clause_end, speaker_after, speaker_before
from .phrase_kind import GENERIC_PLURAL
from .sentence_subject import fronted_subject, subject
from .candidate import RULE, words as _words
from .content_end import cut_afterthought, open_quote
from .cue_content import content_after_cue
from .cues import CUE, OBJECT_CUE, STANCE
from .fallbacks import FallbackRules
from .lexicon import CLAUSE_WORDS, PREPOSITIONS, SOURCE_NOUNS
from .source_rules import SourceRules
from .stance_rules import StanceRules
from .subject_rules import SUBORDINATORS, SubjectRules

_SAY_ANY_SUBJECT = {"say", "says", "said"}
DASH_CONT = re.compile(r"\s*[–—―]\s+(?=\S)")
# rules-1.18: 'show' and 'find' take a bare clause after a document or survey ('FEC records show he backed ...'),
# not before a particle, and what is shown in pictures ('The ads show images of ...') is no finding
_SOURCE_VERBS = {"show", "find"}
_PARTICLE = re.compile(r"\s+(?:up|off|out)\b")          # 'refusing to show up', 'find out'
_FINDING_SOURCES = SOURCE_NOUNS - {"ad", "ads", "video", "videos", "footage", "book", "books", "website", "site", "blog",
                                   "post", "tweet", "tweets", "article", "articles", "model", "models"}
# rules-1.18: also a bare comma before a new subject and its cue (', Clinton has nevertheless called ...', ', others
# argue ...'), a coordinated subject ('while Maine Sen. Susan Collins and Texas Rep. Louis Gohmert suggested')
_NEXT_CLAUSE = re.compile(r",\s+(?:(?:and|but|though|although|while)\s+)?|\s+(?:but|though|although|while)\s+")
_NAME = r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}"
_NEXT_SUBJECT = re.compile(r"((?:he|she|they|we|I|others|critics|opponents|supporters|" + _NAME + r"(?:\s+and\s+"
                           + _NAME + r")?|the\s+[a-z]+(?:\s+[a-z]+)?)\s+)?(?:(?:also|later|then|has|have|had|"
                           r"nevertheless|still|since|[a-z]+ly)\s+){0,2}")


def _inverted_ok(text: str, cue: str, spk: tuple[int, int]) -> bool:
    """rules-1.11: ', said Michael Oppenheimer' / ', says the expert' is an inverted attribution;
    ', claiming his third victory', ', criticized the platform' and ', said Trump campaign
    strategists plan to ...' are not: a participle or a stance verb is never inverted, and a
    name ends in a capitalised word."""
    if cue.endswith("ing") or cue in STANCE:
        return False
    words = text[spk[0]:spk[1]].split()
    return not words[0][:1].isupper() or words[-1].strip(".,()")[:1].isupper()


def _fronted_adjunct(text: str, s: int, comma: int) -> bool:
    """'During his years in office', 'In a statement Thursday', 'Six months ago': a phrase of
    place, time or occasion before 'A, he said, B', no clause of its own ('To understand X' and
    'Though that went smoothly' are part of the speech)."""
    words = text[s:comma].split()
    low = [w.lower().strip("“”\"’',") for w in words]
    if not words or any(w in CLAUSE_WORDS for w in low[1:]):
        return False
    return (low[0] in PREPOSITIONS and low[0] != "to") or low[-1] == "ago"


def _opens_sentence(text: str, s: int, pos: int) -> bool:
    """pos is the sentence's first word, or follows only a conjunction ('So I think', rules-1.17)."""
    return pos == s or text[s:pos].strip(" ,").lower() in _LEAD_CONJUNCTIONS


_LEAD_CONJUNCTIONS = {"so", "and", "but", "yet", "and so", "but still", "still", "now", "well"}

# Compiled once: these run for every cue of every sentence.
_THAT_OR_COLON = re.compile(r"\s*(?:that\b|:)")
_COMMA = re.compile(r",\s+")
_UP_TO_COMMA = re.compile(r"[^,]*?,\s+")
_CLOSED_QUOTE_END = re.compile(r"[,.!?][”\"’']\s*$")


class SentenceRules(SourceRules, SubjectRules, StanceRules, FallbackRules):
    # -- sentence rules -------------------------------------------------------------------
    def trailing_attribution(self, s: int, e: int) -> tuple[int, Clause, int | None] | None:
        """'CONTENT, Dmitry Abzalov, president of ..., told Izvestia.' -> (comma, clause, more)
        where more is where content resumes after a parenthetical ('A, he said, B.')."""
        text = self.text
        for m in reversed(list(CUE.finditer(text, s, e))):
            rest = text[m.end():e]
            if _THAT_OR_COLON.match(rest):
                continue
            if m.start() > s and text[m.start() - 2:m.start()].strip() == "," \
                    and not TELL.fullmatch(m.group(1)):
                # Inverted: ', says the expert.'
                stop = clause_end(text, m.end(), e)
                spk = speaker_after(text, m.end(), stop)
                if spk and not _inverted_ok(text, m.group(1), spk):
                    spk = None
                comma = text.rfind(",", s, m.start())
                if spk and comma > s:
                    return comma, Clause(m.group(1), m.start(1), m.end(1), spk[0], spk[1],
                                         clause_end(text, m.end(), self.pe)), None
            spk = speaker_before(text, s, m.start())
            if spk is None or "who" in text[spk[1]:m.start()].split():
                continue
            comma = text.rfind(",", s, spk[0])
            if comma <= s or text[comma + 1:spk[0]].strip():
                continue
            head = text[s:comma].split()
            first = head[0].lower().strip("“\"'")
            # 'Though that went smoothly, he said, replacing her would ...': a bare cue set off
            # by commas on both sides is a parenthetical, whatever the lead-in.
            paren = _COMMA.match(rest) is not None and _words(text, m.end(), e) >= 4
            if len(head) <= 10 and not paren and (first in PREPOSITIONS or first in SUBORDINATORS
                                                  or first.endswith("ing")):
                continue                            # 'On Wednesday, he told a crowd ...'
            more = None
            tail = _UP_TO_COMMA.match(rest)
            # rules-1.9: only an adjunct may come between the cue and that comma: in 'Nevada's
            # governor, Brian Sandoval, a Republican, said Tuesday that he had voted for Mr.
            # Rubio, but ...' the cue has content of its own, and the words before are no speech.
            if tail and _words(text, m.end() + tail.end(), e) >= 2 \
                    and adjunct_tail(rest[:tail.end()].rstrip(", "), m.group(1)):
                more = m.end() + tail.end()         # 'A, he said, B.'
            elif not adjunct_tail(rest, m.group(1)):
                continue                            # 'In 2010, McConnell said the goal was ...'
            return comma, Clause(m.group(1), m.start(1), m.end(1), spk[0], spk[1],
                                 clause_end(text, m.end(), self.pe)), more
        return None

    def sentence_rules(self) -> None:
        self.headline_rules()
        text = self.text
        for s, e in self.sents:
            if self.in_source(s, e):
                continue
            if not (CUE.any_in(text, s, e) or OBJECT_CUE.any_in(text, s, e)
                    or "ccording to" in text[s:e]):
                continue
            self.participles(s, e)
            if self.according(s, e) or self.as_noted(s, e):
                continue
            hit = self.trailing_attribution(s, e)
            if hit and (_words(text, s, hit[0]) >= 2 or hit[2] is not None):
                comma, clause, more = hit
                # Unmarked speech ending in its attribution reads as a direct quote. It is not
                # stretched back over earlier sentences: those are as often narrative.
                if more is not None and _fronted_adjunct(text, s, comma):
                    # rules-1.11: 'On CNN's "State of the Union," he said, B': the words
                    # before the parenthetical set the scene; B alone is the speech.
                    self.add(more, e, "direct", clause, RULE)
                    continue
                c = self.add(s, comma, "direct", clause, RULE)
                if c and more is not None:
                    self.add(more, e, "direct", None, RULE, inherit=c)
                elif c and clause.end < self.pe and DASH_CONT.match(text, clause.end):
                    self.continuation(clause.end, c)
                elif c and self._speech_goes_on(clause):
                    self.continuation(clause.end, c)
                continue
            self.reported(s, e)
        for s, e in self.sents:             # after the others: they read self.out[-1]
            self.that_fallback(s, e)
            self.intention(s, e)

    def _speech_goes_on(self, clause: Clause) -> bool:
        """'The minister is no danger, she said. He is the lesser evil. ...': after a bare
        'she said.' the rest of the paragraph, with no cue or quote of its own, is hers too."""
        text, end = self.text, clause.end
        # rules-1.9: a pronoun and the cue alone ('she said.'): after 'officials said Tuesday.',
        # 'CNN reported.' or 'the poll found.' PolNeAR finds the writer's narrative going on.
        spoken = text[clause.spk_start:end].split()
        # rules-1.10: and only when that sentence opens its paragraph: after narrative sentences
        # ('He went on. Crops are withering, he noted. Kiribati is ...') the writer goes on.
        if self.sents[0][0] != self.sent_at(clause.spk_start)[0]:
            return False
        if end >= self.pe or len(spoken) != 2 or spoken[0].lower() not in ("he", "she", "they", "i", "we"):
            return False
        return not (CUE.any_in(text, end, self.pe) or OBJECT_CUE.any_in(text, end, self.pe)
                    or any(ch in text[end:self.pe] for ch in "“”\"«»") or "''" in text[end:self.pe]
                    or "ccording to" in text[end:self.pe])
    def reported(self, s: int, e: int) -> None:
        """'X stressed that CONTENT', 'Cruz said he would ...' -> indirect statement."""
        text = self.text
        for m in CUE.finditer(text, s, e):
            cue = m.group(1)
            cstart = content_after_cue(text, m.end(), e, cue)
            if cstart is None and cue in _SOURCE_VERBS and not _PARTICLE.match(text, m.end(), e) \
                    and self._source_subject(s, m.start()):
                cstart = content_after_cue(text, m.end(), e, cue, bare=True)
            if cstart is None or _words(text, cstart, e) < 3:
                continue
            if cue.endswith("ing") and text[m.start() - 2:m.start()].strip() == ",":
                # '..., the businessman said, arguing that ...': the sentence's speaker.
                src = self.out[-1] if self.out and self.out[-1].end >= s else None
                spk = None if src else subject(text, s, m.start())
                if src is None and spk is None:
                    continue
                c = self.add(cstart, e, "indirect", None if src else Clause(
                    cue, m.start(1), m.end(), spk[0], spk[1], e), RULE, keep_stop=False,
                    inherit=src)
                if c is not None and src is not None:
                    c.cue = cue
                return
            if _CLOSED_QUOTE_END.search(text[max(s, m.start() - 4):m.start()]):
                continue                    # '"...," said X, a lawyer': X is no content
            spk = self._coordinated(s, m.start()) or speaker_before(text, s, m.start()) \
                or self._local(s, m.start()) or self._appositive_subject(s, m.start())
            spk = fronted_subject(text, s, m.start(), e, spk)
            if spk is None and cue in _SAY_ANY_SUBJECT:
                self._any_subject(s, m, cstart, e)
                continue
            if spk is None or self._after_quote(spk[0]):
                continue                    # '...,” he said in his speech': not reported speech
            phrase = text[spk[0]:spk[1]]
            if cue in STANCE and GENERIC_PLURAL.search(phrase) and len(phrase.split()) == 1 \
                    and not (phrase in ("I", "We") and _opens_sentence(text, s, spk[0]) and not self.in_quote(s)
                             and not any(q in text[s:e] for q in "“”\"")
                             and not re.match(r"\s*(?:me|us)\b", text[m.end():e])):
                continue                    # rules-1.12: 'I think ...' opening a sentence is speech
            clause = Clause(cue, m.start(1), m.end(), spk[0], spk[1], e)
            quote_start = text[cstart:e].lstrip()[:1]
            kind = "direct" if quote_start in "“\"«" else "indirect"
            end = e if kind == "direct" else cut_afterthought(text, cstart, e)
            nxt = self._next_attribution(cstart, end) if kind == "indirect" else None
            if nxt is not None:
                end = nxt[0]
            self.add(cstart, end, kind, clause, RULE, keep_stop=kind == "direct")
            if nxt is not None:
                if nxt[2]:
                    self.reported(nxt[1], e)
                else:
                    self._second_predicate(nxt[1], e, spk)
            return
        self.stance_object(s, e)

    def _source_subject(self, s: int, cue_start: int) -> bool:
        """The words before the cue are a document or survey ('FEC records from the 2008 cycle', 'Early results
        of exit polls'): 'show' and 'find' then take a bare clause, as 'shows' does."""
        spk = speaker_before(self.text, s, cue_start)
        words = self.text[spk[0]:spk[1]].lower().split() if spk else []
        return any(w.strip(",.") in _FINDING_SOURCES for w in words[:6])

    def _next_attribution(self, cstart: int, end: int) -> tuple[int, int, bool] | None:
        """rules-1.11: reported content that gives way to a new attribution, ', though she
        noted ...', ', and he urged ...', ' and Democrats accused ...', ', but warned ...':
        (where the content ends, where the next reading starts, whether it has a subject)."""
        text = self.text
        for m in _NEXT_CLAUSE.finditer(text, cstart, end):
            if _words(text, cstart, m.start()) < 3 or open_quote(text, cstart, m.start()):
                continue
            sm = _NEXT_SUBJECT.match(text, m.end(), end)
            subj = text[sm.start(1):sm.end(1)].strip() if sm.group(1) else ""
            pos = sm.end()
            cue = CUE.search(text, pos, min(end, pos + 40)) or OBJECT_CUE.search(text, pos, min(end, pos + 40))
            if cue is None or cue.start(1) != pos or cue.group(1).endswith("ing"):
                continue
            if subj:
                return m.start(), m.end(), True
        return None
