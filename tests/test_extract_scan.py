"""The article scans behind the rules: cue words (cues.py) and surname hits (surname_scan.py) found the fast way
are the ones the plain regex scan finds."""
import re

from workbench.extract import cues, surname_scan


def _plain_scan(kind: cues._Cues, text: str) -> list[tuple[int, int, str]]:
    """What one regex pass over the whole text finds: single forms as words, multi-word forms by alternation,
    never overlapping, a multi-word form winning over a single one at the same start; compounds left out."""
    hits = {m.start(): (m.start(), m.end(), m.group()) for m in cues._WORD.finditer(text) if m.group() in kind._single}
    for m in kind._multi.finditer(text):
        hits[m.start()] = (m.start(), m.end(), m.group())
    compound = {m.start() for m in cues._COMPOUNDS.finditer(text)}
    return [h for s, h in sorted(hits.items()) if s not in compound]


TEXTS = [
    "Officials were optimistic about the deal, and aides were skeptical. Critics spoke out against it.",
    "The senator, who has been supportive of the bill, spoke out against a liberal think tank and a talk show.",
    "She was dismissive of the Think tank's report; they were supportive of it and were, she said, optimistic.",
    "He said so. Well-known critics were optimistic-ish but were optimistic anyway.",
]


def test_the_word_scan_finds_what_one_regex_pass_finds():
    for kind in (cues.CUE, cues.OBJECT_CUE):
        for text in TEXTS:
            kind._scan(text)
            found = [(vs, ve, verb) for _, vs, ve, verb in kind._hits]
            assert found == _plain_scan(kind, text), text


def test_multi_word_cues_are_found_and_compounds_are_not_cues():
    text = "Aides were skeptical. Critics spoke out against the plan. A think tank said so."
    cues.OBJECT_CUE._scan(text)
    verbs = [verb for *_, verb in cues.OBJECT_CUE._hits]
    assert "spoke out against" in verbs
    cues.CUE._scan(text)
    assert [verb for *_, verb in cues.CUE._hits if verb.startswith("think")] == []


def test_surname_hits_are_whole_capitalised_words_in_any_case():
    text = "TRUMP spoke. Trump's aide and a trumpet player met Trumpism fans; Mr. Trump left. mctrump"
    hits = [(h.start(), h.group()) for h in surname_scan.surname_hits(text, {"trump"})]
    expected = [(m.start(), m.group()) for m in surname_scan.CAPITALISED.finditer(text) if m.group().lower() == "trump"]
    assert hits == expected
    assert [g for _, g in hits] == ["TRUMP", "Trump"]   # "Trump's" is one word, as the plain scan reads it


def test_surname_hits_survive_text_whose_lower_case_changes_length():
    text = "İstanbul mayor Ekrem Imamoglu spoke; Imamoglu left."  # 'İ'.lower() is two characters
    assert len(text.lower()) != len(text)
    assert [h.start() for h in surname_scan.surname_hits(text, {"imamoglu"})] == [
        m.start() for m in re.finditer(r"Imamoglu", text)]
