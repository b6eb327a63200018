"""Property tests for the parsers (issue 8): ingest's reader, the importer's line parser and the
models.data readers, driven by hypothesis with arbitrary bytes and JSON, return valid results or
raise their module's one-line error type, never anything else.
"""
from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.engine import make_engine
from tests.bad_input_support import DOC, SPAN0, TARGET, dump, populate

# -- hypothesis: the parsers -------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12)
PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(data=st.binary(max_size=600) | st.text(max_size=300).map(str.encode),
       suffix=st.sampled_from([".jsonl", ".txt", ".md"]))
def test_ingest_reader_on_arbitrary_bytes(data, suffix):
    from workbench.ingest import DocumentInput, IngestError, read_documents

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"input{suffix}"
        path.write_bytes(data)
        try:
            docs = read_documents(path)
        except IngestError as exc:
            assert str(exc).startswith(str(path)) and len(str(exc).splitlines()) == 1
            return
    assert docs and all(isinstance(d, DocumentInput) and isinstance(d.text, str) and d.text.strip() for d in docs)


@PROPS
@given(records=st.lists(json_values | st.dictionaries(st.sampled_from(["id", "title", "text", "url", "published"]),
                                                      json_values, max_size=5), min_size=1, max_size=4))
def test_ingest_reader_on_arbitrary_json_lines(records):
    from workbench.ingest import IngestError, read_documents

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records), encoding="utf-8")
        try:
            docs = read_documents(path)
        except IngestError as exc:
            assert str(exc).startswith(str(path)) and len(str(exc).splitlines()) == 1
            return
    assert all(isinstance(d.text, str) and d.text.strip() for d in docs)


MINIMAL_LINE = {"doc": DOC, "start": SPAN0[0], "end": SPAN0[1], "target": TARGET, "annotator": "hyp",
                "stance": "favor", "sentiment": "neutral", "note": "n", "reason_codes": ["sarcasm"],
                "duration_ms": 1200, "order_mode": "document", "suggestions_shown": True, "accepted_as_is": False,
                "labelled_at": "2024-05-01T10:00:00+02:00"}
EXPORT_ROW = {"task": "stance", "doc": DOC, "start": SPAN0[0], "end": SPAN0[1], "target": TARGET,
              "annotations": [{"annotator": "hyp", "label": "favor", "duration_ms": 900, "order_mode": "random",
                               "suggestions_shown": True, "accepted_as_is": True, "reason_codes": [], "note": None,
                               "labelled_at": "2024-05-01T10:00:00+00:00",
                               "prelabel": {"model_name": "m", "model_version": "1", "label": "favor",
                                            "probabilities": {"favor": 0.8, "against": 0.1, "neutral": 0.1}}}],
              "gold": "favor", "gold_by": "boss", "gold_note": None, "adjudicated_at": "2024-05-02T00:00:00+00:00",
              "predicted": "against", "probabilities": {"favor": 0.2, "against": 0.7, "neutral": 0.1},
              "model_name": "m", "model_version": "2"}
plausible = {
    "doc": st.sampled_from([DOC, "nowhere.txt", ""]), "start": st.sampled_from([0, 17, -1, 2**64]),
    "end": st.sampled_from([SPAN0[1], 34, 10**6]), "target": st.sampled_from([TARGET, None, "other", " the  thing "]),
    "annotator": st.sampled_from(["hyp", "other", "", " "]), "stance": st.sampled_from(["favor", "love", None]),
    "sentiment": st.sampled_from(["positive", "meh", None]), "task": st.sampled_from(["stance", "sentiment", "x"]),
    "gold": st.sampled_from(["favor", "positive", "maybe", None]), "label": st.sampled_from(["favor", "positive"]),
    "predicted": st.sampled_from(["favor", "positive", None]),
    "labelled_at": st.sampled_from(["2024-01-01T00:00:00+00:00", "0001-01-01T00:00:00+01:00", "yesterday", None]),
    "reason_codes": st.sampled_from([["sarcasm"], ["nope"], "sarcasm", [1]]),
    "duration_ms": st.sampled_from([0, -1, 2**63, 1.5, "1", float("nan")]),
}


def _mutated(base: dict, keys: list[str]):
    """base with up to three fields replaced by plausible or arbitrary values, or deleted."""
    value = st.sampled_from(keys).flatmap(lambda k: st.tuples(st.just(k), (plausible.get(k, st.nothing())
                                                                            | json_values | st.just(KeyError))))
    return st.lists(value, max_size=3).map(
        lambda changes: {k: v for k, v in {**base, **dict(changes)}.items() if v is not KeyError})


@st.composite
def import_objects(draw):
    if draw(st.booleans()):
        return draw(_mutated(MINIMAL_LINE, [*MINIMAL_LINE, "doc_sha256", "extra"]))
    row = draw(_mutated(EXPORT_ROW, [*EXPORT_ROW, "annotations"]))
    anns = row.get("annotations")
    if isinstance(anns, list) and anns and isinstance(anns[0], dict) and anns[0] and draw(st.booleans()):
        ann = draw(_mutated(anns[0], list(anns[0])))
        pre = ann.get("prelabel")
        if isinstance(pre, dict) and pre and draw(st.booleans()):
            ann["prelabel"] = draw(_mutated(pre, list(pre)))
        row["annotations"] = [ann, *anns[1:]]
    return row


_object_lines = import_objects().map(lambda o: json.dumps(o, ensure_ascii=draw_ascii(o)))
import_lines = st.one_of(_object_lines, _object_lines, _object_lines, json_values.map(json.dumps),
                         st.binary(max_size=80).map(lambda b: b.decode("latin-1")))


def draw_ascii(obj) -> bool:
    return len(json.dumps(obj)) % 2 == 0  # both escaped and raw non-ASCII text, deterministically


@pytest.fixture(scope="module")
def hyp_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("hyp") / "workbench.db"
    url = f"sqlite:///{path}"
    populate(url)
    engine = make_engine(url)
    yield engine, url
    engine.dispose()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(lines=st.lists(import_lines, min_size=1, max_size=4))
def test_importer_line_parser_on_arbitrary_lines(hyp_db, lines):
    """Any lines: a summary, or WorkbenchError naming FILE:LINE — and then nothing written."""
    from workbench.errors import WorkbenchError
    from workbench.importer import import_jsonl

    engine, url = hyp_db
    before = dump(url)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.jsonl"
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass"))
        try:
            summary = import_jsonl(engine, str(path))
        except WorkbenchError as exc:
            assert str(exc).startswith(f"{path}:") and len(str(exc).splitlines()) == 1
            assert dump(url) == before
            return
    assert summary.lines >= 1
    assert len(dump(url)["decisions"]) == len(before["decisions"]) + summary.decisions


@PROPS
@given(lines=st.lists(json_values.map(json.dumps) | st.fixed_dictionaries(
    {"sentence_normalized": json_values | st.text(max_size=10),
     "targets": json_values | st.lists(st.fixed_dictionaries({}, optional={
         "mention": json_values, "polarity": st.sampled_from([2, 4.0, 6, "6", 5]) | json_values}), max_size=3)}
).map(json.dumps) | st.binary(max_size=40).map(lambda b: b.decode("latin-1")), max_size=5), raw=st.binary(max_size=8))
def test_newsmtsc_reader_on_arbitrary_lines(lines, raw):
    from models.data import Example, DataError, read_newsmtsc

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "n.jsonl"
        path.write_bytes("\n".join(lines).encode("utf-8", "surrogatepass") + raw)
        try:
            examples = read_newsmtsc(path)
        except DataError as exc:
            assert str(exc).startswith(str(path)) and len(str(exc).splitlines()) == 1
            return
    assert all(isinstance(e, Example) and isinstance(e.text, str) and isinstance(e.target, str)
               and e.label in ("positive", "negative", "neutral") for e in examples)


csv_cell = st.text(alphabet=st.sampled_from(list("ab,\"\n\r 012.\x00é")), max_size=12)


@PROPS
@given(header=st.sampled_from(["Tweet,Target,Stance", "text,target,label", "Tweet,Target", ""]) | csv_cell,
       rows=st.lists(st.lists(csv_cell, max_size=4).map(",".join), max_size=5), raw=st.binary(max_size=8),
       fmt=st.sampled_from(["vast", "vast_train"]))
def test_csv_readers_on_arbitrary_text(header, rows, raw, fmt):
    from models.data import DataError, Example, read

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.csv"
        path.write_bytes(("\n".join([header, *rows])).encode("utf-8", "surrogatepass") + raw)
        try:
            examples = read(fmt, path)
        except DataError as exc:
            assert str(exc).startswith(str(path)) and len(str(exc).splitlines()) == 1
            return
    assert all(isinstance(e, Example) and e.label in ("favor", "against", "neutral") for e in examples)


@PROPS
@given(texts=st.binary(max_size=60) | st.text(max_size=40).map(str.encode),
       labels=st.binary(max_size=20) | st.lists(st.sampled_from(["0", "1", "2", "3", " 1 ", ""]), max_size=5)
       .map(lambda xs: "\n".join(xs).encode()),
       folder=st.sampled_from(["abortion", "hillary", "unknown"]))
def test_semeval_reader_on_arbitrary_files(texts, labels, folder):
    from models.data import DataError, read_semeval

    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / folder
        d.mkdir()
        (d / "val_text.txt").write_bytes(texts)
        (d / "val_labels.txt").write_bytes(labels)
        try:
            examples = read_semeval(tmp, "val")
        except DataError as exc:
            assert str(exc).startswith(tmp) and len(str(exc).splitlines()) == 1
            return
    assert all(e.label in ("favor", "against", "neutral") and isinstance(e.text, str) for e in examples)

