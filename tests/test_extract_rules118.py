"""Rules added in rules-1.18: reported speech the rules read wrong (found in PolNeAR train precision losses)."""
from workbench.extract import extract


def _spans(text):
    return [(s.text, s.speaker, s.cue) for s in extract(text)]


def test_an_open_adjunct_after_said_is_no_clause():
    # 'said during a contentious | hearing ...' had given 'hearing in Arizona after the primary' as what she said
    spans = _spans('"We made some horrendous mistakes," Recorder Helen Purcell said during a contentious hearing '
                   'in Arizona after the primary.')
    assert [t for t, _, _ in spans] == ["We made some horrendous mistakes"]
    assert [t for t, _, _ in _spans("Obama said in a Rolling Stone interview in October 2010.")] == []
    # a clause that opens like one still follows an adjunct
    assert _spans("Jones said at a rally Trump was wrong.") == [("Trump was wrong", "Jones", "said")]
    assert _spans("Smith said on Monday Trump was wrong.") == [("Trump was wrong", "Smith", "said")]


def test_an_open_adjunct_runs_on_to_that():
    spans = _spans("Carson wrote in his 1990 autobiography that he had been named the most honest student.")
    assert spans == [("he had been named the most honest student", "Carson", "wrote")]


def test_a_told_person_does_not_run_into_a_preposition():
    # 'the hosts on' had been the person, leaving 'WEEI, sounding weary' as content
    assert _spans("He told the hosts on WEEI, sounding weary and bewildered by the furor.") == []
    spans = _spans("Later I urged the judge to give me a fair sentence.")
    assert [t for t, _, _ in spans] == ["to give me a fair sentence"]


def test_according_to_between_commas_attributes_what_follows():
    spans = _spans("In addition, according to the department, nearly nine million more workers will be protected.")
    assert spans == [("nearly nine million more workers will be protected", "the department", "according to")]
    # an appositive after the source describes it: the content is still what came before
    spans = _spans("Forty-three percent have come from women, according to an analysis by Crowdpac, a start-up that "
                   "tracks donations.")
    assert [t for t, _, _ in spans] == ["Forty-three percent have come from women"]


def test_a_quote_ending_its_sentence_is_not_attributed_by_a_next_sentence_with_its_own_content():
    # 'Brooks said the tone ...' had taken Warren's quote, and Warren's statement was lost
    spans = _spans("Warren said Trump University was “like a used car dealership.” Brooks said the tone of the "
                   "debate was bad.")
    assert spans == [("Trump University was “like a used car dealership", "Warren", "said"),
                     ("the tone of the debate was bad", "Brooks", "said")]
    # a closing attribution with nothing of its own still attributes the quote before it
    assert _spans("He spoke of it. “It is bad.” Brooks said on Monday.") == [("It is bad.", "Brooks", "said")]


def test_reported_content_gives_way_to_a_coordinated_or_comma_led_attribution():
    spans = _spans("Senator Kelly Ayotte said she would support the nominee, while Maine Sen. Susan Collins and Texas "
                   "Rep. Louis Gohmert suggested they would only offer conditional support.")
    assert [(t, c) for t, _, c in spans] == [("she would support the nominee", "said"),
                                             ("they would only offer conditional support", "suggested")]
    spans = _spans("Supporters say Santilli broke the story of the standoff, others argue that Santilli is the reason "
                   "it occurred.")
    assert spans == [("Santilli broke the story of the standoff", "Supporters", "say"),
                     ("Santilli is the reason it occurred", "others", "argue")]


def test_according_to_without_a_comma_inside_a_clause_or_after_a_long_source():
    spans = _spans("In 2014, Ferguson had 115 instances of violent crime — including murder, rape and robbery — "
                   "according to the most recent data available.")
    assert spans == [("In 2014, Ferguson had 115 instances of violent crime — including murder, rape and robbery",
                      "the most recent data available", "according to")]
    # the source inside one clause: all of the clause is said
    [heart] = extract("At the heart of the trouble, according to Dennis B. Ross, another former American special "
                      "envoy, was a decision by Mr. Obama.")
    assert heart.text.startswith("At the heart") and heart.text.endswith("a decision by Mr. Obama")
    assert heart.speaker == "Dennis B. Ross"
    # a source ends at its comma, and one of 20 words still leads its content
    spans = _spans("Clinton leads Sanders by 271 pledged delegates according to a count by The Associated Press, but "
                   "the race goes on.")
    assert spans == [("Clinton leads Sanders by 271 pledged delegates", "a count by The Associated Press",
                      "according to")]
    spans = _spans("According to early results of the exit poll conducted by Edison Research for the Associated "
                   "Press and Television Networks, Clinton led in both Virginia and Georgia among men and women.")
    assert [t for t, _, _ in spans] == ["Clinton led in both Virginia and Georgia among men and women"]


def test_a_question_asked_after_when_or_an_adjunct_is_content():
    spans = _spans("When asked whom she supported, Ms. Sherry smiled and said she was waiting.")
    assert ("whom she supported", "Sherry", "When asked") in spans
    spans = _spans("Asked during a January debate why he trailed Hillary Clinton so badly, Senator Bernie Sanders "
                   "said he would gain ground.")
    assert spans[0] == ("why he trailed Hillary Clinton so badly", "Bernie Sanders", "Asked during a January debate")


def test_show_and_find_take_a_bare_clause_after_a_document_or_survey():
    spans = _spans("FEC records from the 2008 presidential election cycle show he backed both John McCain and "
                   "Rudy Giuliani.")
    assert spans == [("he backed both John McCain and Rudy Giuliani",
                      "FEC records from the 2008 presidential election cycle", "show")]
    assert _spans("The ads show images of his energetic, idealistic supporters.") == []
    assert _spans("The panel held him in contempt for refusing to show up to a hearing.") == []


def test_colon_headlines_with_a_title_a_label_or_a_camp():
    for line, speaker, content in [
            ("Dr. Ben Carson: Hillary Clinton Not Fit To Serve As President.", "Ben Carson",
             "Hillary Clinton Not Fit To Serve As President"),
            ("EXCLUSIVE – Roger Stone: Don’t Trust the Voting Machines.", "Roger Stone",
             "Don’t Trust the Voting Machines"),
            ("Clinton camp: Trump’s Islamaphobia threatens national security.", "Clinton camp",
             "Trump’s Islamaphobia threatens national security")]:
        [s] = extract(line + "\n\nThere is serious concern about it.")
        assert (s.speaker, s.text, s.cue) == (speaker, content, ":")


def test_a_told_audience_of_the_speakers_own():
    spans = _spans("Donald Trump joked about stereotypes and told his audience they wouldn’t back him because he "
                   "did not want their money.")
    assert spans == [("they wouldn’t back him because he did not want their money", "Donald Trump", "told")]
    spans = _spans("This is not about me, President Obama told his closest advisers as he labored over the speech.")
    assert spans == [("This is not about me", "Obama", "told")]


def test_a_parenthetical_attribution_before_a_two_word_predicate():
    spans = _spans("He spoke at length. This campaign, Kasich says, is different.")
    assert [(t.rstrip("."), s, c) for t, s, c in spans] == [("This campaign", "Kasich", "says"),
                                                          ("is different", "Kasich", "says")]


def test_speak_keeps_every_particle_it_takes():
    # OBJECT_PARTICLES held 'speak' twice, and the second entry ('out against') had replaced 'about' / 'of'
    assert _spans("Hillary Clinton spoke about her deep ties to black churches.") == [
        ("her deep ties to black churches", "Hillary Clinton", "spoke about")]
    assert _spans("Senator Smith spoke out against the plan to cut the farm subsidies.") == [
        ("the plan to cut the farm subsidies", "Smith", "spoke out against")]


def test_the_speaker_stands_before_an_aside_between_dashes():
    spans = _spans("Joyce — who is listed as an attorney in Illinois — said he is not planning an appeal.")
    assert spans == [("he is not planning an appeal", "Joyce", "said")]


def test_a_transcript_label_that_opens_two_turns_is_a_speaker():
    text = ("Fox News Sunday interviewed the governor.\n\n"
            "WALLACE: Will Gennifer Flowers be there tomorrow night?\n\n"
            "PENCE: Well, look, Chris, I think the campaign has made it clear.\n\n"
            "WALLACE: But, Governor Pence, why would Trump even go down that road?\n\n"
            "The governor declined to say more.")
    speakers = [(s.speaker, s.text.split(",")[0]) for s in extract(text)]
    assert ("WALLACE", "Will Gennifer Flowers be there tomorrow night?") in speakers
    assert ("WALLACE", "But") in speakers
    # one label alone, named nowhere else, is no transcript
    assert extract("Intro line here.\n\nNOTICE: The meeting will be held on Monday.") == []
