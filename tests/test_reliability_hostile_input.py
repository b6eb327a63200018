"""Hostile input (issue 22): names and texts that look like markup or terminal commands, files that
never end, input nested past the parsers' limits, names one back end accepts and the other refuses.

Every user-supplied string is shown as itself (never parsed as Rich/Textual markup), no control
character reaches the terminal, and every refusal is one `error:` line with a non-zero exit.
"""
from __future__ import annotations

import asyncio
import json
import sqlite3

import pytest
from sqlalchemy import select, text
from textual.app import App
from textual.widgets import DataTable, Static

from db.engine import make_engine, transaction
from db.errors import StorageError
from db.repository import get_or_create_annotator
from db.schema import Annotator, Decision, Document
from tests.bad_input_support import (  # noqa: F401 - db and template_db are fixtures
    assert_one_line_error, db, dump, invoke, line, template_db,
)

OSC_TITLE = "\x1b]0;PWNED\x07"  # "set the terminal's title", as a name or a text could carry it
TERMINAL_CONTROLS = ("\x1b", "\x07", "\x9b")


def _sql(url: str, statement: str, *params) -> None:
    """Write as an older version (or another tool) could have: straight into the file."""
    with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
        conn.execute(statement, params)


def _rename_annotator(url: str, old: str, new: str) -> None:
    _sql(url, "UPDATE annotators SET name = ? WHERE name = ?", new, old)


# -- item 2: a name or note that looks like markup -------------------------------------------------

def test_an_annotator_named_like_markup_is_printed_as_itself(db, tmp_path):
    data = tmp_path / "markup.jsonl"
    data.write_text(line(annotator="[/bold]", stance="against") + "\n" + line(annotator="[red]x", stance="favor") + "\n")
    code, out, err = invoke("import", data, "--db", db)
    assert code == 0, err
    code, out, err = invoke("status", "--db", db)
    assert code == 0 and "Traceback" not in out + err, err
    assert "labels by [/bold]" in out and "labels by [red]x" in out
    report = tmp_path / "report.html"
    code, out, err = invoke("agreement", "--html", report, "--db", db)
    assert code == 0 and "Traceback" not in out + err, err
    assert "[/bold]" in out and "[red]x" in out
    assert "[/bold]" in report.read_text(encoding="utf-8")


def test_a_folder_named_like_markup_is_printed_as_itself(template_db, tmp_path):
    import shutil

    folder = tmp_path / "[" / "b]"  # the path reads "…/[/b]/w.models": a closing tag with nothing open
    folder.mkdir(parents=True)
    shutil.copy(template_db, folder / "w.db")
    code, out, err = invoke("models", "list", "--db", folder / "w.db")
    assert code == 0 and "Traceback" not in out + err, err
    assert f"models ({folder / 'w.models'})" in " ".join(out.split())


async def _adjudicate_note(url: str) -> tuple[list[list[str]], str, int | None]:
    from workbench.tui.adjudicate_app import AdjudicateApp
    from workbench.tui.adjudicate_backend import AdjudicationBackend

    app = AdjudicateApp(AdjudicationBackend(make_engine(url), "judge", "stance"))
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(3):  # the queue, then the item's details
            await pilot.pause()
            await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.query_one("#labels", DataTable)
        rows = [[str(cell) for cell in table.get_row_at(r)] for r in range(table.row_count)]
        statement = str(app.query_one("#about", Static).render())
    return rows, statement, app.return_code


def test_adjudicate_shows_notes_names_and_targets_that_look_like_markup(engine, sqlite_url):
    from tests.test_export import build_corpus

    build_corpus(engine)
    _sql(sqlite_url, "UPDATE decisions SET note = ? WHERE note = 'ironic?'", "[/red] " + OSC_TITLE)
    _rename_annotator(sqlite_url, "ann3", "[b]ann3")
    _sql(sqlite_url, "UPDATE targets SET text = '[/i] ' || text")
    rows, statement, return_code = asyncio.run(_adjudicate_note(sqlite_url))
    assert ["[b]ann3", "against", "sarcasm", "[/red] ]0;PWNED"] in rows
    assert "Target   [/i] " in statement and not any(c in statement for c in TERMINAL_CONTROLS)
    assert not return_code


def test_a_crashed_ui_exits_non_zero(db, monkeypatch):
    from workbench.tui.screens.adjudicate import AdjudicateScreen

    def crash(self):
        raise RuntimeError("a bug in the screen")

    real_run = App.run
    monkeypatch.setattr(AdjudicateScreen, "on_mount", crash)
    monkeypatch.setattr(App, "run", lambda self, **kw: real_run(self, headless=True))
    code, out, err = invoke("adjudicate", "--annotator", "judge", "--db", db)
    assert code != 0


# -- item 4: control characters --------------------------------------------------------------------

def test_control_characters_never_reach_the_terminal_from_an_older_database(db, tmp_path):
    _rename_annotator(db, "ann2", f"ann{OSC_TITLE}2")
    _sql(db, "UPDATE targets SET text = ?", f"the {OSC_TITLE}thing")
    for args in (["status"], ["agreement"], ["targets", "list"]):
        code, out, err = invoke(*args, "--db", db)
        assert code == 0, (args, err)
        assert not any(c in out + err for c in TERMINAL_CONTROLS), (args, out)
    assert "ann]0;PWNED2" in invoke("status", "--db", db)[1]


def test_control_characters_are_dropped_from_what_comes_in(db, tmp_path):
    articles = tmp_path / "a.jsonl"
    articles.write_text(json.dumps({"id": f"doc{OSC_TITLE}", "title": f"A {OSC_TITLE}title\x9b2J",
                                    "text": f"Line one{OSC_TITLE}.\n\tLine two\x1b[2J said Bob."}) + "\n")
    code, out, err = invoke("ingest", articles, "--db", db)
    assert code == 0, err
    decisions = tmp_path / "d.jsonl"
    decisions.write_text(line(note=f"see {OSC_TITLE}this") + "\n")
    assert invoke("import", decisions, "--db", db)[0] == 0
    code, out, err = invoke("targets", "add", f"new {OSC_TITLE}target", "--db", db)
    assert code == 0 and not any(c in out for c in TERMINAL_CONTROLS)
    with transaction(make_engine(db)) as session:
        doc = session.scalar(select(Document).where(Document.source.like("doc%")))
        assert (doc.source, doc.title) == ("doc]0;PWNED", "A ]0;PWNEDtitle2J")
        assert doc.text == "Line one]0;PWNED.\n\tLine two[2J said Bob."  # newline and tab stay
        assert session.scalar(select(Decision.note).where(Decision.note.is_not(None))) == "see ]0;PWNEDthis"
    assert "new ]0;PWNEDtarget" in invoke("targets", "list", "--db", db)[1]


def test_the_annotation_screen_shows_titles_and_speakers_without_control_characters(engine, sqlite_url):
    from tests.test_tui_support import seed, settle
    from workbench.tui.app import AnnotateApp
    from workbench.tui.backend import Backend

    seed(engine)
    _sql(sqlite_url, "UPDATE documents SET title = ?", f"[/b]Title{OSC_TITLE}")
    _sql(sqlite_url, "UPDATE statements SET speaker = ?", f"[red]Zas{OSC_TITLE}")

    async def run() -> tuple[str, str]:
        app = AnnotateApp(Backend(engine, "alice", blind=True, predictor_factory=None))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            title = str(app.query_one("#document-title", Static).render())
            speaker = str(app.query_one("SpeakerLine", Static).render())
        return title, speaker

    title, speaker = asyncio.run(run())
    assert "[/b]Title]0;PWNED" in title and "[red]Zas]0;PWNED" in speaker
    assert not any(c in title + speaker for c in TERMINAL_CONTROLS)


# -- item 7: one rule for annotator names, on both back ends and every path -------------------------

BAD_NAMES = [pytest.param(name, reason, id=case) for case, name, reason in (
    ("empty", "", "empty"), ("blank", "   ", "empty"), ("129-chars", "a" * 129, "at most 128"),
    ("nul", "nul\x00name", "control characters"), ("osc", f"x{OSC_TITLE}", "control characters"),
    ("newline", "two\nlines", "control characters"))]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_url(request, tmp_path):
    if request.param == "sqlite":
        from tests.bad_input_support import populate

        url = f"sqlite:///{tmp_path / 'w.db'}"
        populate(url)
        return url
    pg_url = request.getfixturevalue("pg_url")
    from db.migrate import upgrade
    from tests.test_reliability_storage import seed_items

    engine = make_engine(pg_url)
    upgrade(engine)
    seed_items(engine)
    engine.dispose()
    return pg_url


@pytest.mark.parametrize("name,reason", BAD_NAMES)
def test_import_refuses_a_bad_annotator_name_on_both_back_ends(any_url, tmp_path, name, reason):
    path = tmp_path / "names.jsonl"
    path.write_text(line() + "\n" + line(annotator=name) + "\n", encoding="utf-8")
    with transaction(make_engine(any_url)) as session:
        before = session.scalar(select(text("count(*)")).select_from(Decision))
    code, out, err = invoke("import", path, "--db", any_url)
    assert_one_line_error(code, out, err, f"{path}:2:", reason)
    with transaction(make_engine(any_url)) as session:
        assert session.scalar(select(text("count(*)")).select_from(Decision)) == before


@pytest.mark.parametrize("name,reason", BAD_NAMES)
def test_every_writer_of_names_refuses_the_same_names(engine, name, reason):
    with transaction(engine) as session:
        with pytest.raises(StorageError, match=reason):
            get_or_create_annotator(session, name)
        assert get_or_create_annotator(session, " " + "a" * 128 + " ").name == "a" * 128


@pytest.mark.parametrize("command", ["annotate", "adjudicate"])
@pytest.mark.parametrize("name,reason", BAD_NAMES[:4])
def test_the_ui_commands_refuse_a_bad_name_before_opening(db, monkeypatch, command, name, reason):
    def opened(self, **kw):
        raise AssertionError("the screen opened")

    monkeypatch.setattr(App, "run", opened)
    code, out, err = invoke(command, "--annotator", name, "--db", db)
    assert_one_line_error(code, out, err, reason)


@pytest.mark.postgres
def test_merge_into_postgres_refuses_a_name_postgres_cannot_hold_with_one_line(db, pg_url):
    from db.migrate import upgrade
    from tests.test_reliability_storage import seed_items

    engine = make_engine(pg_url)
    upgrade(engine)
    seed_items(engine)
    _rename_annotator(db, "ann2", "ann\x002")
    code, out, err = invoke("merge", db, "--db", pg_url)
    assert_one_line_error(code, out, err, "control characters")
    with transaction(engine) as session:
        assert session.scalar(select(text("count(*)")).select_from(Annotator)) == 0


# -- item 5: files that never end ------------------------------------------------------------------

def _run_cli(*args: str, timeout: int = 60):
    """The real command in a child process with 1 GiB of address space: a command that reads an endless
    file whole dies of MemoryError (a traceback) instead of eating the machine."""
    import resource
    import subprocess
    import sys

    def limit_memory():
        resource.setrlimit(resource.RLIMIT_AS, (2**30, 2**30))

    done = subprocess.run([sys.executable, "-c", "from workbench.cli import main; main()", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout, preexec_fn=limit_memory)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_guidelines_set_refuses_a_device_or_a_pipe(db, tmp_path, special):
    import os

    if special == "fifo":
        special = tmp_path / "pipe.md"
        os.mkfifo(special)  # no writer: opening it blocking would wait for ever
    before = dump(db)
    code, out, err = _run_cli("guidelines", "set", special, "--db", db)
    assert_one_line_error(code, out, err, str(special), "not a regular file")
    assert dump(db) == before


def test_ingest_names_a_device_given_as_input(db):
    code, out, err = invoke("ingest", "/dev/zero", "--db", db)
    assert code == 1 and "error: /dev/zero: not a regular file" in err


def test_a_size_limit_is_a_limit_on_reading_not_on_what_stat_says(tmp_path):
    from workbench.bounded_read import FileTooLarge, read_bounded

    # /proc files are regular files whose stat size is 0 whatever they hold
    with pytest.raises(FileTooLarge):
        read_bounded("/proc/self/maps", 64)
    small = tmp_path / "small.md"
    small.write_bytes(b"x" * 64)
    assert read_bounded(small, 64) == b"x" * 64


# -- item 6: one line, never a traceback ----------------------------------------------------------

@pytest.mark.parametrize("body,reason", [
    pytest.param("[" * 25_000 + "]" * 25_000, "nested too deeply", id="deep"),
    pytest.param('{"text": "a", "id": ' + "9" * 5000 + "}", "more than 4300 digits", id="5000-digits"),
    pytest.param('{"text": "a \\ud800 b"}', "lone surrogate", id="surrogate"),
])
def test_ingest_of_jsonl_the_parser_chokes_on_is_one_line(db, tmp_path, body, reason):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "A fine article."}\n' + body + "\n", encoding="utf-8")
    before = dump(db)
    code, out, err = invoke("ingest", path, "--db", db)
    assert_one_line_error(code, out, err, f"{path}: line 2:", reason)
    assert dump(db) == before


def test_import_of_a_lone_surrogate_is_one_line_on_both_back_ends(any_url, tmp_path):
    path = tmp_path / "surrogate.jsonl"
    path.write_text(line() + "\n" + line().replace('"imp"', '"imp", "note": "x\\ud800y"') + "\n", encoding="utf-8")
    code, out, err = invoke("import", path, "--db", any_url)
    assert_one_line_error(code, out, err, f"{path}:2:", "lone surrogate")
    with transaction(make_engine(any_url)) as session:
        assert session.scalar(select(Annotator.id).where(Annotator.name == "imp")) is None


@pytest.mark.parametrize("url", ["foo://x", "http://example.com/labels", "https://user:secret@host/db"])
def test_a_url_of_no_database_is_one_line(db, url):
    code, out, err = invoke("status", "--db", url)
    message = assert_one_line_error(code, out, err, "unsupported database URL")
    assert "secret" not in message
    before = dump(db)
    code, out, err = invoke("merge", url, "--db", db)
    assert_one_line_error(code, out, err, "unsupported database URL")
    assert dump(db) == before


@pytest.mark.postgres
@pytest.mark.parametrize("args", [["targets", "add", "new target"], ["guidelines", "set", "GUIDE"]])
def test_writing_to_a_read_only_postgres_database_is_one_line(pg_engine, pg_url, tmp_path, args):
    guide = tmp_path / "guide.md"
    guide.write_text("# Rules\nBe kind.\n")
    read_only = pg_url + "%20-cdefault_transaction_read_only%3Don"
    args = [str(guide) if a == "GUIDE" else a for a in args]
    code, out, err = invoke(*args, "--db", read_only)
    assert_one_line_error(code, out, err, "read-only")
    assert invoke("status", "--db", read_only)[0] == 0  # reading still works


@pytest.mark.parametrize("args", [["targets", "add", "new target"], ["guidelines", "set", "GUIDE"]])
def test_writing_to_a_read_only_sqlite_database_is_one_line(db, tmp_path, monkeypatch, args):
    """SQLite's own refusal ('attempt to write a readonly database', as for a file the user may not
    write): made here with query_only, set once the schema has been checked (tests run as root, so
    file modes do not stop writes)."""
    from sqlalchemy import event

    import workbench.commands.common as common

    real_open = common.open_db

    def read_only_open(*a, **kw):
        engine = real_open(*a, **kw)
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("PRAGMA query_only=1"))
        return engine

    monkeypatch.setattr(common, "open_db", read_only_open)
    for module in ("annotate_cmds", "model_cmds"):
        monkeypatch.setattr(f"workbench.commands.{module}.open_db", read_only_open)
    guide = tmp_path / "guide.md"
    guide.write_text("# Rules\nBe kind.\n")
    before = dump(db)
    code, out, err = invoke(*[str(guide) if a == "GUIDE" else a for a in args], "--db", db)
    assert_one_line_error(code, out, err, "read-only", "readonly database")
    assert dump(db) == before


@pytest.mark.postgres
@pytest.mark.parametrize("column", ["targets.text", "predictions.model_name"])
def test_merge_into_postgres_of_a_nul_it_cannot_store_is_one_line(db, pg_engine, pg_url, column):
    from db.schema import Prediction, Target

    from tests.test_reliability_storage import seed_items

    seed_items(pg_engine)
    if column == "predictions.model_name":
        from sqlalchemy import select as sel

        with transaction(make_engine(db)) as session:
            from db.schema import Statement

            sid = session.scalar(sel(Statement.id))
            tid = session.scalar(sel(Target.id))
            session.add(Prediction(statement_id=sid, target_id=tid, task="stance", label="favor",
                                   probabilities={"favor": 1.0}, margin=1.0, model_name="m", model_version="1"))
        _sql(db, "UPDATE predictions SET model_name = ?", "bad\x00model")
        _sql(db, "UPDATE decisions SET stance_prediction_id = (SELECT min(id) FROM predictions)")
    else:
        _sql(db, "UPDATE targets SET text = ?", "the\x00thing")
    with transaction(pg_engine) as session:
        before = session.scalar(select(text("count(*)")).select_from(Decision))
    code, out, err = invoke("merge", db, "--db", pg_url)
    message = assert_one_line_error(code, out, err)
    assert "NUL" in message and ("nothing merged" in message or "target" in message), message
    with transaction(pg_engine) as session:
        assert session.scalar(select(text("count(*)")).select_from(Decision)) == before


def test_guidelines_edit_saving_invalid_utf8_is_one_line(db, tmp_path, monkeypatch):
    editor = tmp_path / "editor.sh"
    editor.write_text("#!/bin/sh\nprintf '# Rules\\n\\377\\376 caf\\351\\n' > \"$1\"\n")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    monkeypatch.delenv("VISUAL", raising=False)
    before = dump(db)
    code, out, err = invoke("guidelines", "edit", "--db", db)
    assert_one_line_error(code, out, err, "not valid UTF-8", "nothing saved")
    assert dump(db) == before


# -- item 12: nothing in a folder is skipped without a word ----------------------------------------

ARTICLE = "<html><head><title>Talks</title></head><body><article><p>{}</p></article></body></html>"


def _ingest_errors(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("error:")]


def test_ingest_reports_a_broken_link_and_an_unreadable_folder(db, tmp_path, monkeypatch):
    import os

    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "locked").mkdir()
    (folder / "locked" / "c.txt").write_text("Carl said nothing.")
    (folder / "a.txt").write_text("Ann said hello.")
    (folder / "sub" / "b.md").write_text("Bob said hi.")
    (folder / "gone.txt").symlink_to(tmp_path / "deleted.txt")
    (folder / "sub" / "up").symlink_to(folder)  # a loop: must end, and read nothing twice
    (folder / "notes").symlink_to(tmp_path / "nowhere")  # no article suffix: not ingest's business
    locked = folder / "locked"
    locked.chmod(0)
    if os.geteuid() == 0:  # root reads any folder whatever its mode: refuse the listing as the kernel would
        real_scandir = os.scandir

        def scandir(path="."):
            if os.fspath(path) == str(locked):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
    try:
        code, out, err = invoke("ingest", folder, "--db", db)
    finally:
        locked.chmod(0o755)
    assert code == 1 and "Traceback" not in out + err
    errors = _ingest_errors(err)
    assert f"error: {folder / 'gone.txt'}: broken symbolic link (to {tmp_path / 'deleted.txt'})" in errors
    assert f"error: {locked}: cannot read folder: Permission denied" in errors
    assert len(errors) == 2, errors
    assert "ingested 2 document(s)" in out


def test_ingest_names_a_broken_link_given_on_the_command_line(db, tmp_path):
    link = tmp_path / "a.txt"
    link.symlink_to(tmp_path / "deleted.txt")
    code, out, err = invoke("ingest", link, "--db", db)
    assert code == 1 and _ingest_errors(err) == [f"error: {link}: broken symbolic link (to {tmp_path / 'deleted.txt'})"]


@pytest.mark.parametrize("depth", [300, 200_000])
def test_html_nested_deeper_than_the_parser_reads_is_an_error_not_a_short_text(db, tmp_path, depth):
    page = tmp_path / "deep.html"
    quotes = "<blockquote>" * depth + "A quoted sentence that matters. " * 20 + "</blockquote>" * depth
    page.write_text(ARTICLE.format("An introduction long enough to be main text. " * 5 + "</p>" + quotes + "<p>"))
    fine = tmp_path / "fine.html"
    fine.write_text(ARTICLE.format("The minister said the talks went well and would go on next week. " * 5))
    before = dump(db)
    code, out, err = invoke("ingest", page, "--db", db)
    assert_one_line_error(code, out, err, str(page), "Excessive depth", "cut short")
    assert dump(db) == before
    code, out, err = invoke("ingest", fine, "--db", db)
    assert code == 0 and "ingested 1 document(s)" in out, err


# -- item 16: no invented publication date ---------------------------------------------------------

BODY = "<p>" + "The minister said the talks went well and would go on next week. " * 5 + "</p>"


@pytest.mark.parametrize("head,footer,published", [
    pytest.param("", "© 2025 Example News. All rights reserved.", None, id="copyright-only"),
    pytest.param("", "Copyright 2019-2025 Example News", None, id="copyright-range"),
    pytest.param("<meta property='article:published_time' content='2024-03-05T10:00:00Z'>", "© 2025 Example",
                 "2024-03-05", id="meta-tag"),
    pytest.param("<script type='application/ld+json'>{\"@type\": \"NewsArticle\", \"datePublished\": \"2021-02-03\"}"
                 "</script>", "© 2025", "2021-02-03", id="json-ld"),
])
def test_html_published_is_the_date_the_page_states_or_nothing(db, tmp_path, head, footer, published):
    page = tmp_path / "page.html"
    page.write_text(f"<html><head><title>Talks</title>{head}</head><body><article>{BODY}</article>"
                    f"<footer>{footer}</footer></body></html>")
    code, out, err = invoke("ingest", page, "--db", db)
    assert code == 0, err
    with transaction(make_engine(db)) as session:
        meta = session.scalar(select(Document.meta).where(Document.source == "page.html"))
    assert meta.get("published") == published
