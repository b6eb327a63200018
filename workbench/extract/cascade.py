"""The rule cascade: quotes first, then sentence rules, then continuations, then speakers.

Candidates carry a priority; where two overlap the stronger one wins, so an attributed quote
beats the reported-speech reading of the same sentence, and reported speech beats a bare
scare quote inside it.
"""
import bisect
import dataclasses
import itertools
import re

from .attribution import Clause, adjunct_tail, dash_name, post_clause, pre_clause
from .canonical import canonicalize, is_name
from .candidate import FALLBACK, RULE, STRONG, WEAK, Cand, content as _content, words as _words
from .cues import CUE
from .learned import LearnedModel, learned_candidates, load as load_learned
from .lexicon import PREPOSITIONS
from .mentions import Registry, Resolved, build_registry
from .quotes import Quote, dash_lead, find_quotes, trim
from .reported import DASH_CONT, SentenceRules
from .segment import paragraphs, sentences
from .sorted_blocks import SortedBlocks


# A transcript's speaker label: 'WALLACE: ', '"PENCE: ', 'JAKE TAPPER: '.
_TRANSCRIPT = re.compile(r"[\"“]?([A-Z][A-Z.’'-]+(?: [A-Z][A-Z.’'-]+){0,2}):\s+(?=\S)")
_NOT_SPEAKERS = {"UPDATE", "VIDEO", "EMAIL", "CORRECTION", "NOTE", "EDITOR'S NOTE", "EDITOR’S NOTE",
                 "WATCH", "READ", "RELATED", "PHOTO", "PHOTOS", "SOURCE", "BREAKING", "Q", "A",
                 "UPDATED", "ADVERTISEMENT", "CLICK HERE", "WARNING", "NEW", "EXCLUSIVE"}


class _Paragraph(SentenceRules):
    """Rules applied to one paragraph, appending candidates to out."""

    def __init__(self, text: str, ps: int, pe: int, quotes: list[Quote], prev: Cand | None):
        self.text, self.ps, self.pe, self.quotes, self.prev = text, ps, pe, quotes, prev
        self.sents = sentences(text, ps, pe)
        self.starts = [s for s, _ in self.sents]
        self.out: list[Cand] = []
        # Indexes of the quotes, which find_quotes() returns in text order: the rules ask about
        # them at every sentence, and scanning all of them each time made one long paragraph
        # quadratic. _quote_reach[i] is the furthest any of the first i + 1 quotes extends.
        self._quote_opens = [q.open_at for q in quotes]
        self._quote_reach = list(itertools.accumulate((q.close_at for q in quotes), max))
        self._quotes_closing_at: dict[int, list[Quote]] = {}
        for q in quotes:
            self._quotes_closing_at.setdefault(q.close_at, []).append(q)

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
        if self.transcript_rule():
            return self.out
        self.quote_rules()
        self.dash_rule()
        self.sentence_rules()
        return self.out

    # -- transcripts ----------------------------------------------------------------------
    def transcript_rule(self) -> bool:
        """rules-1.11: 'PENCE: Well, look, ...' (a quotation mark may open the paragraph): a
        turn of an interview transcript, the capitalised label its speaker. The label must be a
        name the article writes elsewhere ('Pence'), not 'UPDATE:' or 'VIDEO:'."""
        m = _TRANSCRIPT.match(self.text, self.ps, self.pe)
        if not m or m.group(1) in _NOT_SPEAKERS:
            return False
        last = m.group(1).split()[-1].strip(".’'").title()
        if not re.search(r"(?<![\w-])" + re.escape(last) + r"(?![\w-])", self.text) \
                and len(re.findall(r"(?m)^[\"“]?" + re.escape(m.group(1)) + r":", self.text)) < 2:
            # rules-1.18: or a label that opens two turns or more ('WALLACE:' of a Fox transcript whose
            # article never writes 'Wallace')
            return False
        clause = Clause(":", m.end(1), m.end(1) + 1, m.start(1), m.end(1), m.end())
        return self.add(m.end(), self.pe, "direct", clause, STRONG) is not None

    # -- quotes ---------------------------------------------------------------------------
    def quote_rules(self) -> None:
        text, pending = self.text, []
        last_attr: Cand | None = None
        prev_close = self.ps
        for q in self.quotes:
            if q.open_at > self.ps and text[q.open_at - 1] == "=":
                continue                    # rules-1.9: '<tweet author="@tedcruz">': markup, not speech
            clause = post_clause(text, q.close_at, self.pe) if q.closed else None
            lo = max(self.sent_at(q.open_at)[0], prev_close)
            if clause is not None and q.opened and text[q.start:q.end].rstrip(" ”\"'").endswith(".") \
                    and text[clause.spk_start:clause.spk_start + 1].isupper():
                # rules-1.16: 'Brafman said, “The case was weak.” He added, “...”': a quote that ends its
                # sentence is not attributed by the next sentence when a clause before it attributes it
                clause = pre_clause(text, lo, q.open_at) or clause
            if clause is not None and clause.cue != "―" and _ends_sentence(text, q) \
                    and text[lo:q.open_at].rstrip()[-1:].isalnum() \
                    and not adjunct_tail(text[clause.cue_end:clause.end], clause.cue):
                # rules-1.18: 'Warren said it was “bad.” Brooks said the tone ...': a quote inside a sentence that
                # ends with it; the next sentence says something of its own, and its speaker is not the quote's
                clause = pre_clause(text, lo, q.open_at)
            if clause is None and q.closed:
                dn = dash_name(text, q.close_at, self.pe)
                if dn:
                    clause = Clause("―", dn[0] - 1, dn[0] - 1, dn[0], dn[1], self.pe)
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
                if clause.end < self.pe and DASH_CONT.match(text, clause.end):
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
        near = (q for at in range(pos - 3, pos + 1) for q in self._quotes_closing_at.get(at, ()))
        return any(q.closed and _words(self.text, q.start, q.end) >= 5
                   and self.text[q.end - 1:q.close_at].strip()[:1] in ",!?" for q in near)

    def in_quote(self, pos: int) -> bool:
        """pos lies inside a quotation of this paragraph."""
        i = bisect.bisect_right(self._quote_opens, pos) - 1     # the last quote opened by pos
        return i >= 0 and pos < self._quote_reach[i]

    def _sentential(self, q: Quote) -> bool:
        s, _ = self.sent_at(q.open_at)
        before = self.text[s:q.open_at].strip(" \u00a0–—―-")
        return (not before or before.endswith(":")) and _words(self.text, q.start, q.end) >= 3

    def continuation(self, pos: int, source: Cand) -> None:
        """Speech that goes on after its attribution: '..., he said. – They live here ...'."""
        i = bisect.bisect_left(self._quote_opens, pos)          # the next quote to open
        end = self._quote_opens[i] if i < len(self._quote_opens) else self.pe
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
                if c and clause.end < self.pe and DASH_CONT.match(self.text, clause.end):
                    self.continuation(clause.end, c)
                return
        self.add(start, self.quotes[0].open_at if self.quotes else self.pe, "direct", None, RULE,
                 inherit=self.prev)

_MODEL: list[LearnedModel] = []


def _ends_sentence(text: str, q: Quote) -> bool:
    return text[q.start:q.end].rstrip(" ”\"'’").endswith((".", "!", "?"))


def default_model() -> LearnedModel:
    """The shipped learned model (learned_weights.json), loaded once; ValueError if malformed."""
    if not _MODEL:
        _MODEL.append(load_learned())
    return _MODEL[0]


_DEFAULT = object()


def run(text: str, model=_DEFAULT, record=None) -> list[Cand]:
    """Candidates of text. model: the learned model that fills gaps after the rules (default
    the shipped one; None: rules only); record: see learned.learned_candidates."""
    model = default_model() if model is _DEFAULT else model
    paras = paragraphs(text)
    quotes = [find_quotes(text, ps, pe) for ps, pe in paras]
    spans = sorted((q.open_at, q.close_at) for qs in quotes for q in qs)
    starts = [a for a, _ in spans]

    def narrative(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i < 0 or not (spans[i][0] <= pos < spans[i][1])

    registry = build_registry(text, narrative)
    cands: list[Cand] = []
    learned: list[Cand] = []
    anchors: list[Cand] = []
    prev: Cand | None = None
    for (ps, pe), qs in zip(paras, quotes):
        par = _Paragraph(text, ps, pe, qs, prev)
        found = par.run()
        cands.extend(found)
        # Kept apart from found: the learned candidates must not change which speaker the next
        # paragraph's quotes inherit.
        learned.extend(learned_candidates(par, model, record))
        spoken = [c for c in found if c.spk or c.inherit]
        prev = max(spoken, key=lambda c: c.start) if spoken else None
        anchor = _introduces_next(text, ps, pe, qs)
        if anchor is not None:
            anchors.append(anchor)
            prev = anchor
    names = [e.name for e in registry.entities.values()]
    _resolve_speakers(text, cands + anchors, registry)
    canonicalize(text, [c.who for c in cands], names)
    if learned:
        # After the rules' speakers are settled, so that neither the registry's resolution of
        # pronouns nor the canonical names of the rules' statements change; the rules' names
        # take part as copies, to give the learned speakers the same full names.
        _resolve_speakers(text, learned, registry)
        if any(is_name(c.who.speaker) for c in learned):
            canonicalize(text, [dataclasses.replace(c.who) for c in cands if is_name(c.who.speaker)]
                         + [c.who for c in learned], names)
    kept = _resolve_overlaps(text, cands + learned)
    return sorted(kept, key=lambda c: (c.start, c.end))


def _introduces_next(text: str, ps: int, pe: int, quotes: list[Quote]) -> Cand | None:
    """'Caddell continued:' closing a paragraph introduces the quotation that follows: a
    speaker without content, which the next paragraph's quotes inherit."""
    if text[pe - 1] != ":":
        return None
    ls = sentences(text, ps, pe)[-1][0]
    if any(q.close_at > ls for q in quotes):
        return None                         # the colon closes words of a quotation
    clause = pre_clause(text, ls, pe)
    if clause is None:
        return None
    return Cand(pe, pe, "direct", clause.cue, (clause.spk_start, clause.spk_end), WEAK)


def _resolve_overlaps(text: str, cands: list[Cand]) -> list[Cand]:
    """Stronger candidates first; a weaker one that overlaps keeps only the longest part
    outside the stronger ones, and only if that part still reads as a statement."""
    # Kept spans never overlap one another: a span that clashes is cut down to a gap between
    # the spans it clashes with. Ordered by start they are then ordered by end too, so the
    # spans a candidate clashes with are the last kept one starting before it (if it reaches
    # in) and those starting inside it: a lookup, where a scan of everything kept so far made
    # long documents quadratic.
    kept = SortedBlocks()               # start -> kept candidate
    for c in sorted(cands, key=lambda c: (-c.priority, -(c.end - c.start))):
        if c.priority == WEAK and c.inherit is None:
            continue
        clashes = _overlapping(kept, c.start, c.end)
        if clashes:
            if c.priority <= FALLBACK:
                continue                    # rules-1.10: fallbacks (and learned-1) only fill gaps
            s, e = _free_part(c.start, c.end, clashes)
            s, e = trim(text, s, e)
            if len(text[s:e].split()) < 4:
                continue
            c.start, c.end = s, e
        kept.add(c.start, c)
    return list(kept.values())


def _overlapping(kept: SortedBlocks, s: int, e: int) -> list[Cand]:
    """Kept candidates that overlap [s, e), in text order; s < e, kept spans disjoint."""
    out = []
    before = kept.last_below(s)
    if before is not None and before[1].end > s:
        out.append(before[1])
    out.extend(k for _, k in kept.irange(s, e))
    return out


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

