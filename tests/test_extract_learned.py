"""learned-1: the logistic-regression reading of sentences the rules leave empty (issue #26)."""
import json

import pytest

from workbench.extract import EXTRACTOR_VERSION, extract
from workbench.extract.cascade import run
from workbench.extract.learned import LEARNED, load
from workbench.extract.train_learned import main as train

ASKED = ("NBC News moderator Matt Lauer asked the candidates to discuss their own ideas and refrain "
         "from attacking their opponent.")
CONCERN = "Republicans expressed concern that changing the policy could lead to voter fraud."


def _learned(text: str) -> list[str]:
    return [text[c.start:c.end] for c in run(text) if c.priority == LEARNED]


def test_version():
    assert EXTRACTOR_VERSION == "rules-1.18+learned-1"


def test_fires_on_reported_speech_the_rules_miss():
    assert run(CONCERN, model=None) == []               # the rules alone find nothing
    assert _learned(CONCERN) == ["concern that changing the policy could lead to voter fraud"]
    [s] = extract(CONCERN)
    assert (s.cue, s.kind, s.speaker) == ("expressed", "indirect", "Republicans")


def test_the_rules_read_an_asked_person_and_infinitive_the_model_once_found():
    # learned-1 was trained when 'the candidates to' read as the asked person; rules-1.18 reads it, and the
    # model then stays silent (it only fills sentences the rules leave empty)
    [s] = extract(ASKED)
    assert (s.text, s.cue, s.kind) == (
        "to discuss their own ideas and refrain from attacking their opponent", "asked", "indirect")
    assert s.speaker.endswith("Matt Lauer")
    assert _learned(ASKED) == []


def test_silent_in_quoted_sentences_and_on_non_speech():
    assert _learned("Republicans expressed “concern” that changing the policy could lead to voter fraud.") == []
    assert _learned('NBC News moderator Matt Lauer asked the candidates to "discuss their own ideas."') == []
    assert extract("The senator welcomed the vote.") == []
    assert extract("The senator welcomed the vote on the new budget plan last Tuesday.") == []


def test_gaps_only_the_rules_win():
    # The rules read this sentence ('plans to'): the model adds nothing over it.
    text = "Mike Pence plans to release his own tax returns soon."
    assert _learned(text) == []
    assert [s.text for s in extract(text)] == ["to release his own tax returns soon"]


def _corpus(root):
    """A tiny PolNeAR-shaped split of sentences the rules leave empty: what the mayor asked
    is gold content, what the coach asked is not."""
    split = root / "train"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    lines = ["The mayor asked council members to delay the vote on the new road.",
             "The coach asked team players to run four laps before the game.",
             "The mayor asked state officials to pay for the new bridge over the river.",
             "The coach asked young players to carry the bags onto the bus."]
    for n in range(6):
        text = " ".join(lines[(n + k) % 4] for k in range(4))
        (split / "text" / f"a{n}.txt").write_text(text, encoding="utf-8")
        ann = []
        for k, line in enumerate(lines):
            if "mayor" in line:
                off = text.index(line)
                cs = off + line.index("asked")
                c0, c1 = cs + len("asked "), off + len(line) - 1
                ann += [f"T{2 * k + 1}\tCue {cs} {cs + 5}\tasked",
                        f"T{2 * k + 2}\tContent {c0} {c1}\t{text[c0:c1]}",
                        f"E{k + 1}\tAttribution:T{2 * k + 1} Cue:T{2 * k + 1} Content:T{2 * k + 2}"]
        (split / "attributions" / f"a{n}_1.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    return root


def test_training_is_deterministic(tmp_path):
    corpus = _corpus(tmp_path / "polnear")
    args = ["--polnear", str(corpus), "--min-cue", "1", "--min-positive", "1", "--min-feature", "1"]
    train(args + ["--out", str(tmp_path / "a.json")])
    train(args + ["--out", str(tmp_path / "b.json")])
    first = (tmp_path / "a.json").read_bytes()
    assert not list(tmp_path.glob(".*.tmp"))            # written beside, renamed over: no staging file left
    assert first == (tmp_path / "b.json").read_bytes()
    model = load(tmp_path / "a.json")
    assert model.cues == {"asked"}
    data = json.loads(first)
    assert data["positives"] > 0 and data["examples"] > data["positives"]
    # The speaker tells the two apart: what the mayor asked scores higher.
    assert model.weights["subj_head_cue=mayor|asked"] > model.weights["subj_head_cue=coach|asked"]


def test_training_without_examples_says_so(tmp_path):
    corpus = _corpus(tmp_path / "polnear")
    with pytest.raises(SystemExit, match="no training readings"):
        train(["--polnear", str(corpus), "--min-cue", "1000", "--out", str(tmp_path / "a.json")])


@pytest.mark.parametrize("content, fault", [
    ("{not json", "unreadable"),
    (json.dumps({"format": "other"}), "'format'"),
    (json.dumps({"format": "workbench-extract-learned/1", "cues": [], "weights": {}}), "'cues'"),
    (json.dumps({"format": "workbench-extract-learned/1", "cues": ["said"], "weights": {"a": "x"}}),
     "'weights'"),
    (json.dumps({"format": "workbench-extract-learned/1", "cues": ["said"], "weights": {}, "bias": 0,
                 "threshold": 1.5, "long_sentence_words": 40, "long_threshold": 0.5}), "thresholds"),
])
def test_malformed_weights_are_rejected(tmp_path, content, fault):
    path = tmp_path / "w.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError) as err:
        load(path)
    assert str(path) in str(err.value) and fault in str(err.value)


def test_shipped_weights_load():
    model = load()
    assert 0 < model.threshold < 1 and len(model.cues) > 50 and len(model.weights) > 100


def test_rule_statements_are_unchanged_by_the_model():
    # The learned statement's subject ('Opinion polls') comes between Le Pen and the quote's
    # 'she': resolved in text order with the rules' speakers, it became the quote's speaker.
    text = ("France’s Marine Le Pen backs Trump.\n\nOpinion polls see the race as very close in the final "
            "weeks.\n\n“What we have in common is that we’re not insiders,” she told the network.")

    def rules_view(cands):
        return [(c.start, c.end, c.kind, c.who.speaker, c.who.role) for c in cands if c.priority != LEARNED]
    with_model = run(text)
    assert any(c.priority == LEARNED for c in with_model)
    assert rules_view(with_model) == rules_view(run(text, model=None))
