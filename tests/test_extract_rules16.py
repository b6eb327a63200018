"""Rule added in rules-1.6: a time adjunct between the speaker and the cue."""
from workbench.extract import extract


def _spans(text):
    return [(s.text, s.speaker) for s in extract(text)]


def test_time_adjunct_after_relative_pronoun():
    text = ("The governor has clashed with Ms. Ortega, the council president, who in 2014 said "
            "the budget office was hiding its forecasts from the public.")
    texts = [t for t, _ in _spans(text)]
    assert "the budget office was hiding its forecasts from the public" in texts


def test_time_adjunct_is_not_part_of_the_speaker():
    text = "Ms. Ortega on Tuesday said the council would vote on the budget next month."
    assert ("the council would vote on the budget next month", "Ortega") in _spans(text)


def test_release_adjunct_is_not_part_of_a_poll_speaker():
    spans = _spans("A Marist poll released last week found most voters wanted a new budget.")
    assert spans and spans[0][0] == "most voters wanted a new budget"
    assert spans[0][1].split()[-1] == "poll"
