"""Headlines and digest lines: 'NAME: CONTENT' and 'SPEAKER Says CONTENT' in title case."""
from workbench.extract import extract


def _all(text):
    found = extract(text)
    for s in found:
        assert text[s.start:s.end] == s.text
    return [(s.text, s.speaker, s.cue) for s in found]


def test_colon_headline():
    assert _all("Survey: Most Commuters Would Pay More for Night Trains") == [
        ("Most Commuters Would Pay More for Night Trains", "Survey", ":")]


def test_colon_label_or_short_title_is_not_speech():
    assert _all("Note: This article was corrected on Monday to fix a date.") == []
    assert _all("Ortega: Late Show") == []
    assert _all("WEEKEND READING: The best long stories about the river towns") == []


def test_says_headline_both_orders():
    assert _all("Harbour Chief Says New Cranes Will Double Capacity") == [
        ("New Cranes Will Double Capacity", "Harbour Chief", "Says")]
    assert _all("Ferry Fares Will Rise Again, Transport Minister Says.") == [
        ("Ferry Fares Will Rise Again", "Transport Minister", "Says")]


def test_sentence_case_paragraph_is_no_headline():
    assert _all("The Harbour Chief Says tour drew a small crowd on the pier last night.") == []
