"""Speakers named by pronoun, role or descriptor resolve to the article's full name."""
from workbench.extract import extract


def test_pronoun_resolves_to_latest_person():
    text = ("Economy Minister Anton Held presented the plan on Friday.\n\n"
            "“Growth will return next year,” he said.")
    [s] = extract(text)
    assert (s.speaker, s.speaker_role, s.speaker_type) == ("Anton Held", "Economy Minister", "official")


def test_role_descriptor_resolves_and_rank_modifiers_matter():
    text = ("Deputy Minister of Finance Olga Brandt and Finance Minister Piotr Nowak met "
            "bankers.\n\n“Rates stay where they are,” the Minister of Finance said.")
    [s] = extract(text)
    assert s.speaker == "Piotr Nowak"


def test_head_of_state_resolves_to_president():
    text = ("President Maria Santos received the delegation.\n\n"
            "“We are open to talks,” the head of state noted.")
    [s] = extract(text)
    assert s.speaker == "Maria Santos"
    assert s.speaker_type == "official"


def test_the_expert_resolves_to_latest_expert():
    text = ("Food prices will keep climbing, says Lars Berg, an analyst at the Nordic Center "
            "for Trade.\n\nThe harvest was poor everywhere, the expert concluded.")
    found = extract(text)
    assert [s.speaker for s in found] == ["Lars Berg", "Lars Berg"]
    assert all(s.speaker_type == "expert" for s in found)


def test_surname_resolves_to_full_name():
    text = ("Press secretary Nadia Kovac, press secretary of the governor, opened the briefing. "
            "Kovac said the roads would reopen on Monday.")
    found = extract(text)
    assert found[-1].speaker == "Nadia Kovac"
    assert found[-1].text == "the roads would reopen on Monday"


def test_anonymous_source_keeps_descriptor_and_is_other():
    text = "According to the newspaper’s sources in the ministry, the order was signed last week."
    [s] = extract(text)
    assert s.speaker == "the newspaper’s sources in the ministry"
    assert s.speaker_type == "other"
    assert s.text == "the order was signed last week"


def test_speaker_type_expert_for_head_of_university_department():
    text = ("– Inflation will slow, says Petra Holm, head of the Department of Economics at "
            "the Northern University.")
    [s] = extract(text)
    assert s.speaker == "Petra Holm"
    assert s.speaker_type == "expert"


# rules-1.14: speaker phrases that ran on past the name.

def _speakers(text):
    return [s.speaker for s in extract(text)]


def test_clause_after_the_name_is_no_part_of_the_speaker():
    text = ("Former Secretary of State Madeleine Albright recently urged women to vote for Hillary "
            "Clinton, saying, “There’s a special place in hell for women who don’t help each other.”")
    assert _speakers(text) == ["Madeleine Albright"]
    text = ("Presumptive Republican presidential nominee Donald Trump also joined the gun debate, "
            "announcing on Wednesday he would meet with the National Rifle Association.")
    assert _speakers(text) == ["Donald Trump"]
    # A preposition before a capitalised word is part of a descriptor, not a clause.
    assert _speakers("Aides to Clinton said the campaign would hold events in Ohio.") == ["Aides to Clinton"]


def test_adverbs_and_adjuncts_around_the_name_are_dropped():
    text = "Marco Rubio spoke in Iowa on Monday. Rubio only said that the plan would fail within a year."
    assert _speakers(text) == ["Marco Rubio"]
    text = "Clinton herself said that she would release the transcripts soon."
    assert _speakers(text) == ["Clinton"]
    text = "RNC spokesman Sean Spicer in a Friday tweet said the convention would be peaceful and orderly."
    assert _speakers(text) == ["Sean Spicer"]


def test_fronted_adverb_or_participle_is_not_the_subject():
    text = ("Hastily politicizing the tragedy in Nice ― much like he did after the attacks in Paris ― "
            "Trump cast the blame on his rivals, and emphasized that the threat was growing every day.")
    assert _speakers(text) == ["Trump"]
    text = ("Facing mounting criticism from Democrats and Republicans, Mr. Trump released a statement "
            "on Saturday night, insisting that Mr. Khan had no right to criticize him.")
    assert _speakers(text) == ["Trump"]
    # A name that ends like a participle opens its own sentence.
    assert _speakers("Manning defended the remark, saying that the troops were safe now.") == ["Manning"]


def test_title_case_headline_verb_ends_the_name():
    text = "Carly Fiorina Endorses Ted Cruz: Trump Is Not A Conservative.\n\nShe spoke in Miami."
    assert _speakers(text)[0] == "Carly Fiorina"
    # A capitalised preposition as the last word is a surname.
    assert _speakers("Al From said the party had to change its course on trade.") == ["Al From"]


def test_owner_of_a_described_statement_is_the_speaker():
    text = "Trump's recent evidence-free assertion that the vote would be rigged alarmed officials."
    assert _speakers(text) == ["Trump"]
    # A role owned by a name stays a role: 'Donald Trump’s campaign manager'.
    text = "Donald Trump’s campaign manager said the rally would go ahead on Saturday."
    assert _speakers(text) == ["Donald Trump’s campaign manager"]


def test_descriptor_subject_and_headline_participle():
    text = ("Democratic candidate Hillary Clinton, like Obama, has encouraged European nations to bolster "
            "defense spending but has said she will hold firm to U.S. defense commitments.")
    assert set(_speakers(text)) == {"Hillary Clinton"}
    text = ("Railing Against Trump, Sanders Vows To Eliminate Tax Breaks Used By Real Estate Developers."
            "\n\nHe spoke in Ohio.")
    assert _speakers(text)[0] == "Sanders"
