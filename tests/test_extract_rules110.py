"""rules-1.10: content clauses whatever their subject, stance objects cut at a second predicate,
speech going on only after a paragraph's first sentence (each failed on rules-1.9)."""
from workbench.extract import EXTRACTOR_VERSION, extract


def _found(text):
    return [(s.text, s.speaker) for s in extract(text)]


def test_version_is_bumped():
    assert EXTRACTOR_VERSION not in ("rules-1.9", "rules-1.8")  # bumped by 1.10 and later


def test_content_clause_after_a_cue_whatever_its_subject():
    # Before: no statement ('environmentalists' is no speaker-like subject for the rules).
    assert _found("But environmentalists worry that Mr. Clarke is breathing new life into a "
                  "polluting industry.") == [
        ("Mr. Clarke is breathing new life into a polluting industry", "environmentalists")]


def test_content_clause_after_a_speech_noun_has_its_possessor_as_speaker():
    assert _found("Politifact seized on Trump’s claim that there have been thousands of shootings "
                  "in Chicago this year.") == [
        ("there have been thousands of shootings in Chicago this year", "Trump")]


def test_no_content_clause_without_a_speaker_or_after_a_relative_that():
    assert extract("It is expected that the withdrawal of peacekeepers could be completed faster.") == []
    assert extract("Experts believe that the withdrawal was not premature.") == []
    assert extract("The report that was released on Monday drew criticism from both parties.") == []


def test_fallback_never_displaces_a_statement_of_the_other_rules():
    [s] = extract("Foreign Minister Ana Ruiz said that the government must rethink its strategy.")
    assert (s.text, s.speaker, s.cue) == ("the government must rethink its strategy", "Ana Ruiz", "said")


def test_stance_object_ends_at_a_second_predicate_which_is_read_on_its_own():
    text = ("Last month, FBI Director James Comey called Clinton's handling of the emails careless, "
            "but said she should face no criminal charges.")
    assert _found(text) == [("Clinton's handling of the emails careless", "James Comey"),
                            ("she should face no criminal charges", "James Comey")]
    # A second predicate that is no cue is the writer's narrative.
    assert _found("Perez hammered Trump, calling him a train wreck and an outsourcer, and contrasted "
                  "the Republican candidate with Clinton.") == [
        ("him a train wreck and an outsourcer", "Perez")]


def test_a_thing_called_by_a_name_is_no_statement():
    assert extract("They spent $332,000 on payments to a company called Cambridge Analytica, which "
                   "specializes in building voter profiles.") == []


def test_speech_goes_on_only_after_the_paragraphs_first_sentence():
    text = ("Mr. Clarke expects to sell his coal soon. Recent shipments have sold for just above $40 "
            "a ton, he said. On some weeks the mine has had to operate on a three-day schedule.")
    assert "On some weeks" not in " ".join(s.text for s in extract(text))
    seed_like = ("The minister does not pose a danger, she said. He is the lesser of all evils. His "
                 "statements are in the past.")
    assert [s.text for s in extract(seed_like)][-1].startswith("He is the lesser of all evils")


def test_an_organisation_is_not_resolved_to_a_person_with_it_in_his_role():
    text = ("Leonard Burman, director of the Tax Policy Center, said the plan was vague.\n\n"
            "The Tax Policy Center estimates that the top 1 percent of taxpayers would face a large "
            "increase.")
    assert [s.speaker for s in extract(text)] == ["Leonard Burman", "The Tax Policy Center"]


def test_issue_26_cases_still_hold():
    assert extract("Christie welcomed the vote. Merkel championed the plan. Johnson criticised the "
                   "decision. Ortiz warned of consequences. The lobby pushed for exemptions.") == []
    [s] = extract("Professor Katrin Vogel said that the think tank had no press conference planned.")
    assert (s.speaker, s.speaker_role) == ("Katrin Vogel", "Professor")
