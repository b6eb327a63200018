"""Rules added in rules-1.5: each on a short paragraph written for it."""
from workbench.extract import extract


def _spans(text):
    return [(s.text, s.speaker) for s in extract(text)]


def test_parenthetical_cue_after_subordinate_lead():
    text = "Though that transition was smooth, he said, replacing the nominee would be much harder now."
    texts = [t for t, _ in _spans(text)]
    assert any("replacing the nominee would be much harder now" in t for t in texts)


def test_according_to_a_document_source():
    text = ("According to a civil complaint filed by the agency and the state, the developers "
            "looted millions of dollars from investors.")
    texts = [t for t, _ in _spans(text)]
    assert "the developers looted millions of dollars from investors" in texts


def test_in_a_poll_lead_in():
    text = ("In the previous national poll, conducted in early September, Clinton led Trump by "
            "five points among likely voters.")
    texts = [t for t, _ in _spans(text)]
    assert "Clinton led Trump by five points among likely voters" in texts


def test_appositive_subject_before_said():
    text = "Johnnie Wilson, of Springfield, said he had fought in Vietnam for the nation's rights."
    spans = _spans(text)
    assert any(t.startswith("he had fought in Vietnam") for t, _ in spans)


def test_adjunct_then_pronoun_after_said():
    text = "Trump said after the convention he would not accept the senator's endorsement."
    texts = [t for t, _ in _spans(text)]
    assert any(t.startswith("he would not accept") for t in texts)


def test_stance_object_stops_at_dash_aside():
    text = ("Mr. Tribe likened the new power plant rules to burning the Constitution - a charge "
            "that might have stung the president.")
    texts = [t for t, _ in _spans(text)]
    assert texts and all("a charge that" not in t for t in texts)
