"""Sentence rules: attributions and reported speech written without quote marks.

'CONTENT, X said.', 'X stressed that CONTENT', 'According to X, CONTENT', 'Trump has called for
CONTENT'. A mixin of the paragraph rules in cascade.py: it reads self.text, self.sents,
self.pe, self.out and appends through self.add.
"""
import re

from .attribution import (ACCORDING, GENERIC_PLURAL, TELL, Clause, adjunct_tail, clause_end,
                          np_kind, speaker_after, speaker_before, speaker_like,
                          subject)
from .candidate import FALLBACK, RULE, words as _words
from .cue_content import content_after_cue
from .cues import CUE, OBJECT_CUE, STANCE
from .lexicon import CLAUSE_WORDS, PREPOSITIONS, inflect
from .headline import colon_line, says_line
from .subjects import local_speaker
from .that_clause import that_clauses

# Words that open a subordinate clause: a sentence's lead-in, not a statement of its own.
_SUBORDINATORS = {"when", "after", "before", "while", "since", "although", "though", "if",
                  "unless", "once", "until", "as", "just", "which", "who", "whose", "where"}
# A cue that shares the sentence's subject: 'X ... and said', 'X began by saying'.
# Participles that add what the speaker meant or was asked: '..., Trump said, referring to
# Obama', 'Asked whether ..., he said'. The wh-word stays in the content, 'about' does not.
_PARTICIPLE = re.compile(r"(?:(?<=, )|(?<=when )|(?<=whenever )|(?<=by ))(?:referring\s+to|"
                         r"talking\s+about|speaking\s+(?:of|about)|responding\s+to|"
                         r"asked\s+about)\s+")
_ASKED_FIRST = re.compile(r"Asked\s+(?:about\s+)?(?=(?:whether|if|what|why|how|who|when)\s|"
                          r"(?<=about )\S)")
_AND_BEFORE = re.compile(r"\s(and|but|by|after|before|while|without)\s+$")
_IN_SOURCE = re.compile(r"In\s+(?:a|an|the|this|that|its|their|his|her)\s+(?:[\w/.'’-]+\s+){0,6}?"
                        r"(?:poll|polls|survey|study|report|statement|interview|letter|memo|"
                        r"filing|complaint|lawsuit|op-ed|tweet|post|email|speech|analysis|"
                        r"ruling|opinion|release|notice)"
                        r"(?:,\s+[^,“”\"]{1,80})?,\s+(?=\S+(?:\s+\S+){3})")
_SAY_ANY_SUBJECT = {"say", "says", "said"}
_SUBJECT_BOUNDARY = re.compile(r"[,;:]\s+(?![^(]*\))|\s(?:and|but|because|while|as|that|if|"
                               r"when|since|though|although|so)\s")
_NEXT_SHARE = re.compile(r"[,;]\s+(?:and\s+|while\s+)?(?:\d+(?:%|\s+percent)|[A-Z][a-z]+(?:-[a-z]+)?\s+percent)")
_INTENTION = re.compile(r"(?<=[a-zA-Z.] )(hopes|plans|intends)\s+(?:(to)\s+(?=[a-z])|(that)\s+(?=\S))")
_PARENS = re.compile(r"\([^()]*\)")
# Words that show the phrase before a cue is no subject: a verb form, a quote's lead-in.
_NOT_SUBJECT = {"is", "are", "was", "were", "has", "have", "had", "will", "would", "can", "could",
                "should", "must", "do", "does", "did", "be", "been", "not", "it", "i", "you",
                "there", "what", "which", "how", "why", "whom", "to", "ever", "never"}
DASH_CONT = re.compile(r"\s*[–—―]\s+(?=\S)")


# Where reported content gives way to the writer's own words ('... said the plan works,
# meaning ...'). Only these few: relative clauses, contrasts and dash asides were tried too,
# but gold content runs on over them more often than not.
_AFTERTHOUGHT = re.compile(r",\s+(?:meaning|including|implicitly)\b")


def cut_afterthought(text: str, s: int, e: int) -> int:
    """End of reported content at its first afterthought, when at least 3 words come before."""
    for m in _AFTERTHOUGHT.finditer(text, s, e):
        if _words(text, s, m.start()) >= 3 and not _open_quote(text, s, m.start()):
            return m.start()
    return e


_OBJECT_END = re.compile(r"\s[-–—]\s|;\s")


def cut_object(text: str, s: int, e: int) -> int:
    """End of a stance verb's object: reported content's afterthoughts, and also the writer's
    asides that follow an object ('likened the rules to X - a charge that ...')."""
    e = cut_afterthought(text, s, e)
    for m in _OBJECT_END.finditer(text, s, e):
        if _words(text, s, m.start()) >= 5 and not _open_quote(text, s, m.start()):
            return m.start()
    return e


# rules-1.11: where a stance verb's object gives way to the writer's words: a clause of time or
# cause ('criticized the law during a campaign stop'), a relative or appositive set off by a
# comma (', who took heat for ...', ', the nation's largest coal company'), a new clause (', but
# his battles ...', ', it's safe to say'). PolNeAR ends the object before them.
_OBJECT_ADJUNCT = re.compile(r",\s+(?:but|so|yet|who|which|a|an|the)\s|"
                             r",\s+(?:it|this|he|she|they|we|I|there)(?:’s|'s)?\s|"
                             r"\s(?:during|since|because|after|before|when|while|following)\s")


def cut_adjunct(text: str, s: int, e: int) -> int:
    """End of a stance verb's object before the writer's adjuncts (_OBJECT_ADJUNCT); not inside
    a quotation, and not where a quotation follows: that is the speech."""
    for m in _OBJECT_ADJUNCT.finditer(text, s, e):
        if _open_quote(text, s, m.start()):
            continue
        if re.search(r"[“\"«]", text[m.start():e]):
            return e
        if m.group().startswith(",") and re.search(r",\s+(?:of|as|for|to|with)\s", text[m.end():e]):
            continue                        # 'accused Rafael Cruz, who was born in Cuba, of ...'
        return m.start()
    return e


# A second predicate of the stance verb's subject: ', and urged ...', ' but said ...', ', calling
# ...', ' while Democrats defended ...' is left to the verb's own rule.
_SECOND_PREDICATE = re.compile(r",?\s+(?:and|but|while)\s+(?:(?:also|then|later|repeatedly|[a-z]+ly)\s+)?"
                               r"((?:has\s+|have\s+|had\s+)?[a-z]+(?:ed|ied)|said|told|wrote|sought|"
                               r"took|gave|made|saw|spoke|found|sent|met|left|came|went|"
                               r"says|tells|calls|urges|warns|accuses|argues|insists|adds)\b|"
                               r",\s+((?!including|meaning|according)[a-z]+ing)\b")


_NEXT_CLAUSE = re.compile(r",\s+(?:and|but|though|although|while)\s+|\s+(?:but|though|although|while)\s+")
_NEXT_SUBJECT = re.compile(r"((?:he|she|they|we|I|[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}|"
                           r"the\s+[a-z]+(?:\s+[a-z]+)?)\s+)?(?:(?:also|later|then|has|have|had|"
                           r"[a-z]+ly)\s+){0,2}")


def _open_quote(text: str, s: int, pos: int) -> bool:
    """pos lies inside a quotation opened after s (its commas belong to the quote)."""
    seg = text[s:pos]
    return seg.count("“") > seg.count("”") or seg.count('"') % 2 == 1


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


_POSSESSOR = re.compile(r"([A-Z][\w.-]*(?:\s+[A-Z][\w.-]*){0,3})[’']s?\s+(?:[a-z]+\s+){0,2}$")


def _possessor(text: str, s: int, head_start: int) -> tuple[int, int] | None:
    """'Trump’s repeated claim': the owner of a speech noun, a name in the possessive."""
    m = _POSSESSOR.search(text, max(s, head_start - 60), head_start)
    return (m.start(1), m.end(1)) if m else None


def bare_noun_phrase(obj: str, verb: str) -> bool:
    """A stance verb's object that is only a noun phrase: no quotation, no clause, and a verb
    that does not predicate something of its object ('welcomed the vote', 'criticised the
    decision', 'warned of consequences'). Such an object is no statement."""
    if verb.split()[0] in _PREDICATIVE or _OBJECT_CLAUSE.search(obj):
        return False
    words = [w.lower().strip(".,;:’'") for w in obj.split()]
    return not any(w in CLAUSE_WORDS for w in words)


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


class SentenceRules:
    _reading_tail = False
    # -- sentence rules -------------------------------------------------------------------
    def trailing_attribution(self, s: int, e: int) -> tuple[int, Clause, int | None] | None:
        """'CONTENT, Dmitry Abzalov, president of ..., told Izvestia.' -> (comma, clause, more)
        where more is where content resumes after a parenthetical ('A, he said, B.')."""
        text = self.text
        for m in reversed(list(CUE.finditer(text, s, e))):
            rest = text[m.end():e]
            if re.match(r"\s*(?:that\b|:)", rest):
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
            paren = re.match(r",\s+", rest) is not None and _words(text, m.end(), e) >= 4
            if len(head) <= 10 and not paren and (first in PREPOSITIONS or first in _SUBORDINATORS
                                                  or first.endswith("ing")):
                continue                            # 'On Wednesday, he told a crowd ...'
            more = None
            tail = re.match(r"[^,]*?,\s+", rest)
            # rules-1.9: only an adjunct may come between the cue and that comma: in 'Nevada's
            # governor, Brian Sandoval, a Republican, said Tuesday that he had voted for Mr.
            # Rubio, but ...' the cue has content of its own, and the words before are no speech.
            if tail and _words(text, m.end() + tail.end(), e) >= 3 \
                    and adjunct_tail(rest[:tail.end()].rstrip(", "), m.group(1)):
                more = m.end() + tail.end()         # 'A, he said, B.'
            elif not adjunct_tail(rest, m.group(1)):
                continue                            # 'In 2010, McConnell said the goal was ...'
            return comma, Clause(m.group(1), m.start(1), m.end(1), spk[0], spk[1],
                                 clause_end(text, m.end(), self.pe)), more
        return None

    def headline_rules(self) -> None:
        """A whole paragraph that is a headline or digest line with its speaker."""
        if self.quotes:
            return                          # quoted headlines are the quote rules' work
        hit = colon_line(self.text, self.ps, self.pe) or says_line(self.text, self.ps, self.pe)
        if hit:
            cs, ce, ss, se, cue = hit
            self.add(cs, ce, "indirect", Clause(cue, ss, se, ss, se, ce), RULE, keep_stop=False)

    def participles(self, s: int, e: int) -> None:
        """'..., Trump said, referring to Obama.' / 'Asked whether X, she said ...': the
        participle's object, spoken by the previous statement's speaker or the sentence's."""
        text = self.text
        seg = text[s:e]
        # A plain substring test first: the look-behind regex is slow to run over every sentence.
        hits = [(m, False) for m in _PARTICIPLE.finditer(text, s, e)] \
            if "ing " in seg or "asked about" in seg else []
        first = _ASKED_FIRST.match(text, s, e)
        if first:
            hits.append((first, True))
        for m, leads in hits:
            if self.in_quote(m.start()):
                continue
            end = text.find(", ", m.end(), e) if leads else e
            end = e if end < 0 else end
            if _words(text, m.end(), end) < 2:
                continue
            # The speaker: the statement just before in this sentence, else (for a leading
            # 'Asked ...,') the subject of the main clause.
            src = self.out[-1] if self.out and self.out[-1].end >= s and not leads else None
            spk = None if src else subject(text, end + 2, e)
            cue = " ".join(m.group().split())
            clause = Clause(cue, m.start(), m.end(), *spk, e) if spk else None
            c = self.add(m.end(), end, "indirect", clause, RULE, keep_stop=False, inherit=src)
            if c is not None and clause is None:
                c.cue = cue

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
            if spk and head in STANCE and GENERIC_PLURAL.fullmatch(text[spk[0]:spk[1]]):
                continue                    # 'Experts believe that': as in reported()
            clause = Clause(head, hs, he, spk[0], spk[1], e) if spk else None
            c = self.add(cs, cut_afterthought(text, cs, e), "indirect", clause, FALLBACK,
                         keep_stop=False)
            if c is not None and clause is None:
                c.cue = head

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

    def according(self, s: int, e: int) -> bool:
        text = self.text
        m = ACCORDING.search(text, s, e)
        if not m:
            return False
        if m.start() == s:
            spk = speaker_after(text, m.end(), e)
            comma = text.find(",", spk[1], e) if spk else -1
            if comma < 0 or text[spk[1]:comma].strip():
                # 'According to a complaint filed by the S.E.C. and Vermont, CONTENT': the
                # source is a document or a poll, not a name; it runs to the first comma.
                comma = text.find(", ", m.end(), e)
                if comma < 0 or not 1 <= _words(text, m.end(), comma) <= 15 \
                        or _words(text, comma, e) < 4 or _open_quote(text, m.end(), comma):
                    return False
                spk = (m.end(), comma)
            clause = Clause("according to", m.start(), m.end(), spk[0], spk[1], comma)
            return self.add(comma + 1, e, "indirect", clause, RULE, keep_stop=False) is not None
        comma = text.rfind(",", s, m.start())
        if comma < 0 or text[comma + 1:m.start()].strip():
            return False
        spk_end = clause_end(text, m.end(), e)
        spk = text[m.end():spk_end].rstrip(" .,")
        clause = Clause("according to", m.start(), m.end(), m.end(), m.end() + len(spk), spk_end)
        return self.add(s, comma, "indirect", clause, RULE, keep_stop=False) is not None

    def in_source(self, s: int, e: int) -> bool:
        """'In the latest Post/ABC poll, conducted in May, CONTENT': a sentence led by the
        document or survey that says it; the content runs from the last lead-in comma."""
        text = self.text
        m = _IN_SOURCE.match(text, s, e)
        if not m or self.in_quote(s):
            return False
        comma = m.end() - 1
        cue = CUE.search(text, m.end(), min(e, m.end() + 60))
        if cue and speaker_before(text, m.end(), cue.start()):
            return False                    # 'In his interview, Mr. Trump said ...': he says it
        clause = Clause("in", m.start(), m.start() + 2, m.start() + 3, comma, comma)
        return self.add(comma + 1, e, "indirect", clause, RULE, keep_stop=False) is not None

    def as_noted(self, s: int, e: int) -> bool:
        text = self.text
        m = re.compile(r"As\s+").match(text, s, e)
        if not m:
            return False
        comma = text.find(",", m.end(), e)
        cue = CUE.search(text, m.end(), comma) if comma > 0 else None
        if not cue or np_kind(text[m.end():cue.start()].strip()) is None:
            return False
        clause = Clause(cue.group(1), cue.start(1), cue.end(), m.end(), cue.start(), comma)
        clause.spk_end = m.end() + len(text[m.end():cue.start()].rstrip())
        return self.add(comma + 1, e, "indirect", clause, RULE, keep_stop=False) is not None

    def reported(self, s: int, e: int) -> None:
        """'X stressed that CONTENT', 'Cruz said he would ...' -> indirect statement."""
        text = self.text
        for m in CUE.finditer(text, s, e):
            cue = m.group(1)
            cstart = content_after_cue(text, m.end(), e, cue)
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
            if re.search(r"[,.!?][”\"’']\s*$", text[max(s, m.start() - 4):m.start()]):
                continue                    # '"...," said X, a lawyer': X is no content
            spk = self._coordinated(s, m.start()) or speaker_before(text, s, m.start()) \
                or self._local(s, m.start()) or self._appositive_subject(s, m.start())
            if spk is None and cue in _SAY_ANY_SUBJECT:
                self._any_subject(s, m, cstart, e)
                continue
            if spk is None or self._after_quote(spk[0]):
                continue                    # '...,” he said in his speech': not reported speech
            phrase = text[spk[0]:spk[1]]
            if cue in STANCE and GENERIC_PLURAL.search(phrase) and len(phrase.split()) == 1 \
                    and not (phrase in ("I", "We") and spk[0] == s and not self.in_quote(s)
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

    def _next_attribution(self, cstart: int, end: int) -> tuple[int, int, bool] | None:
        """rules-1.11: reported content that gives way to a new attribution, ', though she
        noted ...', ', and he urged ...', ' and Democrats accused ...', ', but warned ...':
        (where the content ends, where the next reading starts, whether it has a subject)."""
        text = self.text
        for m in _NEXT_CLAUSE.finditer(text, cstart, end):
            if _words(text, cstart, m.start()) < 3 or _open_quote(text, cstart, m.start()):
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

    def _appositive_subject(self, s: int, cue_start: int) -> tuple[int, int] | None:
        """'Johnnie Wilson, of Springfield, Va., said ...': a capitalised name that opens the
        sentence, then an appositive closed by the comma right before the cue."""
        text = self.text
        if text[cue_start - 2:cue_start] != ", " or self.in_quote(cue_start):
            return None
        comma = text.find(",", s, cue_start - 2)
        head = text[s:comma].split() if comma > s else []
        if not 1 <= len(head) <= 6 or not all(w[:1].isupper() for w in head if len(w) > 3) \
                or head[0].lower() in PREPOSITIONS or head[0].lower() in _SUBORDINATORS \
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
            if _words(text, cstart, nxt.start()) < 2 or _open_quote(text, cstart, nxt.start()) \
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
