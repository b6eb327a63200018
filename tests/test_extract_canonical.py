"""Canonical speakers: one person per article under the fullest name it gives, titles in the role."""
from workbench.extract import extract


def test_title_abbreviation_after_inverted_cue_is_no_sentence_end():
    text = ("Leonard Burman runs the Tax Policy Center.\n\n"
            "Using the capital gains tax “is a misguided approach,” said Mr. Burman, who has studied it.\n\n"
            "“To be frank, the city will never go back to normal,” said the Rev. Peter Wherry, "
            "of Mayfield Memorial Missionary Baptist Church.")
    found = extract(text)
    # Before: the period of "Mr." and "Rev." ended the attribution, and the speakers were "Mr"
    # and "the Rev".
    assert [s.speaker.split()[-1] for s in found] == ["Burman", "Wherry"]


def test_surname_and_title_resolve_to_the_fullest_name_with_the_fullest_role():
    text = ("Professor Katrin Vogel of the University of Lisbon has studied the river for a decade.\n\n"
            "“The water is cleaner than it was in 1990,” Vogel said.\n\n"
            "“We still need the new treatment plant,” said Victor Almeida at a briefing on Sunday morning.\n\n"
            "“Nobody will pay for it,” said Mr. Almeida.")
    found = extract(text)
    assert [(s.speaker, s.speaker_role, s.speaker_type) for s in found] == [
        ("Katrin Vogel", "Professor of the University of Lisbon", "expert"),
        ("Victor Almeida", None, "other"),
        ("Victor Almeida", None, "other")]


def test_a_role_ending_in_a_place_gives_the_place_to_the_role_not_to_the_name():
    # the seed article's "Deputy Minister of Defense of Kazakhstan Mukhamedzhan Talasov stressed that ..."
    text = ("During the ceremony, Deputy Minister of Defense of Kazakhstan Mukhamedzhan Talasov stressed that the "
            "operation was the first of its kind.\n\n"
            "“You have provided protection for strategic facilities,” Talasov said.")
    found = extract(text)
    assert {(s.speaker, s.speaker_role, s.speaker_type) for s in found} == {
        ("Mukhamedzhan Talasov", "Deputy Minister of Defense of Kazakhstan", "official")}


def test_councillor_is_a_role_that_makes_an_official():
    text = ("“The budget is fair,” said Councillor Ana Ruiz.\n\n"
            "“We will vote on Thursday,” Ruiz said.")
    found = extract(text)
    assert [(s.speaker, s.speaker_role, s.speaker_type) for s in found] == [
        ("Ana Ruiz", "Councillor", "official")] * 2


def test_time_phrase_and_next_sentence_are_cut_from_the_speaker():
    text = ("John Smith on Monday said the bridge would close in May.\n\n"
            "“The bridge is safe,” said John Smith. Maria Lopez, who lives nearby, disagreed.")
    assert [s.speaker for s in extract(text)] == ["John Smith", "John Smith"]


def test_verbs_after_the_name_are_no_part_of_the_speaker():
    text = ("Donald J. Trump spoke in Ohio on Friday. Mr. Trump instead began by saying that the "
            "polls were rigged against him.\n\n"
            "Trump took to Twitter overnight to accuse the networks of bias.\n\n"
            "In his interview, Mr. Trump said the economy was a disaster.")
    found = extract(text)
    assert len(found) == 3
    assert {s.speaker for s in found} == {"Donald J. Trump"}


def test_party_and_state_after_a_name_belong_to_the_speaker_phrase():
    text = ("Senator Joni Ernst, Republican of Iowa, said the farm bill would pass.\n\n"
            "“Farmers need certainty,” said Ms. Ernst.")
    found = extract(text)
    assert [(s.speaker, s.speaker_role, s.speaker_type) for s in found] == [
        ("Joni Ernst", "Senator", "official")] * 2


def test_two_people_of_one_surname_leave_a_bare_surname_alone():
    text = ("Bill Clinton spoke first. Hillary Clinton spoke after him.\n\n"
            "“We will win,” Clinton said.")
    [s] = extract(text)
    assert s.speaker == "Clinton"


def test_clean_phrase_cuts_the_speaker_out_of_longer_phrases():
    from workbench.extract.canonical import clean_phrase, strip_titles
    assert clean_phrase("Victor Almeida at a briefing on Sunday morning") == ("Victor Almeida", None)
    assert clean_phrase("John Smith. Maria Lopez") == ("John Smith", None)
    assert clean_phrase("Donald Trump’s tweet") == ("Donald Trump", None)
    assert clean_phrase("Carla Sanchez.") == ("Carla Sanchez", None)
    assert clean_phrase("the F.B.I.") == ("the F.B.I.", None)
    assert clean_phrase("Democratic presidential candidate Hillary Clinton") == (
        "Democratic presidential candidate Hillary Clinton", None)
    assert strip_titles("Mr. Burman") == ("Burman", None)
    assert strip_titles("Professor Katrin Vogel") == ("Katrin Vogel", "Professor")
    assert strip_titles("the Rev. Peter Wherry".removeprefix("the ")) == ("Peter Wherry", "Rev.")
    assert strip_titles("General Motors") == ("General Motors", None)


def test_a_paragraph_ending_in_an_attribution_and_a_colon_speaks_the_next_quotes():
    text = ("Pollster Pat Caddell spoke to the station on Thursday.\n\n"
            "Caddell continued:\n\n"
            "“The health issue is very much a partisan issue, but that does not explain these numbers.”\n\n"
            "“Voters have made up their minds on it already, and they are not moving.”\n\n"
            "The poll was published on Friday.")
    found = extract(text)
    assert [(s.speaker, s.cue, s.kind) for s in found] == [("Pat Caddell", "continued", "direct")] * 2
    assert found[0].text.startswith("The health issue") and found[1].text.startswith("Voters have")


def test_his_statement_is_the_statement_of_the_man_last_named():
    text = ("Senator Tom Hale spoke in Ames on Friday.\n\n"
            "His statement said the subsidies would stay.")
    [s] = extract(text)
    assert (s.text, s.speaker) == ("the subsidies would stay", "Tom Hale")
