"""rules-1.11: span precision on PolNeAR. Stance objects end before the writer's adjuncts,
reported content before a new subject's attribution; no inverted attribution that is none, no
speech in a fronted phrase of time or place; transcript turns spoken by their label. Each test
but the guards failed on rules-1.10."""
from workbench.extract import EXTRACTOR_VERSION, extract


def _found(text):
    return [(s.text, s.speaker) for s in extract(text)]


def test_version_is_bumped():
    assert EXTRACTOR_VERSION not in ("rules-1.10", "rules-1.9")  # bumped by 1.11 and later


def test_subject_with_an_appositive_is_no_inverted_attribution():
    # rules-1.10 read 'Chris Collins, a Trump supporter' as content spoken by 'Trump campaign
    # strategists plan to ...'.
    assert _found("Congressman Chris Collins, a Trump supporter, said Trump campaign strategists "
                  "plan to secure enough delegates.") == [
        ("Trump campaign strategists plan to secure enough delegates", "Chris Collins")]


def test_participle_after_a_comma_is_no_inverted_attribution():
    found = _found("Bernie Sanders won the Minnesota Democratic caucus, claiming his third victory "
                   "of the night.")
    assert ("Bernie Sanders won the Minnesota Democratic caucus", "his third victory of the night") \
        not in found
    assert found == [("his third victory of the night", "Bernie Sanders")]


def test_fronted_phrase_of_time_before_a_parenthetical_cue_is_no_speech():
    found = _found("During his seven and a half years in office, Mr. Obama said, a majority of "
                   "Americans have come to believe that climate change is real.")
    assert found == [("a majority of Americans have come to believe that climate change is real.",
                      "Obama")]


def test_clause_before_a_parenthetical_cue_stays_speech():
    # Guard: 'Though that went smoothly' and 'To understand X' are part of what is said.
    texts = [s.text for s in extract("To understand the real Dred Scott, Chief Justice Roberts "
                                     "said, one should visit this museum.")]
    assert "To understand the real Dred Scott" in texts


def test_stance_object_ends_before_a_clause_of_time():
    assert _found("Former President Bill Clinton criticized the Affordable Care Act as a crazy "
                  "system during a campaign stop in Flint.") == [
        ("the Affordable Care Act as a crazy system", "Bill Clinton")]


def test_stance_object_ends_before_a_relative_clause_set_off_by_a_comma():
    assert _found("The Security Council condemned the launch, which came while world leaders met "
                  "in China.") == [("the launch", "The Security Council")]


def test_stance_object_keeps_a_parenthetical_and_a_quotation_after_it():
    # Guards: the object goes on after the parenthetical ('..., of associating'), and where a
    # quotation follows the cut, the quotation is the speech.
    assert _found("Trump accused Rafael Cruz, who was born in Cuba, of associating with Lee Harvey "
                  "Oswald.") == [
        ("Rafael Cruz, who was born in Cuba, of associating with Lee Harvey Oswald", "Trump")]
    [s] = extract('Sanders called the plan, which Clinton unveiled on Monday, "a giveaway to Wall '
                  'Street."')
    assert s.text.endswith("a giveaway to Wall Street")


def test_reported_content_ends_where_a_new_attribution_follows():
    assert _found("Loretta Lynch said the demands of government work erase some barriers, though "
                  "she noted clients are beginning to demand diverse legal teams.") == [
        ("the demands of government work erase some barriers", "Loretta Lynch"),
        ("clients are beginning to demand diverse legal teams", "Loretta Lynch")]
    assert _found("Don Fowler said he expects Clinton to recover, and he called it a common "
                  "ailment.") == [("he expects Clinton to recover", "Don Fowler"),
                                  ("it a common ailment", "Don Fowler")]


def test_reported_content_runs_on_over_a_coordinated_subject():
    # Guard: 'Iowa and New Hampshire show' is no new attribution (no comma before 'and').
    assert _found("Cruz said the results in Iowa and New Hampshire show a two-man race.") == [
        ("the results in Iowa and New Hampshire show a two-man race", "Cruz")]


def test_transcript_turns_are_spoken_by_their_label():
    text = ("Chris Wallace interviewed Mike Pence on Sunday.\n\n"
            "\"WALLACE: Will Gennifer Flowers be there?\n\n"
            "\"PENCE: She will not be attending the debate tomorrow night.")
    found = _found(text)
    assert ("Will Gennifer Flowers be there?", "Chris Wallace") in found
    assert ("She will not be attending the debate tomorrow night.", "Mike Pence") in found


def test_labels_that_name_no_one_are_no_transcript_turns():
    assert extract("UPDATE: The story was changed on Monday to correct a date.") == []
    assert extract("VIDEO: Hillary Clinton speaks in Iowa.\n\nThe video shows her speech.") == []
