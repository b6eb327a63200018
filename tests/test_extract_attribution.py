"""Attribution forms: trailing, leading, reported speech, continuations."""
from workbench.extract import extract


def _texts(text):
    found = extract(text)
    for s in found:
        assert text[s.start:s.end] == s.text
    return found


def test_unmarked_sentence_with_trailing_attribution_and_apposition():
    text = ("The treaty is not a defence pact, and its main job is trade, Karl Meyer, "
            "director of the Institute for Baltic Studies, told the newspaper.")
    [s] = _texts(text)
    assert s.text == "The treaty is not a defence pact, and its main job is trade"
    assert s.speaker == "Karl Meyer"
    assert s.speaker_role == "director of the Institute for Baltic Studies"
    assert s.speaker_type == "expert"
    assert s.cue == "told"


def test_reported_speech_keeps_content_after_that():
    text = "Health Minister Rosa Lind stressed that the vaccine supply was sufficient."
    [s] = _texts(text)
    assert s.text == "the vaccine supply was sufficient"
    assert (s.kind, s.cue, s.speaker) == ("indirect", "stressed", "Rosa Lind")


def test_adjunct_between_speaker_and_cue_is_skipped():
    text = ("Fleet Commander Yuri Belov, in an interview with the radio station, noted that "
            "two ships had returned to base.")
    [s] = _texts(text)
    assert s.text == "two ships had returned to base"
    assert s.speaker == "Yuri Belov"


def test_attribution_first_with_quote():
    text = ("On his blog, the head of the space agency, Igor Platov, wrote that “The launch "
            "will not be moved. We are ready.”")
    [s] = _texts(text)
    assert s.text == "The launch will not be moved. We are ready."
    assert (s.kind, s.cue, s.speaker, s.speaker_role) == (
        "direct", "wrote", "Igor Platov", "head of the space agency")


def test_according_to_and_as_noted():
    text = ("Deputy Mayor Elena Voss opened the session. According to her, the budget is "
            "balanced. As Elena Voss noted, the surplus will go to schools.")
    found = _texts(text)
    assert [(s.text, s.cue, s.speaker) for s in found] == [
        ("the budget is balanced", "according to", "Elena Voss"),
        ("the surplus will go to schools", "noted", "Elena Voss")]
    assert all(s.kind == "indirect" for s in found)


def test_continuation_after_attribution_with_dash():
    text = ("The bridge is safe, the minister of transport said. – We checked every cable.\n\n"
            "Transport Minister Lena Dahl visited the site in May.")
    found = _texts(text)
    assert [s.text for s in found] == ["The bridge is safe", "We checked every cable."]


def test_parenthetical_attribution_splits_content():
    text = "The new rules, the senator said, would cost farmers millions."
    found = _texts(text)
    assert [s.text for s in found] == ["The new rules", "would cost farmers millions."]
    assert all(s.speaker == "the senator" for s in found)


def test_participle_cue_takes_the_sentence_speaker():
    text = '"We need change," Mayor Ken Oduya said, arguing that the city had stalled.'
    found = _texts(text)
    assert [s.text for s in found] == ["We need change", "the city had stalled"]
    assert {s.speaker for s in found} == {"Ken Oduya"}


def test_narrative_without_cue_yields_nothing():
    text = ("On Monday the first trains left the station. Workers repaired the tracks "
            "overnight, and the line reopened at noon.")
    assert _texts(text) == []


def test_intro_phrase_is_not_taken_for_content():
    text = "On Wednesday, he told a crowd in Dayton that the plant would stay open."
    [s] = _texts(text)
    assert s.text == "the plant would stay open"


def test_bare_attribution_carries_the_rest_of_the_paragraph():
    text = ("The new minister is no danger, she said. He is the lesser evil. His old posts "
            "are in the past.\n\nThe session closed at noon.")
    found = _texts(text)
    assert [s.text for s in found] == [
        "The new minister is no danger", "He is the lesser evil. His old posts are in the past."]
    assert found[1].kind == "direct" and found[1].cue == "said"


def test_no_continuation_when_the_next_sentence_has_its_own_cue():
    text = "Prices will rise, she said. Analysts at the bank say a slowdown is coming."
    found = _texts(text)
    assert [(s.text, s.speaker, s.kind) for s in found] == [
        ("Prices will rise", None, "direct"),
        ("a slowdown is coming", "Analysts at the bank", "indirect")]
