"""Reported speech found mid-sentence, after progressive and negated cues, and its subjects."""
from workbench.extract import extract


def _one(text):
    found = extract(text)
    for s in found:
        assert text[s.start:s.end] == s.text
    assert len(found) == 1, found
    return found[0]


def test_local_subject_after_a_subordinator():
    s = _one("The council met on Friday, shortly after Mayor Ortiz said the budget would pass.")
    assert (s.text, s.speaker, s.kind) == ("the budget would pass", "Ortiz", "indirect")


def test_local_subject_after_a_semicolon():
    s = _one("The vote is close; the union's leaders say the strike will go on.")
    assert s.text == "the strike will go on"
    assert s.cue == "say"


def test_progressive_cue():
    s = _one("The ministry is stressing that the water is safe to drink.")
    assert (s.text, s.cue) == ("the water is safe to drink", "stressing")


def test_that_followed_by_a_comma():
    s = _one("Ms. Park joked that, in winter, the ferry is the only way home.")
    assert s.text == "in winter, the ferry is the only way home"


def test_clause_after_said_is_not_an_inverted_speaker():
    s = _one("But Ana Ruiz, a nurse at the clinic, said patients still wait for hours.")
    assert (s.text, s.speaker) == ("patients still wait for hours", "Ana Ruiz")


def test_source_noun_with_bare_clause():
    s = _one("One survey found most residents back the new tram line.")
    assert s.text == "most residents back the new tram line"


def test_indirect_question_and_negated_infinitive():
    s = _one("Reporters asked whether the bridge would reopen in May.")
    assert s.text == "whether the bridge would reopen in May"
    s = _one("Governor Lee vowed not to raise the fuel tax.")
    assert (s.text, s.speaker) == ("not to raise the fuel tax", "Lee")


def test_second_verb_shares_the_sentence_subject():
    s = _one("The mayor visited the port and said the new cranes would arrive in June.")
    assert (s.text, s.speaker_role) == ("the new cranes would arrive in June", "mayor")
    s = _one("The minister opened the hearing by saying the report was incomplete.")
    assert (s.text, s.cue) == ("the report was incomplete", "saying")


def test_object_of_a_coordinated_stance_verb():
    s = _one("Ms. Ortega thanked the volunteers and accused the council of ignoring the flood warnings.")
    assert (s.text, s.speaker, s.cue) == (
        "the council of ignoring the flood warnings", "Ortega", "accused")


def test_local_subject_of_a_stance_verb():
    s = _one("The strike ended on Friday after Governor Hale condemned the owners for locking out the crews.")
    assert (s.text, s.speaker) == ("the owners for locking out the crews", "Hale")


def test_first_verb_object_and_second_verb_content():
    found = extract("Mr. Diaz criticized the tender as rigged and insisted that the contract be cancelled.")
    assert [(s.text, s.cue) for s in found] == [
        ("the tender as rigged", "criticized"), ("the contract be cancelled", "insisted")]
    # A bare noun phrase ('criticized the tender') says nothing by itself: only the content counts.
    found = extract("Mr. Diaz criticized the tender and insisted that the contract be cancelled.")
    assert [(s.text, s.cue) for s in found] == [("the contract be cancelled", "insisted")]


def test_participle_after_an_attribution_keeps_the_speaker():
    found = extract('"The port is not for sale," Mayor Lind said, referring to the offer from the group.')
    assert [(s.text, s.speaker, s.cue) for s in found] == [
        ("The port is not for sale", "Lind", "said"),
        ("the offer from the group", "Lind", "referring to")]


def test_leading_asked_clause():
    found = extract("Asked whether the port would be sold, Lind said the council had not decided.")
    assert [(s.text, s.speaker) for s in found] == [
        ("whether the port would be sold", "Lind"), ("the council had not decided", "Lind")]
