"""Statements led by their source or occasion: 'According to X, ...', 'In a new poll, ...',
'As X noted, ...', 'Asked whether ..., she said ...', headline lines.

A mixin of SentenceRules (reported.py): it reads self.text, self.out and self.in_quote and
appends through self.add.
"""
import re

from .attribution import ACCORDING, Clause, clause_end, speaker_after, speaker_before
from .phrase_kind import np_kind
from .sentence_subject import subject
from .candidate import RULE, words as _words
from .content_end import open_quote
from .cues import CUE, OBJECT_CUE
from .headline import colon_line, says_line

_QUESTION = r"(?=(?:whether|if|what|why|how|who|whom|which|when|where)\s)"
# A cue that shares the sentence's subject: 'X ... and said', 'X began by saying'.
# Participles that add what the speaker meant or was asked: '..., Trump said, referring to
# Obama', 'Asked whether ..., he said'. The wh-word stays in the content, 'about' does not.
# rules-1.18: also 'when asked whether ...' after what was said, 'When asked whom she supported, ...', and an
# adjunct between ('Asked during a January debate why ...', 'Asked on Fox News who ...')
_PARTICIPLE = re.compile(r"(?:(?<=, )|(?<=when )|(?<=whenever )|(?<=by ))(?:referring\s+to|"
                         r"talking\s+about|speaking\s+(?:of|about)|responding\s+to|"
                         r"asked\s+about|asked" + _QUESTION + r")\s+")
_ASKED_FIRST = re.compile(r"(?:(?:When|If|Once)\s+asked|Asked)\s+(?:about\s+(?=\S)|(?:(?:on|in|at|during|by)\s+"
                          r"[^,“”\"]{1,40}?\s+)?" + _QUESTION + ")")
_IN_SOURCE = re.compile(r"In\s+(?:a|an|the|this|that|its|their|his|her)\s+(?:[\w/.'’-]+\s+){0,6}?"
                        r"(?:poll|polls|survey|study|report|statement|interview|letter|memo|"
                        r"filing|complaint|lawsuit|op-ed|tweet|post|email|speech|analysis|"
                        r"ruling|opinion|release|notice)"
                        r"(?:,\s+[^,“”\"]{1,80})?,\s+(?=\S+(?:\s+\S+){3})")

_BY_SOMEONE = re.compile(r"\b(?:statement|interview|letter|memo|filing|complaint|lawsuit|op-ed|tweet|post|email|"
                         r"speech|ruling|opinion|release|notice)\b")


# rules-1.18: after 'X, according to Y,' an appositive or relative describes Y ('an analysis by Crowdpac, a start-up
# that ...'); a lead-in that cannot stand alone ('In addition', '... after', '... because') leaves the content to follow
_APPOSITIVE = re.compile(r"\s*(?:a|an|which|who|whose|where|when|and|or|but|as|in|on|at|for|with|by|from)\b")
_BEFORE_SOURCE = re.compile(r"\s*[—–-]?\s*$")
_PREDICATE = re.compile(r",\s+(?:is|are|was|were|has|have|had|will|would|remains?|remained)\s")
# 'According to early results of exit polls conducted for The Associated Press and television networks by
# Edison Research, CONTENT' (rules-1.18: 25 words, was 15)
_SOURCE_WORDS = 25
_OPEN_END = re.compile(r"\b(?:after|because|since|when|while|if|that|reported|said|says|and|but)\s*$")


class SourceRules:
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
            if "ing " in seg or "asked " in seg else []
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


    def according(self, s: int, e: int) -> bool:
        """'According to X, CONTENT', 'CONTENT, according to X', 'In addition, according to X, CONTENT'."""
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
                if comma < 0 or not 1 <= _words(text, m.end(), comma) <= _SOURCE_WORDS \
                        or _words(text, comma, e) < 4 or open_quote(text, m.end(), comma):
                    return False
                spk = (m.end(), comma)
            clause = Clause("according to", m.start(), m.end(), spk[0], spk[1], comma)
            return self.add(comma + 1, e, "indirect", clause, RULE, keep_stop=False) is not None
        comma = text.rfind(",", s, m.start())
        if comma < 0 or text[comma + 1:m.start()].strip():
            # rules-1.18: '... robbery — according to the most recent data', '... delegates according to a count
            # by The Associated Press': no comma before the source
            lead = _BEFORE_SOURCE.search(text, s, m.start())
            if lead is None or _words(text, s, lead.start()) < 4 or open_quote(text, s, m.start()):
                return False
            comma = lead.start()
        pred = _PREDICATE.search(text, m.end(), e)
        if pred and 1 <= _words(text, m.end(), pred.start()) <= 15 and not open_quote(text, s, e):
            # rules-1.18: 'At the heart of the trouble, according to Dennis B. Ross, was a decision ...': the
            # source stands inside one clause, all of it said
            name_end = text.find(",", m.end(), pred.start())
            clause = Clause("according to", m.start(), m.end(), m.end(), name_end, pred.start())
            return self.add(s, e, "indirect", clause, RULE, keep_stop=False) is not None
        after = text.find(", ", m.end(), e)
        if after > 0 and 1 <= _words(text, m.end(), after) <= 10 and _words(text, after, e) >= 4 \
                and not open_quote(text, m.end(), after) and not _APPOSITIVE.match(text, after + 1) \
                and (_words(text, s, comma) <= 4 or _OPEN_END.search(text, s, comma)):
            # rules-1.18: 'In addition, according to the department, CONTENT': a source set off by commas
            # says what follows it, not the lead-in before it
            clause = Clause("according to", m.start(), m.end(), m.end(), after, after)
            return self.add(after + 1, e, "indirect", clause, RULE, keep_stop=False) is not None
        spk_end = clause_end(text, m.end(), e)
        # rules-1.18: the source ends at its first comma ('a count by The Associated Press, but the race ...')
        spk = text[m.end():after if 0 < after < spk_end else spk_end].rstrip(" .,")
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
        first = text.find(",", m.start(), comma)
        if 0 <= first < comma:
            # rules-1.17: the lead-in's second part ('In the poll, conducted in May,') is no clause with a
            # speaker of its own: in 'In his speech, Graham urged Republicans to join ..., and criticized ...'
            # Graham speaks, and the lead-in ends at its first comma.
            cue = CUE.search(text, first + 1, comma) or OBJECT_CUE.search(text, first + 1, comma)
            if cue and speaker_before(text, first + 1, cue.start()):
                return False
        clause = Clause("in", m.start(), m.start() + 2, m.start() + 3, comma, comma)
        if _BY_SOMEONE.search(text, m.start(), comma):
            # rules-1.16: 'In a White House statement, President Obama condemned ...': a statement, speech or
            # filing is the words of the subject that follows it (a poll's or a study's are not: 'In a new
            # poll, Clinton leads')
            spk = subject(text, comma + 1 + len(text[comma + 1:e]) - len(text[comma + 1:e].lstrip()), e)
            if spk:
                clause = Clause("in", m.start(), m.start() + 2, spk[0], spk[1], comma)
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

