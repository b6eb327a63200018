"""learned-1: a logistic-regression reading of cue words in sentences the rules leave empty.

After a paragraph's rules have run, each sentence with no rule candidate and no quotation
mark is searched for cue words learned from PolNeAR train (learned_weights.json, card in
learned_weights.md). Each cue gives a few readings (the content after it to the sentence end
or to the first clause boundary; the words before 'X said' at the end). A linear model scores
them; the best reading of a sentence above the threshold becomes a candidate of priority
LEARNED, below every rule: it only fills gaps. Pure Python at run time; training is
train_learned.py.
"""
import bisect
import itertools
import json
import math
import pathlib
import re

from .attribution import speaker_before
from .phrase_kind import GENERIC_PLURAL, speaker_like
from .sentence_subject import subject
from .candidate import Cand, content as _content
from .cues import STANCE
from .lexicon import PREPOSITIONS
from .stance_rules import bare_noun_phrase

LEARNED = -1                        # below every rule candidate (WEAK is 0): fills gaps only
WEIGHTS = pathlib.Path(__file__).with_name("learned_weights.json")
FORMAT = "workbench-extract-learned/1"

_WORD = re.compile(r"[A-Za-z][\w’'-]*|\d[\d,.%]*")
_QUOTE_MARKS = ("“", "”", "\"", "''", "«", "»")
# Where content may give way to the writer's words: one reading stops at the first of these.
_BOUNDARY = re.compile(r",\s+(?:but|which|who|whose|while|although|though|as|according|and|so|"
                       r"even|when|where|after|before|because|including|meaning|despite)\b|"
                       r";\s|\s[-–—―]+\s|\s(?:because|while|although|though|but)\s|\(")
# Raising and passive cues: 'is expected to', 'seemed to'.
_RAISING = {"seem", "seems", "seemed", "appear", "appears", "appeared", "expected", "is", "are", "was",
            "were", "be", "been"}
_PRONOUNS = {"he", "she", "they", "we", "i", "you", "it"}
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "that",
                "these", "those", "whose", "no", "any", "some", "each", "every"}
_MODALS = {"will", "would", "can", "could", "may", "might", "should", "must", "shall", "to",
           "did", "does", "do", "not", "never", "has", "have", "had", "is", "are", "was", "were",
           "be", "been"}


FUNCTION_WORDS = set("""a an the to of in on at by for from with about under over as that this it its is are
was were be been being has have had do does did not no and or but if than then so such he she they we i
you his her their our my your who whom which what when where why how there here also just very more most
up out into onto after before during while since until upon against without within""".split())


class LearnedModel:
    """Weights of a logistic regression over sparse string features, and where it fires."""

    def __init__(self, cues: set[str], weights: dict[str, float], bias: float, threshold: float,
                 long_sentence_words: int, long_threshold: float):
        self.cues, self.weights, self.bias = cues, weights, bias
        self.threshold, self.long_words, self.long_threshold = threshold, long_sentence_words, long_threshold
        self.max_cue_words = max((len(c.split()) for c in cues), default=1)
        self.first_words = {c.split()[0] for c in cues}
        # Each cue's first word that is no function word ('say' of 'to say'): a sentence
        # without any of these holds no cue, and most sentences are passed over on that test.
        self.key_words = {next((w for w in c.split() if w not in FUNCTION_WORDS), c.split()[0]) for c in cues}

    def probability(self, features: list[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in features)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def threshold_for(self, sentence_words: int) -> float:
        return self.long_threshold if sentence_words > self.long_words else self.threshold


def load(path: pathlib.Path = WEIGHTS) -> LearnedModel:
    """The model in path; ValueError naming the file and the fault when it is malformed."""
    try:
        data = json.loads(pathlib.Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"learned extractor weights {path}: unreadable ({exc})") from exc

    def bad(why: str) -> ValueError:
        return ValueError(f"learned extractor weights {path}: {why}")

    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise bad(f"'format' must be {FORMAT!r}")
    cues, weights = data.get("cues"), data.get("weights")
    if not isinstance(cues, list) or not cues or not all(isinstance(c, str) and c for c in cues):
        raise bad("'cues' must be a non-empty list of strings")
    if not isinstance(weights, dict) or not all(isinstance(v, (int, float)) and math.isfinite(v)
                                                for v in weights.values()):
        raise bad("'weights' must map feature names to finite numbers")
    numbers = {}
    for key in ("bias", "threshold", "long_sentence_words", "long_threshold"):
        value = data.get(key)
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
            raise bad(f"'{key}' must be a finite number")
        numbers[key] = value
    if not (0 < numbers["threshold"] < 1 and 0 < numbers["long_threshold"] < 1):
        raise bad("thresholds must lie between 0 and 1")
    return LearnedModel(set(cues), {k: float(v) for k, v in weights.items()}, float(numbers["bias"]),
                        float(numbers["threshold"]), int(numbers["long_sentence_words"]),
                        float(numbers["long_threshold"]))


_EDGES = (2, 4, 8, 15, 25, 40)
_BUCKETS = [str(next((i for i, edge in enumerate(_EDGES) if n <= edge), len(_EDGES))) for n in range(42)]


def _bucket(n: int) -> str:
    """'0' for up to 2 words ... '6' for over 40."""
    return _BUCKETS[min(n, 41)]


def _shape(word: str) -> str:
    low = word.lower()
    if low in _PRONOUNS:
        return "pron"
    if low in _DETERMINERS:
        return "det"
    if low in _MODALS:
        return "aux"
    if word[:1].isdigit():
        return "num"
    return "cap" if word[:1].isupper() else "low"


def _subject_kind(text: str, spk: tuple[int, int] | None) -> str:
    if spk is None:
        return "none"
    words = text[spk[0]:spk[1]].split()
    if len(words) == 1 and words[0].lower() in _PRONOUNS:
        return "pron"
    return "name" if all(w[:1].isupper() for w in words if len(w) > 3) else "np"


_SKIP = re.compile(r"\s*(?:that\b|,|:)?\s*")


def _cues_in(low: list[str], vocab: "LearnedModel") -> list[tuple[int, int]]:
    """(first, past-last) token indexes of the cues in low, the longest cue at each token."""
    found, n = [], len(low)
    for i in range(n):
        if low[i] not in vocab.first_words:
            continue                        # most words: one set look-up
        for k in range(vocab.max_cue_words, 0, -1):
            if i + k <= n and " ".join(low[i:i + k]) in vocab.cues:
                found.append((i, i + k))
                break
    return found


def readings(text: str, s: int, e: int, vocab: "LearnedModel"):
    """(cue, cue_start, cue_end, content_start, content_end, speaker span, features) for every
    reading of every learned cue word in the sentence text[s:e]."""
    low = _WORD.findall(text[s:e].lower())
    if vocab.key_words.isdisjoint(low):
        return                              # most sentences: no cue word, no reading
    found = _cues_in(low, vocab)
    if not found:
        return
    # Offsets only now, for the few sentences that hold a cue.
    matches = list(_WORD.finditer(text, s, e))
    if len(matches) != len(low):            # lower() changed a token ('İ'): the text's own tokens
        low = [m.group().lower() for m in matches]
        found = _cues_in(low, vocab)
    toks = [(m.start(), m.end(), w) for m, w in zip(matches, low)]
    n = len(toks)
    sent = [f"slen={_bucket(n)}", f"ncomma={min(text.count(',', s, e), 4)}",
            f"first={_shape(toks[0][2])}", f"ncues={min(len(found), 3)}"]
    for i, j in found:
        cue = " ".join(t[2] for t in toks[i:j])
        cs, ce = toks[i][0], toks[j - 1][1]
        orig_prev = text[toks[i - 1][0]:toks[i - 1][1]] if i > 0 else "<start>"
        # Guards of issue #26, as in the rules: a cue after a determiner or a possessive is a
        # noun ('the plans', 'Clinton's claims'); a raising or passive cue ('is expected to',
        # 'seemed') says nothing of a speaker.
        if orig_prev.lower() in _DETERMINERS or orig_prev.endswith(("’s", "'s", "’", "'")) \
                or any(w in _RAISING for w in cue.split()):
            continue
        start = _SKIP.match(text, ce, e).end()
        if _words(text, start, e) < 3:
            continue
        spk = speaker_before(text, s, cs)
        if spk is None or not speaker_like(text[spk[0]:spk[1]]):
            spk = subject(text, s, cs) or _noun_phrase_before(text, s, cs)
        if spk is not None:
            first = text[spk[0]:spk[1]].split()[0].lower()
            if first in PREPOSITIONS or first.endswith("ing") or first in ("but", "and", "or", "yet"):
                spk = None                  # 'Facing ...', 'Beyond Trump's ...': a lead-in, no subject
        if spk is not None and cue in STANCE and GENERIC_PLURAL.fullmatch(text[spk[0]:spk[1]]):
            continue                        # 'Experts believe ...': no one to name
        skind = _subject_kind(text, spk)
        head = text[spk[0]:spk[1]].split()[-1].lower().strip(".,’'") if spk else "<none>"
        prev = [t[2] for t in toks[max(0, i - 2):i]]
        nxt = toks[j][2] if j < n else "<end>"
        lead = text[start:e].split()[:8]
        cfirst = lead[0].lower().strip(",.’'")
        # A clause says something; a bare noun phrase ('the vote') is what was acted on.
        finite = any(w.lower().strip(",.’'") in _MODALS or w.endswith("ed") and len(w) > 4 for w in lead[1:])
        shapes = "|".join(_shape(w) for w in lead[:3])
        base = sent + [f"cue={cue}", f"next={nxt}", f"cue_next={cue}|{nxt}",
                       f"prev={prev[-1] if prev else '<start>'}", f"prev_shape={_shape(orig_prev)}",
                       f"prev2={'|'.join(prev)}", f"cue_prev_shape={cue}|{_shape(orig_prev)}",
                       f"pos={_bucket(i)}", f"after={_bucket(n - j)}",
                       f"comma_before={text[max(s, cs - 2):cs].strip() == ','}",
                       f"comma_after={text[ce:ce + 1] == ','}", f"subj_head={head}",
                       f"subj_head_cue={head}|{cue}", f"finite={finite}", f"cue_finite={cue}|{finite}",
                       f"cshape={shapes}", f"subj={skind}", f"cue_subj={cue}|{skind}",
                       f"that={'that' in text[ce:start]}", f"cfirst={cfirst}", f"cue_cfirst={cue}|{cfirst}"]
        # Where the content ends: the sentence's end, its first clause boundary, its first
        # comma. Each is a reading of its own; the model picks by what follows the end.
        ends = [("sent", e)]
        b = _BOUNDARY.search(text, start, e)
        if b and _words(text, start, b.start()) >= 3:
            ends.append(("clause", b.start()))
        comma = text.find(", ", start, e)
        if comma > 0 and _words(text, start, comma) >= 3 and (not b or comma != b.start()):
            ends.append(("comma", comma))
        for tag, end in ends:
            if bare_noun_phrase(text[start:end], cue):
                continue                    # 'welcomed the vote': what was acted on, no statement
            follow = " ".join(text[end:end + 12].split()[:2]).lower().strip(".") if end < e else "<end>"
            clen = _bucket(_words(text, start, end))
            yield cue, cs, ce, start, end, spk, base + [
                f"end={tag}", f"cue_end={cue}|{tag}", f"follow={follow}", f"clen={clen}",
                f"cut={_bucket(_words(text, end, e))}", f"end_clen={tag}|{clen}"]


_CLAUSE_START = re.compile(r"[,;:(]\s*|\s(?:and|but|because|while|as|that|if|when|since|though|"
                           r"although|so|who|which|where)\s")
_NOT_NOUN = _MODALS | {"it", "there", "what", "how", "why", "this", "which", "who", "when"}


def _noun_phrase_before(text: str, s: int, cs: int) -> tuple[int, int] | None:
    """'those surveyed', 'Most polls', 'the new report': one to six words before the cue, back
    to the clause's start, none of them an auxiliary or a pronoun that is no speaker."""
    lo = s
    for m in _CLAUSE_START.finditer(text, s, cs):
        lo = m.end()
    words = text[lo:cs].split()
    if not 1 <= len(words) <= 6 or any(w.lower().strip(".,") in _NOT_NOUN for w in words):
        return None
    start = lo + len(text[lo:cs]) - len(text[lo:cs].lstrip())
    return start, start + len(text[start:cs].rstrip())


def _words(text: str, s: int, e: int) -> int:
    return len(text[s:e].split())


def open_sentences(par) -> list[tuple[int, int]]:
    """Sentences of a paragraph that hold no rule candidate and no quotation mark."""
    taken = sorted((c.start, c.end) for c in par.out)
    starts = [a for a, _ in taken]
    # reach[i]: the furthest end among the first i + 1 candidates. A sentence [s, e) overlaps
    # one iff the candidates starting before e reach past s: a look-up, not a scan (a long
    # paragraph of many sentences must stay linear, tests/test_extract_scaling.py).
    reach = list(itertools.accumulate((b for _, b in taken), max))
    out = []
    for s, e in par.sents:
        i = bisect.bisect_left(starts, e) - 1
        if i >= 0 and reach[i] > s:
            continue
        seg = par.text[s:e]
        if any(q in seg for q in _QUOTE_MARKS) or par.in_quote(s):
            continue
        out.append((s, e))
    return out


def learned_candidates(par, model: "LearnedModel | None", record=None) -> list[Cand]:
    """Candidates of the learned model for one paragraph after its rules (cascade.run). With
    record, every reading is handed to record(reading) instead and nothing is returned
    (train_learned.py collects the training examples this way)."""
    if model is None and record is None:
        return []
    vocab = model if model is not None else record.vocab
    text, out = par.text, []
    for s, e in open_sentences(par):
        best, best_p = None, 0.0
        for r in readings(text, s, e, vocab):
            if record is not None:
                record(r)
                continue
            p = model.probability(r[6])
            if p >= model.threshold_for(_words(text, s, e)) and p > best_p:
                best, best_p = r, p
        if best is None:
            continue
        cue, cs, ce, start, end, spk, _ = best
        start, end = _content(text, start, end, keep_stop=False)
        if end - start >= 2:
            out.append(Cand(start, end, "indirect", cue, spk, LEARNED))
    return out
