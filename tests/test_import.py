"""Import: minimal lines, errors name FILE:LINE and write nothing, export → import → export round trip."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from db.engine import make_engine, transaction
from db.migrate import upgrade
from db.schema import Decision, Target
from tests.test_export import DOC_A, DOC_B, TARGETS, add_doc, build_corpus, quote_spans


def fresh_corpus(engine) -> None:
    """The same documents, statements and targets as build_corpus, without any labels."""
    from db.repository import add_target

    with transaction(engine) as session:
        add_doc(session, "a.txt", DOC_A, {0: "Jane Roe", 1: "John Doe", 2: "Max Poe"})
        add_doc(session, "b.txt", DOC_B, {1: "Ann Lee"})
        for t in TARGETS:
            add_target(session, t)


def n_decisions(engine) -> int:
    with transaction(engine) as session:
        return session.scalar(select(func.count()).select_from(Decision))


def write_lines(path, lines) -> str:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return str(path)


def minimal(annotator="ann1", stance="favor", sentiment=None, target=TARGETS[0], span=0, doc="a.txt"):
    text = DOC_A if doc == "a.txt" else DOC_B
    start, end = quote_spans(text)[span]
    return {"doc": doc, "start": start, "end": end, "target": target, "annotator": annotator,
            "stance": stance, "sentiment": sentiment}


def test_minimal_lines_create_annotators_and_import_decisions(engine, tmp_path):
    fresh_corpus(engine)
    from workbench.importer import import_jsonl

    path = write_lines(tmp_path / "in.jsonl", [
        minimal("ann1", "favor"), minimal("ann2", "against", "negative"),
        minimal("ann3", None, "positive", target=None), "",
    ])
    summary = import_jsonl(engine, path)
    assert summary.decisions == 3 and summary.annotators_created == 3
    with transaction(engine) as session:
        rows = session.execute(select(Decision.stance, Decision.sentiment, Decision.source, Decision.target_id)
                               .order_by(Decision.id)).all()
    assert [(r.stance, r.sentiment, r.source) for r in rows] == [
        ("favor", None, "import"), ("against", "negative", "import"), (None, "positive", "import")]
    assert rows[2].target_id is None


@pytest.mark.parametrize("bad, message", [
    ({**minimal(), "start": 0}, "unknown statement"),
    (minimal(target="no such target"), "unknown target"),
    (minimal(stance="love"), "unknown stance label"),
    (minimal(stance=None, sentiment="great"), "unknown sentiment label"),
    (minimal(stance="favor", target=None), "needs a target"),
    (minimal(stance=None, sentiment=None), "needs a stance or a sentiment"),
    ({**minimal(), "stnce": "favor"}, "unknown field"),
    ({k: v for k, v in minimal().items() if k != "annotator"}, "missing field"),
    ("{not json", "malformed JSON"),
    ("[1, 2]", "must be a JSON object"),
])
def test_bad_line_aborts_everything_and_names_file_and_line(engine, tmp_path, bad, message):
    fresh_corpus(engine)
    from workbench.errors import WorkbenchError
    from workbench.importer import import_jsonl

    path = write_lines(tmp_path / "bad.jsonl", [minimal("ann1"), minimal("ann2"), bad])
    with pytest.raises(WorkbenchError) as err:
        import_jsonl(engine, path)
    assert str(err.value).startswith(f"{path}:3: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)
    assert n_decisions(engine) == 0  # the two good lines were rolled back too


def test_import_cli_error_is_one_line_and_nonzero(engine, sqlite_url, tmp_path):
    from click.testing import CliRunner

    from workbench.cli import cli

    fresh_corpus(engine)
    path = write_lines(tmp_path / "bad.jsonl", [minimal("ann1"), minimal(stance="love")])
    result = CliRunner().invoke(cli, ["import", path, "--db", sqlite_url])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {path}:2: unknown stance label: 'love' "
                                                  "(expected one of favor, against, neutral)"]
    good = write_lines(tmp_path / "good.jsonl", [minimal("ann1"), minimal("ann2", "neutral")])
    result = CliRunner().invoke(cli, ["import", good, "--db", sqlite_url])
    assert result.exit_code == 0 and "imported 2 decision(s)" in result.output
    assert n_decisions(engine) == 2


def _round_trip(source_engine, target_engine, tmp_path):
    from workbench.export import export
    from workbench.importer import import_jsonl

    build_corpus(source_engine)
    first = tmp_path / "first.jsonl"
    export(source_engine, "jsonl", str(first))
    fresh_corpus(target_engine)
    import_jsonl(target_engine, str(first))
    second = tmp_path / "second.jsonl"
    export(target_engine, "jsonl", str(second))
    a, b = first.read_text().splitlines(), second.read_text().splitlines()
    assert len(a) == 7
    assert a == b
    # and the imported data is live data: gold and the pre-label link survived
    rows = [json.loads(line) for line in b]
    assert any(r["gold"] == "against" for r in rows)
    assert any(ann["prelabel"] for r in rows for ann in r["annotations"])


def test_round_trip_sqlite(engine, tmp_path):
    other = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    upgrade(other)
    _round_trip(engine, other, tmp_path)
    other.dispose()



def test_export_rows_bring_their_targets_into_a_database_without_them(engine, tmp_path):
    """Documents ingested and extracted the same way, no `targets add` yet: the export's rows create
    their targets (as merge does), and the round trip still holds; a minimal line still may not."""
    from workbench.export import export
    from workbench.errors import WorkbenchError
    from workbench.importer import import_jsonl

    build_corpus(engine)
    first = tmp_path / "first.jsonl"
    export(engine, "jsonl", str(first))
    other = make_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    upgrade(other)
    with transaction(other) as session:
        add_doc(session, "a.txt", DOC_A, {0: "Jane Roe", 1: "John Doe", 2: "Max Poe"})
        add_doc(session, "b.txt", DOC_B, {1: "Ann Lee"})
    import_jsonl(other, str(first))
    export(other, "jsonl", str(tmp_path / "second.jsonl"))
    assert (tmp_path / "second.jsonl").read_text() == first.read_text()
    with transaction(other) as session:
        assert sorted(session.scalars(select(Target.text))) == sorted(TARGETS)
    typo = tmp_path / "typo.jsonl"
    typo.write_text(json.dumps(minimal(target="the peacekeeping mision")) + "\n")
    with pytest.raises(WorkbenchError, match="unknown target"):
        import_jsonl(other, str(typo))
    other.dispose()

@pytest.mark.postgres
def test_round_trip_sqlite_to_postgres_and_back(engine, pg_engine, tmp_path):
    """SQLite → JSONL → PostgreSQL → JSONL is identical, and so is PostgreSQL → fresh SQLite."""
    from workbench.export import export
    from workbench.importer import import_jsonl

    _round_trip(engine, pg_engine, tmp_path)
    third_engine = make_engine(f"sqlite:///{tmp_path / 'third.db'}")
    upgrade(third_engine)
    fresh_corpus(third_engine)
    import_jsonl(third_engine, str(tmp_path / "second.jsonl"))
    export(third_engine, "jsonl", str(tmp_path / "third.jsonl"))
    assert (tmp_path / "third.jsonl").read_text() == (tmp_path / "first.jsonl").read_text()
    third_engine.dispose()
