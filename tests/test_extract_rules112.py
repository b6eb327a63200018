"""rules-1.12: more attributions found (PolNeAR all-attribution recall), the issue #26 guards kept."""
from workbench.extract import EXTRACTOR_VERSION, extract


def test_version():
    assert EXTRACTOR_VERSION not in ("rules-1.11", "rules-1.10")  # bumped by 1.12 and later


def test_said_after_any_noun_phrase_subject():
    [s] = extract("Again, those surveyed said Trump was best able to handle the issue.")
    assert (s.text, s.cue) == ("Trump was best able to handle the issue", "said")
    [s] = extract("Four in 10 voters say they want the next president to have more liberal policies.")
    assert s.text == "they want the next president to have more liberal policies"


def test_poll_shares_end_at_the_next_share():
    [s] = extract("Of those surveyed, 47% say the United States should send troops; 37% disagree.")
    assert s.text == "the United States should send troops"


def test_inverted_quotes_are_not_read_as_subjects():
    text = ("''That's the challenge,'' said Jared Bernstein, a senior fellow at the Center on "
            "Budget and Policy Priorities.")
    assert [(s.text, s.speaker) for s in extract(text)] == [("That's the challenge", "Jared Bernstein")]


def test_hopes_and_plans_before_an_infinitive_are_cues():
    [s] = extract("In California, Hillary Clinton hopes to make a statement in a contest that will "
                  "end the primaries.")
    assert (s.text, s.speaker, s.cue) == (
        "to make a statement in a contest that will end the primaries", "Hillary Clinton", "hopes")
    [s] = extract("Bernie Sanders plans to support at least 100 candidates running for office.")
    assert (s.text, s.speaker) == ("to support at least 100 candidates running for office", "Bernie Sanders")


def test_plans_as_a_noun_is_no_cue():
    assert extract("Hillary Clinton’s plans to raise taxes were never costed by anyone.") == []
    assert extract("The plans to build the bridge were shelved in March last year.") == []


def test_i_think_opening_a_sentence_is_speech():
    [s] = extract("I think this meeting is too little too late for the voters of Ohio.")
    assert (s.text, s.cue) == ("this meeting is too little too late for the voters of Ohio", "think")


def test_i_think_inside_a_quoted_sentence_stays_the_quote():
    found = extract("“I think the minister is no danger,” says Inna Vetrenko, a professor.")
    assert [(s.text, s.speaker) for s in found] == [("I think the minister is no danger", "Inna Vetrenko")]


def test_issue_26_guards_hold():
    assert extract("Christie welcomed the vote. Merkel championed the plan. Johnson criticised the "
                   "decision. Ortiz warned of consequences. The lobby pushed for exemptions.") == []
    [s] = extract("Professor Katrin Vogel said that the think tank had no press conference planned.")
    assert (s.text, s.speaker) == ("the think tank had no press conference planned", "Katrin Vogel")
