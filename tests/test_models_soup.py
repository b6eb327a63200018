"""Model soups (models/soup.py): members averaged exactly, at the inference cost of one model."""

import pytest
import torch

from models.data import Example
from models.errors import ModelError
from models.testing import build_tiny_encoder

EXAMPLES = [Example("good great success", "x", "positive"), Example("bad awful failure", "x", "negative"),
            Example("the meeting today", None, "neutral")] * 6
DEV = {"dev": [Example("wonderful success", "x", "positive"), Example("terrible disaster", "x", "negative"),
               Example("a report", None, "neutral")]}
HYPER = {"epochs": 2, "max_length": 16, "lr": 5e-3, "lora": {"r": 4, "alpha": 8}}


@pytest.fixture(scope="module")
def members(tmp_path_factory):
    from models.train import train_new

    root = tmp_path_factory.mktemp("soup")
    base = build_tiny_encoder(root / "base")
    dirs = []
    for order_seed in (14, 15, 16):
        d = root / f"m{order_seed}"
        train_new("sentiment", EXAMPLES, DEV, d, seed=13, base_path=base, hyper={**HYPER, "order_seed": order_seed})
        dirs.append(d)
    return base, dirs


def _merged_state(model_dir, base):
    from models.modeling import load_trainable, merge_for_inference

    model, _, _ = load_trainable(model_dir, base)
    return {k: v.detach().clone() for k, v in merge_for_inference(model).state_dict().items()}


def test_soup_is_the_mean_of_the_members_merged_weights(members, tmp_path):
    from models.classifiers import load_classifier
    from models.train import make_soup

    base, dirs = members
    states = [_merged_state(d, base) for d in dirs]
    cfg = make_soup(dirs, tmp_path / "soup", DEV, base_path=base, version="9.9.9")
    soup = _merged_state(tmp_path / "soup", base)
    assert (cfg["lora"]["r"], cfg["lora"]["alpha"], cfg["version"]) == (12, 24, "9.9.9")  # rank 3 x 4, same scaling
    assert [m["order_seed"] for m in cfg["soup"]["members"]] == [14, 15, 16]
    # members really differ (else the test proves nothing), and the soup is their exact mean
    key = next(k for k in soup if "layer.0.attention.self.query.weight" in k)
    assert not torch.allclose(states[0][key], states[1][key], atol=1e-4)
    for k, v in soup.items():
        torch.testing.assert_close(v, sum(s[k] for s in states) / 3, rtol=1e-4, atol=1e-5)
    assert set(cfg["dev_metrics"]) == {"dev"} and cfg["temperature"] > 0
    clf = load_classifier("sentiment", tmp_path / "soup", base_path=base)
    assert len(clf.predict(["good great"], ["x"])) == 1


def test_members_from_different_initial_weights_are_refused(members, tmp_path):
    from models.train import make_soup, train_new

    base, dirs = members
    other = tmp_path / "seed99"
    train_new("sentiment", EXAMPLES, DEV, other, seed=99, base_path=base, hyper=HYPER)
    with pytest.raises(ModelError, match="different initial weights"):
        make_soup([dirs[0], other], tmp_path / "soup", DEV, base_path=base)
    with pytest.raises(ModelError, match="at least two"):
        make_soup([dirs[0]], tmp_path / "soup", DEV, base_path=base)
    assert not (tmp_path / "soup" / "config.json").exists()


def test_soup_cli_trains_members_then_reuses_them(tmp_path, monkeypatch, capsys):
    import json

    from models.train import main

    base = build_tiny_encoder(tmp_path / "base")
    data = tmp_path / "data" / "newsmtsc"
    data.mkdir(parents=True)
    words = ["good great success", "bad awful failure", "the meeting today"]
    rows = [{"sentence_normalized": f"{words[i % 3]} {i} said Smith", "targets": [{"mention": "Smith",
             "polarity": [6, 2, 4][i % 3]}]} for i in range(30)]
    (data / "train.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("WORKBENCH_BASE_ENCODER", str(base))
    args = ["--task", "sentiment", "--out", str(tmp_path / "out"), "--epochs", "1", "--soup", "13,14",
            "--members-dir", str(tmp_path / "members")]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "member 1/2 (order seed 13)\n" in first and "reusing" not in first
    cfg = json.loads((tmp_path / "out" / "config.json").read_text())
    assert [m["order_seed"] for m in cfg["soup"]["members"]] == [13, 14] and cfg["lora"]["r"] == 64
    card = (tmp_path / "out" / "MODEL_CARD.md").read_text()
    assert "--seed 13 --soup 13,14`" in card and "## Soup" in card
    assert main(args) == 0  # same recipe: both members are reused, the soup is rebuilt
    again = capsys.readouterr().out
    assert again.count("reusing") == 2
    assert main([*args[:5], "2", *args[6:]]) == 0  # another epoch count is another recipe: retrained
    assert "reusing" not in capsys.readouterr().out
    assert main([*args[:7], "13,x"]) == 2
    assert "--soup wants comma-separated integer seeds" in capsys.readouterr().err
