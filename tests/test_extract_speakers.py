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
