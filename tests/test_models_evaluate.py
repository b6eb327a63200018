"""models.evaluate / models.data on small files written here, including bad input."""

import json

import pytest


from models.data import Example, read  # noqa: E402
from models.errors import DataError  # noqa: E402
from models.evaluate import evaluate_file  # noqa: E402
from models.testing import build_tiny_encoder  # noqa: E402


class FixedClassifier:
    """Stands in for a model: predicts a fixed label per text, to check the scoring exactly."""

    def __init__(self, task, labels, answers):
        self.task, self.labels, self.answers = task, labels, answers
        self.name, self.version = "fixed", "0"

    def predict(self, texts, targets, batch_size=32):
        from models.classifiers import Prediction

        out = []
        for t in texts:
            lab = self.answers[t]
            out.append(Prediction(lab, {x: (0.8 if x == lab else 0.1) for x in self.labels}))
        return out


def write_newsmtsc(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")


def test_newsmtsc_one_example_per_target(tmp_path):
    f = tmp_path / "n.jsonl"
    write_newsmtsc(f, [
        {"sentence_normalized": "Smith praised Jones.", "targets": [
            {"from": 0, "to": 5, "mention": "Smith", "polarity": 4.0},
            {"from": 14, "to": 19, "mention": "Jones", "polarity": 6.0}]},
        {"sentence_normalized": "Jones failed.", "targets": [{"mention": "Jones", "polarity": 2}]},
    ])
    assert read("newsmtsc", f) == [
        Example("Smith praised Jones.", "Smith", "neutral"),
        Example("Smith praised Jones.", "Jones", "positive"),
        Example("Jones failed.", "Jones", "negative"),
    ]
    clf = FixedClassifier("sentiment", ("positive", "negative", "neutral"),
                          {"Smith praised Jones.": "positive", "Jones failed.": "negative"})
    rep = evaluate_file("sentiment", "newsmtsc", f, classifier=clf)
    assert rep["n"] == 3
    assert rep["per_class"]["positive"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3), "support": 1}
    assert rep["per_class"]["neutral"]["f1"] == 0.0 and rep["per_class"]["negative"]["f1"] == 1.0
    assert rep["macro_f1"] == pytest.approx((2 / 3 + 1 + 0) / 3)
    assert rep["confusion"] == {"labels": ["positive", "negative", "neutral"],
                                "matrix": [[1, 0, 0], [0, 1, 0], [1, 0, 0]]}
    assert "f_avg" not in rep


def test_semeval_layout_and_f_avg(tmp_path):
    for key, texts, labels in [("hillary", ["h1", "h2"], ["2", "1"]), ("climate", ["c1", "c2"], ["0", "2"])]:
        d = tmp_path / key
        d.mkdir()
        (d / "test_text.txt").write_text("\n".join(texts) + "\n")
        (d / "test_labels.txt").write_text("\n".join(labels) + "\n")
    ex = read("semeval", tmp_path, "test")
    assert Example("c1", "climate change is a real concern", "neutral") in ex
    assert Example("h1", "Hillary Clinton", "favor") in ex
    clf = FixedClassifier("stance", ("favor", "against", "neutral"),
                          {"h1": "favor", "h2": "favor", "c1": "neutral", "c2": "against"})
    rep = evaluate_file("stance", "semeval", tmp_path, classifier=clf)  # split defaults to test
    f_favor, f_against = rep["per_class"]["favor"]["f1"], rep["per_class"]["against"]["f1"]
    assert f_favor == pytest.approx(0.5) and f_against == 0.0
    assert rep["f_avg"] == pytest.approx(0.25)
    assert rep["ece"] == pytest.approx(abs(0.8 - 0.5))


def test_vast_csv(tmp_path):
    f = tmp_path / "v.csv"
    f.write_text('Tweet,Target,Stance,seen?\n"Taxes, sadly, are needed",tax policy,1,0\nno,guns,0,1\nok,x,2,1\n')
    assert [e.label for e in read("vast", f)] == ["favor", "against", "neutral"]
    assert read("vast", f)[0] == Example("Taxes, sadly, are needed", "tax policy", "favor", "zero-shot")
    assert [e.subset for e in read("vast", f)] == ["zero-shot", "few-shot", "few-shot"]


def test_vast_is_also_scored_per_subset_when_the_file_marks_seen_topics(tmp_path, capsys):
    f = tmp_path / "v.csv"
    f.write_text("Tweet,Target,Stance,seen?\na,x,1,0\nb,x,0,0\nc,y,1,1\nd,y,2,1\n")
    # right on both zero-shot rows, one of two few-shot rows wrong
    clf = FixedClassifier("stance", ("favor", "against", "neutral"), {"a": "favor", "b": "against", "c": "favor", "d": "favor"})
    rep = evaluate_file("stance", "vast", f, classifier=clf)
    assert rep["subsets"]["zero-shot"] == {"n": 2, "macro_f1": pytest.approx(2 / 3)}  # favor, against right; no neutral
    assert rep["subsets"]["few-shot"]["n"] == 2
    assert rep["subsets"]["few-shot"]["macro_f1"] == pytest.approx((2 / 3) / 3)  # favor P .5 R 1; others 0
    from workbench.commands.model_cmds import _print_report

    _print_report("stance", "vast", rep)
    printed = capsys.readouterr().out
    assert "zero-shot: n=2  macro-F1=0.667" in printed and "few-shot: n=2  macro-F1=0.222" in printed
    no_column = tmp_path / "w.csv"
    no_column.write_text("Tweet,Target,Stance\na,x,1\nb,x,0\n")
    assert "subsets" not in evaluate_file("stance", "vast", no_column, classifier=clf)


def test_news_csv(tmp_path):
    f = tmp_path / "n.csv"
    f.write_text('split,guid,target,text,label\ntrain,g1,warming,"It is, he said, a crisis",favor\ntrain,g2,warming,no,none\n')
    assert read("news", f) == [Example("It is, he said, a crisis", "warming", "favor"), Example("no", "warming", "neutral")]


def test_generic_stance_csv_and_two_class_score(tmp_path):
    f = tmp_path / "mine.csv"
    f.write_text('text,target,label,extra\n"We back it, fully",the plan,favor,x\nNo way,the plan,against,\n'
                 'Rain today,the plan,neutral,\nNot sure,the plan,None,\n')
    assert read("csv", f) == [Example("We back it, fully", "the plan", "favor"), Example("No way", "the plan", "against"),
                              Example("Rain today", "the plan", "neutral"), Example("Not sure", "the plan", "neutral")]
    clf = FixedClassifier("stance", ("favor", "against", "neutral"),
                          {"We back it, fully": "favor", "No way": "neutral", "Rain today": "neutral", "Not sure": "against"})
    rep = evaluate_file("stance", "csv", f, classifier=clf)
    assert set(rep) >= {"n", "macro_f1", "per_class", "confusion"} and rep["n"] == 4
    assert rep["per_class"]["favor"]["f1"] == 1.0 and rep["per_class"]["against"]["f1"] == 0.0
    # mean F1 of favor and against: the score of two-class sets (IBM claim stance, Perspectrum, ArgKP)
    assert rep["f_avg"] == pytest.approx(0.5)


def test_evaluate_csv_through_the_cli_with_a_tiny_model(tmp_path):
    from click.testing import CliRunner

    from models.training import train_new
    from workbench.cli import cli

    base = build_tiny_encoder(tmp_path / "base")
    ex = [Example("good law", "law", "favor"), Example("bad law", "law", "against"), Example("the report", "law", "neutral")]
    train_new("stance", ex * 2, {}, tmp_path / "m", base_path=base, hyper={"epochs": 1, "max_length": 32})
    f = tmp_path / "mine.csv"
    f.write_text("text,target,label\ngood law,law,favor\nbad law,law,against\nthe report,law,neutral\n")
    env = {"WORKBENCH_BASE_ENCODER": str(base)}
    result = CliRunner().invoke(cli, ["evaluate", "--task", "stance", "--format", "csv", str(f), "--json",
                                      "--model", str(tmp_path / "m")], env=env)
    assert result.exit_code == 0, result.output
    rep = json.loads(result.output.strip().splitlines()[-1])
    assert rep["n"] == 3 and [rep["per_class"][k]["support"] for k in ("favor", "against", "neutral")] == [1, 1, 1]
    assert sum(map(sum, rep["confusion"]["matrix"])) == 3
    bad = tmp_path / "bad.csv"
    bad.write_text("text,target,label\nok,law,maybe\n")
    result = CliRunner().invoke(cli, ["evaluate", "--task", "stance", "--format", "csv", str(bad)], env=env)
    assert result.exit_code != 0 and "bad.csv:2: unknown label 'maybe' (expected favor, against or neutral)" in result.output
    result = CliRunner().invoke(cli, ["evaluate", "--task", "sentiment", "--format", "csv", str(f)], env=env)
    assert result.exit_code != 0 and "holds stance labels" in result.output


@pytest.mark.parametrize("fmt,content,needle", [
    ("newsmtsc", '{"sentence_normalized": "a", "targets": [{"mention": "a", "polarity": 4}]}\n{broken\n', ":2: malformed JSON"),
    ("newsmtsc", '{"sentence_normalized": "a", "targets": [{"mention": "a", "polarity": 5}]}\n', ":1: unknown polarity"),
    ("newsmtsc", '{"targets": []}\n', ":1: missing field"),
    ("vast", "Tweet,Target,Stance\nt,x,1\nt,x,favor\n", ":3: unknown stance label 'favor'"),
    ("vast", "Tweet,Stance\nt,1\n", ":1: missing column(s) Target"),
    ("vast", 'Tweet,Target,Stance\nt,x,1\n"never closed,x,1\nt,x,2\n', "malformed CSV (unexpected end of data)"),
    ("news", "text,target,label\nt,x,favor\n,x,none\n", ":3: empty text or target"),
    ("csv", "text,target,label\nt,x,favor\nt,,against\n", ":3: empty target"),
    ("csv", "text,label\nt,favor\n", ":1: missing column(s) target"),
])
def test_bad_files_name_file_and_line(tmp_path, fmt, content, needle):
    f = tmp_path / "bad.txt"
    f.write_text(content)
    with pytest.raises(DataError) as err:
        evaluate_file("sentiment" if fmt == "newsmtsc" else "stance", fmt, f, classifier=object())
    msg = str(err.value)
    assert str(f) in msg and needle in msg and "\n" not in msg


def test_bad_semeval_and_missing_paths(tmp_path):
    d = tmp_path / "atheism"
    d.mkdir()
    (d / "val_text.txt").write_text("a\nb\n")
    (d / "val_labels.txt").write_text("1\n7\n")
    with pytest.raises(DataError, match=r"val_labels.txt:2: unknown label '7'"):
        read("semeval", tmp_path, "val")
    (d / "val_labels.txt").write_text("1\n")
    with pytest.raises(DataError, match="1 labels for 2 texts"):
        read("semeval", tmp_path, "val")
    with pytest.raises(DataError, match="file not found"):
        evaluate_file("sentiment", "newsmtsc", tmp_path / "missing.jsonl", classifier=object())
    with pytest.raises(DataError, match="holds stance labels"):
        evaluate_file("sentiment", "vast", tmp_path / "x.csv", classifier=object())
    with pytest.raises(DataError, match="unknown data format"):
        evaluate_file("stance", "tsv", tmp_path / "x.csv", classifier=object())


def test_training_data_absent_gives_clear_message(tmp_path, monkeypatch):
    from models.train import main

    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(tmp_path / "nowhere"))
    assert main(["--task", "sentiment", "--out", str(tmp_path / "o")]) == 2
    with pytest.raises(DataError, match="training data directory not found"):
        from models.data import data_root

        data_root()


def test_evaluate_with_a_real_tiny_classifier(tmp_path):
    from models.classifiers import load_classifier
    from models.shipped import SHIPPED_VERSION
    from models.training import train_new

    base = build_tiny_encoder(tmp_path / "base")
    ex = [Example("good law", "law", "favor"), Example("bad law", "law", "against"), Example("the report", None, "neutral")]
    train_new("stance", ex * 2, {}, tmp_path / "m", base_path=base, hyper={"epochs": 1, "max_length": 32})
    clf = load_classifier("stance", tmp_path / "m", base_path=base)
    f = tmp_path / "v.csv"
    f.write_text("Tweet,Target,Stance\ngood law,law,1\nbad law,law,0\nthe report,news,2\nbad law,law,0\n")
    rep = evaluate_file("stance", "vast", f, classifier=clf)
    assert rep["n"] == 4 and sum(map(sum, rep["confusion"]["matrix"])) == 4
    assert [rep["per_class"][k]["support"] for k in ("favor", "against", "neutral")] == [1, 2, 1]
    assert 0.0 <= rep["macro_f1"] <= 1.0 and 0.0 <= rep["ece"] <= 1.0
    assert rep["model"] == {"name": "mpnet-lora-stance", "version": SHIPPED_VERSION["stance"]}


def test_big_files_are_predicted_a_chunk_at_a_time_with_progress(tmp_path, monkeypatch):
    import models.evaluate as evaluate

    rows = [{"sentence_normalized": f"Person {i} did thing {i}.", "targets": [{"mention": f"Person {i}",
                                                                                "polarity": 2 + 2 * (i % 3)}]}
            for i in range(10)]
    f = tmp_path / "n.jsonl"
    write_newsmtsc(f, rows)
    answers = {r["sentence_normalized"]: ("negative", "neutral", "positive")[i % 3] for i, r in enumerate(rows)}
    calls, progress = [], []

    class Counting(FixedClassifier):
        def predict(self, texts, targets, batch_size=32):
            calls.append(len(texts))
            return super().predict(texts, targets, batch_size)

    clf = Counting("sentiment", ("positive", "negative", "neutral"), answers)
    whole = evaluate.evaluate_file("sentiment", "newsmtsc", f, classifier=clf)
    assert calls == [10]
    monkeypatch.setattr(evaluate, "CHUNK", 4)
    examples = evaluate.read_examples("sentiment", "newsmtsc", f)
    chunked = evaluate.evaluate_examples("sentiment", "newsmtsc", examples, classifier=clf,
                                         on_progress=progress.append)
    assert calls[1:] == [4, 4, 2] and progress == [4, 4, 2]
    assert chunked == whole and chunked["macro_f1"] == 1.0
