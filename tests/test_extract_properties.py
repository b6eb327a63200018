"""Whatever the input, extract() returns valid, sorted, exactly slicing statements."""
from hypothesis import given, settings, strategies as st

from workbench.extract import EXTRACTOR_VERSION, ExtractedStatement, extract
from workbench.extract.cascade import run

# Text built from the pieces the rules react to, so that odd combinations get exercised.
_PIECES = st.sampled_from([
    "“", "”", '"', "''", "–", "—", "―", "- ", ", ", ". ", ".. ", "\n", "\n\n", ": ", "…",
    "said", " said ", "told", "according to ", "As ", " that ", "who ", "he ", "She ",
    "the expert", "Minister", "President ", "Anna Kim", "Mr. ", "U.S. ", "(D-Mass.)",
    "the head of state", "noted", "says", "wrote that “", "sources in the ministry",
    " and ", "We will", "is sure", "’s ", "\u00a0", "(", ")", "1", "x",
])
_TEXT = st.one_of(st.text(max_size=300), st.lists(_PIECES, max_size=60).map("".join))


def _check(text: str) -> None:
    # The rules themselves must not raise: extract()'s safety net is not what passes this.
    run(text)
    found = extract(text)
    assert isinstance(found, list)
    starts = [s.start for s in found]
    assert starts == sorted(starts)
    for s in found:
        assert isinstance(s, ExtractedStatement)
        assert 0 <= s.start < s.end <= len(text)
        assert s.text == text[s.start:s.end]
        assert s.speaker_type in ("official", "expert", "other")
        assert s.kind in ("direct", "indirect")


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_any_text_gives_valid_offsets(text):
    _check(text)


def test_degenerate_inputs():
    for text in ["", " ", "\n\n\n", "”", "“", '"', "– ", "said.", ", he said.", "“”", "a" * 5000,
                 "“" * 200, "According to", "As he noted,", "\x00\ud7ff\U0001f600",
                 ", ,to S,say"]:  # a segment of spaces before the cue (raised IndexError; found by fuzzing)
        _check(text)


def test_statements_never_overlap():
    text = ("“We are ready,” the minister said, adding that talks would resume. According to "
            "him, “nothing is decided.” The rules, he said, will change.")
    found = extract(text)
    for a, b in zip(found, found[1:]):
        assert a.end <= b.start


def test_version_is_declared():
    assert EXTRACTOR_VERSION.startswith("rules-")
