"""The rule cascade: quotes first, then sentence rules, then continuations, then speakers.

Candidates carry a priority; where two overlap the stronger one wins, so an attributed quote
beats the reported-speech reading of the same sentence, and reported speech beats a bare
scare quote inside it.
"""
import bisect
import re
from dataclasses import dataclass

from .attribution import (ACCORDING, GENERIC_PLURAL, TELL, Clause, adjunct_tail, clause_end,
                          content_after_cue, dash_name, local_speaker, np_kind, post_clause, pre_clause,
                          speaker_after, speaker_before, speaker_like, subject)
from .cues import CUE, OBJECT_CUE, STANCE
from .lexicon import PREPOSITIONS
from .mentions import Registry, Resolved, build_registry
from .quotes import Quote, dash_lead, find_quotes, trim
from .segment import paragraphs, sentences

STRONG, RULE, WEAK = 3, 2, 0
_END_PUNCT = ".!?…"
# Words that open a subordinate clause: a sentence's lead-in, not a statement of its own.
_SUBORDINATORS = {"when", "after", "before", "while", "since", "although", "though", "if",
                  "unless", "once", "until", "as", "just", "which", "who", "whose", "where"}
_DASH_CONT = re.compile(r"\s*[–—―]\s+(?=\S)")


@dataclass
class Cand:
    start: int
    end: int
    kind: str
    cue: str | None
    spk: tuple[int, int] | None
    priority: int
    inherit: "Cand | None" = None
    who: Resolved | None = None


def _content(text: str, s: int, e: int, keep_stop: bool) -> tuple[int, int]:
    s, e = trim(text, s, e)
    if not keep_stop:
        while e > s and text[e - 1] in _END_PUNCT + " ":
            e -= 1
    return s, e


def _words(text: str, s: int, e: int) -> int:
    return len(text[s:e].split())


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


def _open_quote(text: str, s: int, pos: int) -> bool:
    """pos lies inside a quotation opened after s (its commas belong to the quote)."""
    seg = text[s:pos]
    return seg.count("“") > seg.count("”") or seg.count('"') % 2 == 1


class _Paragraph:
    """Rules applied to one paragraph, appending candidates to out."""

    def __init__(self, text: str, ps: int, pe: int, quotes: list[Quote], prev: Cand | None):
        self.text, self.ps, self.pe, self.quotes, self.prev = text, ps, pe, quotes, prev
        self.sents = sentences(text, ps, pe)
        self.starts = [s for s, _ in self.sents]
        self.out: list[Cand] = []

    def sent_at(self, pos: int) -> tuple[int, int]:
        i = max(0, bisect.bisect_right(self.starts, pos) - 1)
        return self.sents[i]

    def add(self, s, e, kind, clause, priority, keep_stop=True, inherit=None):
        s, e = _content(self.text, s, e, keep_stop)
        if e - s < 2 or not any(c.isalpha() for c in self.text[s:e]):
            return None
        spk = (clause.spk_start, clause.spk_end) if clause is not None else None
        c = Cand(s, e, kind, clause.cue if clause else None, spk, priority, inherit)
        self.out.append(c)
        return c

    def run(self) -> list[Cand]:
        self.quote_rules()
        self.dash_rule()
        self.sentence_rules()
        return self.out

    # -- quotes ---------------------------------------------------------------------------
    def quote_rules(self) -> None:
        text, pending = self.text, []
        last_attr: Cand | None = None
        prev_close = self.ps
        for q in self.quotes:
            clause = post_clause(text, q.close_at, self.pe) if q.closed else None
            if clause is None and q.closed:
                dn = dash_name(text, q.close_at, self.pe)
                if dn:
                    clause = Clause("―", dn[0] - 1, dn[0] - 1, dn[0], dn[1], self.pe)
            lo = max(self.sent_at(q.open_at)[0], prev_close)
            start, lead = q.start, None
            if clause is not None and q.opened and self._lead_in(lo, q.open_at):
                start = lo                  # 'Both parties "saw Burma as ...," said X.'
            elif clause is None and q.opened:
                clause = pre_clause(text, lo, q.open_at)
                if clause is not None and re.fullmatch(r"\s*,\s*", text[clause.cue_end:q.open_at]):
                    lead = self._parenthetical_lead(lo, clause.spk_start)
            prev_close = q.close_at
            sentential = self._sentential(q)
            if clause is not None:
                c = self.add(start, q.end, "direct", clause, STRONG)
                if c is None:
                    continue
                if lead:
                    self.add(lead[0], lead[1], "direct", None, STRONG, inherit=c)
                for p in pending:
                    p.inherit = c
                pending, last_attr = [], c
                if clause.end < self.pe and _DASH_CONT.match(text, clause.end):
                    self.continuation(clause.end, c)
            elif sentential:
                c = self.add(q.start, q.end, "direct", None, RULE, inherit=last_attr or self.prev)
                if c is not None and last_attr is None:
                    pending.append(c)
            else:
                self.add(q.start, q.end, "direct", None, WEAK, inherit=last_attr or self.prev)

    def _lead_in(self, lo: int, open_at: int) -> bool:
        """A few words of the speaker's own sentence before the quote opens, no cue among them."""
        lead = self.text[lo:open_at]
        return 0 < len(lead.split()) <= 12 and not CUE.search(self.text, lo, open_at) and not re.search(
            r"[:“”\"]|^\W*(?:In|On|At|During|After|Before|When|As|And|But)\b", lead) \
            and lead.rstrip()[-1:].isalnum()

    def _parenthetical_lead(self, lo: int, spk_start: int) -> tuple[int, int] | None:
        """'So when ... Mr. Clarke, Mr. Barrett said, "we were floored."': the words before."""
        comma = self.text.rfind(",", lo, spk_start)
        if comma < 0 or self.text[comma + 1:spk_start].strip():
            return None
        head = self.text[lo:comma].split()
        if len(head) < 4 or head[0].lower() in PREPOSITIONS or head[0].lower().endswith("ing"):
            return None
        return lo, comma

    def _after_quote(self, pos: int) -> bool:
        """pos follows the close of a quote of several words (not a quoted title)."""
        return any(q.closed and 0 <= pos - q.close_at <= 3 and _words(self.text, q.start, q.end) >= 5
                   and self.text[q.end - 1:q.close_at].strip()[:1] in ",!?" for q in self.quotes)

    def _sentential(self, q: Quote) -> bool:
        s, _ = self.sent_at(q.open_at)
        before = self.text[s:q.open_at].strip(" \u00a0–—―-")
        return (not before or before.endswith(":")) and _words(self.text, q.start, q.end) >= 3

    def continuation(self, pos: int, source: Cand) -> None:
        """Speech that goes on after its attribution: '..., he said. – They live here ...'."""
        nxt = [q for q in self.quotes if q.open_at >= pos]
        end = nxt[0].open_at if nxt else self.pe
        self.add(pos, end, "direct", None, RULE, inherit=source)

    # -- dash-led speech without quote marks ----------------------------------------------
    def dash_rule(self) -> None:
        start = dash_lead(self.text, self.ps, self.pe)
        if start is None or any(q.start <= start + 1 for q in self.quotes):
            return
        for s, e in self.sents:
            hit = self.trailing_attribution(s, e)
            if hit:
                comma, clause, _ = hit
                c = self.add(start, comma, "direct", clause, STRONG)
                if c and clause.end < self.pe and _DASH_CONT.match(self.text, clause.end):
                    self.continuation(clause.end, c)
                return
        self.add(start, self.quotes[0].open_at if self.quotes else self.pe, "direct", None, RULE,
                 inherit=self.prev)

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
            if len(head) <= 10 and (first in PREPOSITIONS or first in _SUBORDINATORS
                                    or first.endswith("ing")):
                continue                            # 'On Wednesday, he told a crowd ...'
            more = None
            tail = re.match(r"[^,]*?,\s+", rest)
            if tail and _words(text, m.end() + tail.end(), e) >= 3:
                more = m.end() + tail.end()         # 'A, he said, B.'
            elif not adjunct_tail(rest, m.group(1)):
                continue                            # 'In 2010, McConnell said the goal was ...'
            return comma, Clause(m.group(1), m.start(1), m.end(1), spk[0], spk[1],
                                 clause_end(text, m.end(), self.pe)), more
        return None

    def sentence_rules(self) -> None:
        text = self.text
        for s, e in self.sents:
            if not (CUE.any_in(text, s, e) or OBJECT_CUE.any_in(text, s, e)
                    or "ccording to" in text[s:e]):
                continue
            if self.according(s, e) or self.as_noted(s, e):
                continue
            hit = self.trailing_attribution(s, e)
            if hit and _words(text, s, hit[0]) >= 2:
                comma, clause, more = hit
                # Unmarked speech ending in its attribution reads as a direct quote. It is not
                # stretched back over earlier sentences: those are as often narrative.
                c = self.add(s, comma, "direct", clause, RULE)
                if c and more is not None:
                    self.add(more, e, "direct", None, RULE, inherit=c)
                elif c and clause.end < self.pe and _DASH_CONT.match(text, clause.end):
                    self.continuation(clause.end, c)
                elif c and self._speech_goes_on(clause):
                    self.continuation(clause.end, c)
                continue
            self.reported(s, e)

    def _speech_goes_on(self, clause: Clause) -> bool:
        """'The minister is no danger, she said. He is the lesser evil. ...': after a bare
        'she said.' the rest of the paragraph, with no cue or quote of its own, is hers too."""
        text, end = self.text, clause.end
        if end >= self.pe or len(text[clause.spk_start:end].split()) > 3:
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
                return False
            clause = Clause("according to", m.start(), m.end(), spk[0], spk[1], comma)
            return self.add(comma + 1, e, "indirect", clause, RULE, keep_stop=False) is not None
        comma = text.rfind(",", s, m.start())
        if comma < 0 or text[comma + 1:m.start()].strip():
            return False
        spk_end = clause_end(text, m.end(), e)
        spk = text[m.end():spk_end].rstrip(" .,")
        clause = Clause("according to", m.start(), m.end(), m.end(), m.end() + len(spk), spk_end)
        return self.add(s, comma, "indirect", clause, RULE, keep_stop=False) is not None

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
            spk = speaker_before(text, s, m.start()) or local_speaker(text, s, m.start())
            if spk is None or self._after_quote(spk[0]):
                continue                    # '...,” he said in his speech': not reported speech
            phrase = text[spk[0]:spk[1]]
            if cue in STANCE and GENERIC_PLURAL.search(phrase) and len(phrase.split()) == 1:
                continue
            clause = Clause(cue, m.start(1), m.end(), spk[0], spk[1], e)
            quote_start = text[cstart:e].lstrip()[:1]
            kind = "direct" if quote_start in "“\"«" else "indirect"
            end = e if kind == "direct" else cut_afterthought(text, cstart, e)
            self.add(cstart, end, kind, clause, RULE, keep_stop=kind == "direct")
            return
        self.stance_object(s, e)

    def stance_object(self, s: int, e: int) -> None:
        """'Trump has called for the repeal of ...': the object of a stance verb, when the
        subject right before the verb is a person, an organisation or a pronoun."""
        text = self.text
        for m in OBJECT_CUE.finditer(text, s, e):
            spk = speaker_before(text, s, m.start())
            if spk is None or not speaker_like(text[spk[0]:spk[1]]):
                continue
            cstart = m.end()
            while cstart < e and text[cstart].isspace():
                cstart += 1
            if _words(text, cstart, e) < 2 or not (text[cstart].isalnum() or text[cstart] in "“\"$"):
                continue
            clause = Clause(m.group(1), m.start(1), m.end(), spk[0], spk[1], e)
            self.add(cstart, cut_afterthought(text, cstart, e), "indirect", clause, RULE,
                     keep_stop=False)
            return


def run(text: str) -> list[Cand]:
    paras = paragraphs(text)
    quotes = [find_quotes(text, ps, pe) for ps, pe in paras]
    spans = sorted((q.open_at, q.close_at) for qs in quotes for q in qs)
    starts = [a for a, _ in spans]

    def narrative(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i < 0 or not (spans[i][0] <= pos < spans[i][1])

    registry = build_registry(text, narrative)
    cands: list[Cand] = []
    prev: Cand | None = None
    for (ps, pe), qs in zip(paras, quotes):
        found = _Paragraph(text, ps, pe, qs, prev).run()
        cands.extend(found)
        spoken = [c for c in found if c.spk or c.inherit]
        prev = max(spoken, key=lambda c: c.start) if spoken else None
    _resolve_speakers(text, cands, registry)
    kept = _resolve_overlaps(text, cands)
    return sorted(kept, key=lambda c: (c.start, c.end))


def _resolve_overlaps(text: str, cands: list[Cand]) -> list[Cand]:
    """Stronger candidates first; a weaker one that overlaps keeps only the longest part
    outside the stronger ones, and only if that part still reads as a statement."""
    kept: list[Cand] = []
    for c in sorted(cands, key=lambda c: (-c.priority, -(c.end - c.start))):
        if c.priority == WEAK and c.inherit is None:
            continue
        clashes = [k for k in kept if c.start < k.end and k.start < c.end]
        if clashes:
            if c.priority == WEAK:
                continue
            s, e = _free_part(c.start, c.end, clashes)
            s, e = trim(text, s, e)
            if len(text[s:e].split()) < 4:
                continue
            c.start, c.end = s, e
        kept.append(c)
    return kept


def _free_part(s: int, e: int, taken: list[Cand]) -> tuple[int, int]:
    gaps, pos = [], s
    for k in sorted(taken, key=lambda k: k.start):
        if k.start > pos:
            gaps.append((pos, min(k.start, e)))
        pos = max(pos, k.end)
    if pos < e:
        gaps.append((pos, e))
    return max(gaps, key=lambda g: g[1] - g[0], default=(s, s))


def _resolve_speakers(text: str, cands: list[Cand], registry: Registry) -> None:
    for c in sorted((c for c in cands if c.spk), key=lambda c: c.spk[0]):
        c.who = registry.resolve(text[c.spk[0]:c.spk[1]], c.spk[0])
    for c in cands:
        src, seen = c, set()
        while src.who is None and src.inherit is not None and id(src) not in seen:
            seen.add(id(src))
            src = src.inherit
        if c.who is None:
            c.who = src.who or Resolved(None, None, "other")
            if c.cue is None:
                c.cue = src.cue

