"""Non-speech uses of cue verbs make no statement; dash-led speech stops at its attribution."""
from workbench.extract import extract

COUNCIL = ("The harbour council voted on Tuesday to sell the old ferry terminal.\n\n"
           "Councillor Ana Ruiz welcomed the vote. Ruiz has championed the plan for years.\n\n"
           "Mayor Dan Whitfield criticised the decision. He warned of consequences. Local fishermen "
           "pushed for exemptions.\n\n"
           "Whitfield later said the sale would cost the town its last public pier.")


def test_a_cue_verb_with_a_bare_noun_phrase_object_is_no_statement():
    found = extract(COUNCIL)
    assert [(s.text, s.speaker) for s in found] == [
        ("the sale would cost the town its last public pier", "Dan Whitfield")]


def test_an_object_with_a_clause_or_a_quote_is_still_a_statement():
    text = ("Ruiz welcomed the vote as a fresh start for the harbour.\n\n"
            "Whitfield criticised the council for ignoring the fishermen.\n\n"
            "Whitfield called the sale “a betrayal of the town”.")
    assert [s.text for s in extract(text)] == [
        "the vote as a fresh start for the harbour", "the council for ignoring the fishermen",
        "the sale “a betrayal of the town”"]


def test_think_tank_is_not_a_cue():
    text = ("Anna Berg, a fellow at the Lisbon Policy Institute, a liberal think tank, said the plan "
            "was too timid.\n\n"
            "The Green Alliance, a think tank in London, published its own figures on Monday.")
    [s] = extract(text)
    assert (s.text, s.speaker, s.speaker_type, s.cue) == ("the plan was too timid", "Anna Berg", "expert", "said")


def test_press_conference_is_the_object_of_told_not_a_speaker_or_content():
    text = ("“The bridge will reopen in May,” Mayor Dan Whitfield told a press conference on Monday.\n\n"
            "The mayor told a news conference on Tuesday that the tolls would stay.")
    found = extract(text)
    assert [(s.text, s.speaker) for s in found] == [
        ("The bridge will reopen in May", "Dan Whitfield"), ("the tolls would stay", "Dan Whitfield")]


def test_dash_led_quote_ends_before_its_attribution():
    text = ("Dan Whitfield is the mayor of the town.\n\n"
            "– We will not give up the harbour, Whitfield told reporters after the vote. "
            "The council meets again in June.")
    [s] = extract(text)
    assert (s.text, s.speaker, s.kind) == ("We will not give up the harbour", "Dan Whitfield", "direct")
