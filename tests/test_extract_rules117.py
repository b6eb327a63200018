"""Rules added in rules-1.17: reported speech the rules read wrong or missed (found in PolNeAR train misses)."""
from workbench.extract import extract


def _spans(text):
    return [(s.text, s.speaker, s.cue) for s in extract(text)]


def test_an_in_a_speech_lead_in_ends_at_its_first_comma_when_a_speaker_follows():
    # the lead-in's optional second part ('In the poll, conducted in May,') had swallowed 'Graham urged ...'
    spans = _spans("In his speech, Graham urged Republicans to join the ranks of climate change believers, "
                   "and criticized the party.")
    assert [(t.split(",")[0], s, c) for t, s, c in spans] == [
        ("to join the ranks of climate change believers", "Graham", "urged")]
    # the poll's own second part is still part of its lead-in
    [poll] = extract("In the latest Post/ABC poll, conducted in May, Clinton leads Trump by five points among voters.")
    assert poll.text == "Clinton leads Trump by five points among voters"


def test_a_number_after_the_cue_opens_the_content_not_an_adjunct():
    spans = _spans("McAuliffe has said about 20 people have indicated an interest in the seat.")
    assert spans == [("about 20 people have indicated an interest in the seat", "McAuliffe", "said")]


def test_a_long_person_object_before_that_or_if():
    spans = _spans("Donald Trump tells Fox News anchor Megyn Kelly that people who are bullied gotta get over it.")
    assert spans == [("people who are bullied gotta get over it", "Donald Trump", "tells")]
    spans = _spans("HuffPost asked the 2016 Democratic White House contender if he has been preparing himself.")
    assert spans == [("if he has been preparing himself", "HuffPost", "asked")]


def test_i_think_after_a_leading_conjunction_is_speech():
    texts = [t for t, _, _ in _spans("He is a populist. So I think he is perfectly fit for the time in his party.")]
    assert texts == ["he is perfectly fit for the time in his party"]


def test_a_parenthesis_between_the_cue_and_that():
    spans = _spans("Several experts cautioned, as did the Clinton campaign itself, that Mrs. Clinton's tax "
                   "proposals might well evolve.")
    assert spans == [("Mrs. Clinton's tax proposals might well evolve", "Several experts", "cautioned")]
    [s] = extract("Mr. Santorum believes, for example, that the tax code should be much simpler.")
    assert (s.text, s.speaker) == ("the tax code should be much simpler", "Santorum")
