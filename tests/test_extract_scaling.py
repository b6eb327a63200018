"""extract() does work in proportion to the document's length, not its square.

Ingest accepts documents of up to 50 MiB. The rules used to compare each statement with all
those kept before it and each speaker with every earlier person and mention, so a 1 MB
document took half a minute and a 4 MB one minutes. The work is measured here as the number
of lines of the extractor executed (a trace), which unlike a timing does not depend on how
loaded the machine is: the same input always runs the same lines.
"""
import bisect
import random
import sys
import time
from pathlib import Path

import pytest

import workbench.extract as extract_pkg
from workbench.extract import extract

_EXTRACTOR_DIR = str(Path(extract_pkg.__file__).parent)


def _lines_run(text: str) -> int:
    """Lines of workbench/extract executed by extract(text)."""
    count = 0

    def in_frame(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return in_frame

    def on_call(frame, event, arg):
        # Only the extractor's own frames are traced line by line.
        return in_frame if frame.f_code.co_filename.startswith(_EXTRACTOR_DIR) else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        extract(text)
    finally:
        sys.settrace(previous)
    return count


def _article(units: int, paragraph_break: str) -> str:
    """A news-like text with a new person in every unit: a titled name with an apposition,
    a quote, a pronoun and a role descriptor that refer back, as the speaker rules see them."""
    parts = []
    for i in range(units):
        surname = "".join(chr(ord("a") + i // 26 ** k % 26) for k in range(3)).capitalize()
        parts.append(f'Senator Jo {surname}, the governor of Ohio, said "this is fine" on Monday.'
                     f'{paragraph_break}He told reporters that the plan works. The governor said '
                     f'"we will see." The minister said "it is over" on Tuesday.{paragraph_break}')
    return "".join(parts)


def _cpu_seconds(text: str) -> float:
    best = float("inf")
    for _ in range(2):
        started = time.process_time()
        extract(text)
        best = min(best, time.process_time() - started)
    return best


def test_text_without_full_stops_grows_linearly():
    """The sentence rules look back to the sentence start from every cue: one endless sentence
    was quadratic (100 KB took two minutes) until sentences were cut at MAX_SENTENCE. That work
    is inside regular expressions, which a line trace does not see, so CPU time is compared:
    4x the text took 16x the time before, about 4x now."""
    small = _cpu_seconds(("x said y " * 2000)[:16_000])
    large = _cpu_seconds(("x said y " * 8000)[:64_000])
    assert large / small < 9, f"4x the text took {large / small:.1f}x the CPU time ({small:.2f} -> {large:.2f} s)"


def test_long_runs_are_cut_and_real_sentences_are_not():
    from workbench.extract.segment import MAX_SENTENCE, sentences

    text = "The minister said it was fine. " * 3 + "Word " + "word " * 1000 + "end. Then he left."
    spans = sentences(text, 0, len(text))
    assert all(e - s <= MAX_SENTENCE for s, e in spans)
    assert [text[s:e] for s, e in spans[:3]] == ["The minister said it was fine."] * 3
    assert text[spans[-1][0]:spans[-1][1]] == "Then he left."
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")  # nothing lost


@pytest.mark.parametrize("paragraph_break", ["\n\n", " "], ids=["many_paragraphs", "one_paragraph"])
def test_work_grows_linearly_with_length(paragraph_break):
    small = _lines_run(_article(100, paragraph_break))
    large = _lines_run(_article(400, paragraph_break))
    # Linear work gives a ratio of 4; the quadratic version gave 13 and more on these texts.
    assert large / small < 5, f"4x the text ran {large / small:.1f}x the lines ({small} -> {large})"


def test_sorted_blocks_agree_with_a_sorted_list():
    from workbench.extract import sorted_blocks
    from workbench.extract.sorted_blocks import SortedBlocks

    rng = random.Random(7)
    load = sorted_blocks._LOAD
    sorted_blocks._LOAD = 4                 # small blocks, so that splits happen often
    try:
        for _ in range(50):
            blocks, reference = SortedBlocks(), []
            for step in range(rng.randint(0, 200)):
                key = rng.randint(0, 60)
                blocks.add(key, step)
                bisect.insort_right(reference, (key, step), key=lambda kv: kv[0])
                probe = rng.randint(-2, 62)
                i = bisect.bisect_left(reference, probe, key=lambda kv: kv[0])
                assert blocks.last_below(probe) == (reference[i - 1] if i else None)
                lo, hi = sorted((rng.randint(-2, 62), rng.randint(-2, 62)))
                assert list(blocks.irange(lo, hi)) == [kv for kv in reference if lo <= kv[0] < hi]
            assert list(blocks.values()) == [v for _, v in reference]
            assert len(blocks) == len(reference)
    finally:
        sorted_blocks._LOAD = load


def _overlaps_by_scanning(text, cands):
    """The original quadratic _resolve_overlaps, as the reference for the indexed one."""
    from workbench.extract.candidate import WEAK
    from workbench.extract.cascade import _free_part
    from workbench.extract.quotes import trim

    kept = []
    for c in sorted(cands, key=lambda c: (-c.priority, -(c.end - c.start))):
        if c.priority == WEAK and c.inherit is None:
            continue
        clashes = [k for k in kept if c.start < k.end and k.start < c.end]
        if clashes:
            if c.priority == WEAK:
                continue
            s, e = trim(text, *_free_part(c.start, c.end, clashes))
            if len(text[s:e].split()) < 4:
                continue
            c.start, c.end = s, e
        kept.append(c)
    return kept


def test_indexed_overlap_resolution_keeps_what_scanning_kept():
    from workbench.extract.candidate import RULE, STRONG, WEAK, Cand
    from workbench.extract.cascade import _resolve_overlaps

    rng = random.Random(11)
    text = " ".join(rng.choice(["a", "bb", "said", "x,", "–", "“q”"]) for _ in range(400))
    for _ in range(200):
        spans = []
        for i in range(rng.randint(1, 40)):
            s = rng.randrange(len(text) - 2)
            e = min(len(text), s + 2 + int(rng.expovariate(1 / 60)))
            spans.append((s, e, rng.choice([STRONG, RULE, WEAK]), rng.random() < 0.5))

        def cands():
            made = [Cand(s, e, "direct", None, None, p) for s, e, p, _ in spans]
            for c, (*_, inherits) in zip(made, spans):
                c.inherit = made[0] if inherits else None
            return made

        expected = sorted((c.start, c.end) for c in _overlaps_by_scanning(text, cands()))
        assert sorted((c.start, c.end) for c in _resolve_overlaps(text, cands())) == expected
