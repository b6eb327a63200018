"""Quote and dash forms: each statement's offsets slice the text to the content only."""
from workbench.extract import extract


def _one(text):
    found = extract(text)
    for s in found:
        assert text[s.start:s.end] == s.text
    return found


def test_curly_quote_with_trailing_attribution():
    text = "“We will keep the bridge open all winter,” Transport Minister Lena Dahl said."
    [s] = _one(text)
    assert s.text == "We will keep the bridge open all winter"
    assert (s.speaker, s.speaker_role, s.speaker_type) == ("Lena Dahl", "Transport Minister", "official")
    assert (s.kind, s.cue) == ("direct", "said")


def test_straight_quotes_and_inverted_attribution():
    text = '"Nobody expected the storm to turn north," said Omar Haddad, a meteorologist at the Coastal Institute.'
    [s] = _one(text)
    assert s.text == "Nobody expected the storm to turn north"
    assert s.speaker == "Omar Haddad"
    assert s.speaker_role == "a meteorologist at the Coastal Institute"
    assert s.speaker_type == "expert"


def test_closing_mark_without_opener_starts_at_paragraph():
    text = ("The port has reopened. Ships are moving again, ”said Ivan Lutsk, head of the port "
            "authority, on Tuesday.")
    [s] = _one(text)
    assert s.text == "The port has reopened. Ships are moving again"
    assert s.speaker == "Ivan Lutsk"
    assert s.speaker_role == "head of the port authority"


def test_quote_left_open_runs_to_paragraph_end_and_keeps_speaker():
    text = ("“Prices will fall,” the analyst Maria Lund said. “Not this month, but by summer.\n\n"
            "Markets closed higher.")
    found = _one(text)
    assert [s.text for s in found] == ["Prices will fall", "Not this month, but by summer."]
    assert {s.speaker for s in found} == {"Maria Lund"}


def test_double_period_and_dash_led_quote_with_curly_close():
    text = "– Our crews worked through the night and the power is back,” Mayor Tom Reyes said.."
    [s] = _one(text)
    assert s.text == "Our crews worked through the night and the power is back"
    assert s.speaker == "Tom Reyes"


def test_dash_led_speech_line_without_quote_marks():
    text = ("– The roads are clear. Schools will open tomorrow, Governor Ana Ruiz said. "
            "– Stay careful on the ice.")
    found = _one(text)
    assert [s.text for s in found] == ["The roads are clear. Schools will open tomorrow",
                                       "Stay careful on the ice."]
    assert all(s.speaker == "Ana Ruiz" and s.kind == "direct" for s in found)


def test_quote_closed_by_dash_and_name():
    text = "“I moved here for the schools and stayed for the people.” ― Dana Whitfield"
    [s] = _one(text)
    assert s.text == "I moved here for the schools and stayed for the people."
    assert s.speaker == "Dana Whitfield"


def test_scare_quote_alone_is_not_a_statement():
    text = "The so-called “green corridor” opened in May along the river."
    assert _one(text) == []
