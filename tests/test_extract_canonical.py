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
