"""The distilled relatedness student (models/student.py): training, storage as int8 deltas, use in stance."""

import json

import numpy as np
import pytest

from models.data import CombinerSet, Example
from models.errors import ModelError
from models.testing import build_tiny_encoder
FAVOR = ["we support the tax bill", "i love this law", "a great law , vote for it", "good policy , support it"]
AGAINST = ["we oppose the tax bill", "i hate this law", "a terrible law , vote against it", "bad policy , oppose it"]
OFF_TOPIC = ["the meeting was today", "she said it was fine", "they will vote today", "the report"]
TEXTS = FAVOR + AGAINST + OFF_TOPIC + ["tax law", "the president", "climate change", "abortion", "a bad bill"]
RECIPE = {"layers": 1, "epochs": 6, "lr": 3e-3, "batch_size": 4, "max_length": 32}


def stance_examples(k=3):
    return [Example(t, "tax law", label) for _ in range(k)
            for texts, label in ((FAVOR, "favor"), (AGAINST, "against"), (OFF_TOPIC, "neutral")) for t in texts]


@pytest.fixture(scope="module")
def tiny_base(tmp_path_factory):
    return build_tiny_encoder(tmp_path_factory.mktemp("tiny_base_student"))


@pytest.fixture(scope="module")
def tok(tiny_base):
    from models.encoder import load_tokenizer

    return load_tokenizer(tiny_base)


@pytest.fixture(scope="module")
def distilled(tiny_base, tok):
    from models.student import distil

    return distil(tiny_base, tok, TEXTS, seed=3, **RECIPE)


def embed(model, tok, texts):
    import torch

    from models.encoder import mean_pooled

    with torch.inference_mode():
        return mean_pooled(model, tok(texts, padding=True, return_tensors="pt")).numpy()


def test_distillation_moves_the_cut_encoder_towards_the_full_one(distilled, tiny_base, tok):
    from transformers import AutoModel

    from models.student import build_student

    student, stats = distilled
    assert student.config.num_hidden_layers == 1 and stats["n_texts"] == len(set(TEXTS))
    assert stats["epoch_losses"][-1] < stats["epoch_losses"][0]
    teacher = AutoModel.from_pretrained(str(tiny_base), local_files_only=True).eval()
    goal = embed(teacher, tok, TEXTS)
    cut = ((embed(build_student(tiny_base, 1), tok, TEXTS) - goal) ** 2).sum(1).mean()
    trained = ((embed(student, tok, TEXTS) - goal) ** 2).sum(1).mean()
    assert trained < cut / 2
    assert stats["cosine_to_teacher"] == pytest.approx(1 - stats["epoch_losses"][-1] / 2, abs=1e-3)


def test_saved_as_int8_deltas_it_loads_back_to_the_same_embeddings(distilled, tiny_base, tok, tmp_path):
    from safetensors.torch import load_file

    from models.student import load_student, save_student

    student, _ = distilled
    path = tmp_path / "student.safetensors"
    save_student(student, tiny_base, path)
    stored = load_file(str(path))
    matrices = [k for k, v in stored.items() if v.ndim == 2]
    assert matrices and all(stored[k].dtype.is_floating_point is False for k in matrices)
    assert all(k + ".scale" in stored for k in matrices)
    assert matrices and not any("embeddings" in k for k in stored)  # frozen: zero delta, not stored
    loaded = load_student(tiny_base, path)
    assert loaded.config.num_hidden_layers == 1
    a, b = embed(student, tok, TEXTS), embed(loaded, tok, TEXTS)
    assert (a * b).sum(1).min() > 0.999


def test_a_missing_or_broken_student_file_is_a_clear_error(tiny_base, tmp_path):
    from models.student import build_student, load_student

    with pytest.raises(ModelError, match="relatedness student missing"):
        load_student(tiny_base, tmp_path / "nope.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x00garbage")
    with pytest.raises(ModelError, match="relatedness student unreadable"):
        load_student(tiny_base, bad)
    with pytest.raises(ModelError, match="1 to 2 layers"):
        build_student(tiny_base, 3)


@pytest.fixture(scope="module")
def stance_with_student(tiny_base, tmp_path_factory):
    from models.training import train_new

    out = tmp_path_factory.mktemp("tiny_stance_student")
    cfg = train_new("stance", stance_examples(3), {"toy_dev": stance_examples(1)}, out, seed=5, base_path=tiny_base,
                    hyper={"epochs": 2, "lr": 1e-2, "batch_size": 8, "max_length": 32},
                    combiner_set=CombinerSet(stance_examples(2), stance_examples(2)[-4:]),
                    student_texts=TEXTS, student=RECIPE)
    return out, cfg


def test_training_with_student_texts_ships_the_student_and_the_classifier_uses_it(stance_with_student, tiny_base, tok):
    import torch

    from models.classifiers import load_classifier
    from models.relatedness import RelatednessEncoder

    out, cfg = stance_with_student
    block = json.loads((out / "config.json").read_text())["relatedness"]
    entry = block["student"]
    assert cfg["version"].endswith("+student")  # not the shipped recipe: never the shipped version's name
    assert entry["layers"] == 1 and entry["n_texts"] == len(set(TEXTS)) and (out / entry["file"]).is_file()
    clf = load_classifier("stance", out, base_path=tiny_base)
    assert clf._relatedness._model.config.num_hidden_layers == 1
    texts, targets = FAVOR + OFF_TOPIC, ["tax law"] * 8
    direct = RelatednessEncoder(tiny_base, tok, torch.device("cpu"), 128, int8_on_cpu=block["int8_on_cpu"],
                                student_path=out / entry["file"], keep_fp32=block.get("int8_keep_fp32", ()))
    np.testing.assert_array_equal(clf.cosines(texts, targets), direct.cosine(texts, targets))
    full = RelatednessEncoder(tiny_base, tok, torch.device("cpu"), 128, int8_on_cpu=True)
    assert not np.allclose(full.cosine(texts, targets), direct.cosine(texts, targets))


def test_a_finetuned_child_carries_the_student_file(stance_with_student, tiny_base, tmp_path):
    from models.classifiers import load_classifier
    from models.training import finetune

    out, cfg = stance_with_student
    name = cfg["relatedness"]["student"]["file"]
    meta = finetune("stance", stance_examples(2), tmp_path / "child", parent=out, base_path=tiny_base, epochs=1)
    assert meta["relatedness"]["student"] == cfg["relatedness"]["student"]
    assert (tmp_path / "child" / name).read_bytes() == (out / name).read_bytes()
    (out / name).rename(out / (name + ".moved"))  # the child must not lean on its parent's directory
    try:
        load_classifier("stance", tmp_path / "child", base_path=tiny_base).predict(FAVOR, ["tax law"] * 4)
    finally:
        (out / (name + ".moved")).rename(out / name)


def test_relatedness_only_distils_again_and_keeps_the_cross_encoder(stance_with_student, tiny_base):
    from models.card import write_card
    from models.train_relatedness import refit_relatedness

    out, cfg = stance_with_student
    adapter = (out / "adapter.safetensors").read_bytes()
    old = cfg["relatedness"]["student"]
    new = refit_relatedness(out, CombinerSet(stance_examples(1), stance_examples(1)[-3:]), {"toy_dev": stance_examples(1)},
                            base_path=tiny_base, student_texts=TEXTS[:10], seed=4, student=RECIPE)
    assert new["relatedness"]["student"]["n_texts"] == 10 and old["n_texts"] == len(set(TEXTS))
    assert (out / "adapter.safetensors").read_bytes() == adapter
    write_card(out, new)  # as `python -m models.train --relatedness-only` does
    kept = refit_relatedness(out, CombinerSet(stance_examples(1), stance_examples(1)[-3:]), {"toy_dev": stance_examples(1)},
                             base_path=tiny_base)
    assert kept["relatedness"]["student"] == new["relatedness"]["student"]


@pytest.mark.parametrize("flag", ["--relatedness-only", "--combiner-only", "--relatedness-student"])
def test_relatedness_stages_alone_are_refused_for_sentiment(flag, capsys):
    from models.train import main

    assert main(["--task", "sentiment", flag]) == 2
    assert "are for --task stance" in capsys.readouterr().err


def test_progress_covers_the_teacher_pass_and_ends_at_its_total(tiny_base, tok):
    from models.student import distil

    calls = []
    distil(tiny_base, tok, TEXTS, seed=1, progress=lambda done, total, msg: calls.append((done, total, msg)),
           **{**RECIPE, "epochs": 1})
    assert "full encoder" in calls[0][2] and "epoch 1/1" in calls[-1][2]
    assert [d for d, _, _ in calls] == list(range(1, len(calls) + 1)) and calls[-1][0] == calls[-1][1]
