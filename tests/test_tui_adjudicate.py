"""The adjudication and review screens under Pilot on real SQLite files: verdicts, the note, paragraph
context, the model's suggestion, the done message, review's confirm / set gold, filters and the keymap."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from textual.widgets import DataTable, Static

from db.adjudication import standing_gold
from db.engine import transaction
from db.queue import QueueFilters
from db.repository import add_target, get_or_create_annotator
from tests.test_export import TARGETS, add_doc, build_corpus
from tests.test_tui_support import settle, sync
from workbench.tui.adjudicate_app import AdjudicateApp
from workbench.tui.adjudicate_backend import AdjudicationBackend
from workbench.tui.keymap import KeymapError, load_keymap

SIZE = (120, 40)


def app_for(engine, mode="adjudicate", task="stance", keymap=None, **kw):
    return AdjudicateApp(AdjudicationBackend(engine, "lead", task, mode=mode, **kw), keymap=keymap)


def text_of(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


def gold_of(engine, statement_id, target_id, task="stance"):
    with transaction(engine) as session:
        row = standing_gold(session, statement_id, target_id, task)
        return None if row is None else (row.label, row.note)


@sync
async def test_verdicts_note_and_done_message(engine):
    ids = build_corpus(engine)
    s0, t1 = ids["statements"][0], ids["targets"][0]
    app = app_for(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.adjudicate_screen
        assert screen.current.key == (s0, t1) and screen.open_count == 1
        # the model's suggestion for the task, with its model and version
        assert "favor 0.70 (stance-clf v1 · bf16)" in text_of(app, "#suggestion")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"quotes the summit")
        await pilot.press("enter")
        await pilot.pause()
        assert "note for the next choice: quotes the summit" in text_of(app, "#gold")
        await pilot.press("r")  # not about this target
        await settle(pilot)
        assert gold_of(engine, s0, t1) == ("not_about", "quotes the summit")
        assert screen.items[0].gold == "not_about"
        # nothing open is left: the screen says so (and keeps the items to revisit)
        assert "All done" in text_of(app, "#gold") and screen.open_count == 0
        await pilot.press("u")
        await settle(pilot)
        assert gold_of(engine, s0, t1) is None and "All done" not in text_of(app, "#gold")
        await pilot.press("e")  # not a statement
        await settle(pilot)
        assert gold_of(engine, s0, t1) == ("not_a_statement", None)  # the note went with the first choice


@sync
async def test_sentiment_refuses_the_not_about_verdict(engine):
    ids = build_corpus(engine)
    s0 = ids["statements"][0]
    app = app_for(engine, task="sentiment")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.adjudicate_screen.current.key == (s0, None)
        await pilot.press("r")
        await settle(pilot)
        assert gold_of(engine, s0, None, "sentiment") is None
        assert "stance verdict" in text_of(app, "#status")
        assert "negative 0.80" in text_of(app, "#suggestion")  # the sentiment model's suggestion


@sync
async def test_context_key_widens_the_paragraph(engine):
    paragraphs = ["Opening words here.", "Before that, \"the mission failed badly,\" said Ann Lee.",
                  "Closing words follow.", "A last line."]
    with transaction(engine) as session:
        add_doc(session, "p.txt", "\n\n".join(paragraphs), {0: "Ann Lee"})
        target = add_target(session, TARGETS[0])
        from db.adjudication import set_gold  # an adjudicated item is in review's queue
        from sqlalchemy import select

        from db.schema import Statement
        sid = session.scalar(select(Statement.id))
        set_gold(session, get_or_create_annotator(session, "ann1"), sid, target.id, "stance", "against")
    app = app_for(engine, mode="review")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        passage = text_of(app, "#passage")
        assert "the mission failed badly" in passage and "Opening words" not in passage
        await pilot.press("c")
        await pilot.pause()
        wider = text_of(app, "#passage")
        assert "Opening words" in wider and "Closing words" in wider and "A last line" not in wider
        assert "± 1 paragraph" in text_of(app, "#status")


@sync
async def test_review_shows_every_item_and_confirms_or_sets_gold(engine):
    ids = build_corpus(engine)
    s0, s1, s2, s3, _ = ids["statements"]
    t1, t2 = ids["targets"]
    app = app_for(engine, mode="review")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.adjudicate_screen
        # open items in reading order, then the adjudicated one: agreed and flag-only items too
        assert [i.key for i in screen.items] == [(s0, t1), (s1, t1), (s2, t1), (s3, t2)]
        await pilot.press("j")  # s1 × t1: both annotators said neutral
        await settle(pilot)
        table = app.query_one("#labels", DataTable)
        assert [[str(c) for c in table.get_row_at(r)][:2] for r in range(table.row_count)] == \
            [["ann1", "neutral"], ["ann2", "neutral"]]
        await pilot.press("enter")  # confirm the annotators' label
        await settle(pilot)
        assert gold_of(engine, s1, t1) == ("neutral", None)
        assert screen.current.key == (s2, t1)  # moved on to the next open item
        await pilot.press("enter")  # s2 is only flagged: nothing to confirm
        await settle(pilot)
        assert gold_of(engine, s2, t1) is None and "no label most annotators agree on" in text_of(app, "#status")
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"context says so", "enter")
        await pilot.pause()
        await pilot.press("2")
        await settle(pilot)
        assert gold_of(engine, s2, t1) == ("against", "context says so")
        with transaction(engine) as session:
            lead = get_or_create_annotator(session, "lead")
            assert standing_gold(session, s2, t1, "stance").adjudicator_id == lead.id
        # the adjudicated item shows its gold, who chose it and the rationale
        screen._go(3)
        await settle(pilot)
        assert "against (by ann3)" in text_of(app, "#gold") and "economist is critical" in text_of(app, "#gold")


@sync
async def test_filters_narrow_the_screen_queue(engine):
    ids = build_corpus(engine)
    s0, s1, s2, s3, _ = ids["statements"]
    t1, t2 = ids["targets"]
    for filters, target, expected in ((QueueFilters(document="b.*"), None, [(s3, t2)]),
                                      (QueueFilters(speaker="John"), None, [(s1, t1)]),
                                      (QueueFilters(max_confidence=0.75), TARGETS[0], [(s0, t1), (s1, t1), (s2, t1)]),
                                      (QueueFilters(label="against"), None, [])):
        app = app_for(engine, mode="review", filters=filters, target=target)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert [i.key for i in app.adjudicate_screen.items] == expected
            if not expected:
                assert "Nothing to review" in text_of(app, "#message")


@sync
async def test_keymap_remaps_an_adjudicate_binding(engine, tmp_path):
    ids = build_corpus(engine)
    s0, t1 = ids["statements"][0], ids["targets"][0]
    path = tmp_path / "keymap.toml"
    path.write_text('"adjudicate.gold1" = "7"\n"adjudicate.note" = "f"\n')  # f is annotate's; no clash here
    keymap = load_keymap(path)
    app = app_for(engine, keymap=keymap)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "7 favor" in text_of(app, "#keys")
        await pilot.press("1")  # no longer bound
        await settle(pilot)
        assert gold_of(engine, s0, t1) is None
        await pilot.press("7")
        await settle(pilot)
        assert gold_of(engine, s0, t1) == ("favor", None)
    path.write_text('"adjudicate.note" = "1"\n')
    with pytest.raises(KeymapError, match="bound to both adjudicate.gold1 and adjudicate.note"):
        load_keymap(path)


def test_cli_refuses_bad_filters_in_one_line(engine):
    from workbench.cli import cli

    build_corpus(engine)
    url = str(engine.url)
    runner = CliRunner()
    for args, message in ((["review", "--annotator", "lead", "--task", "sentiment", "--label", "favor"],
                           "stance label"),
                          (["adjudicate", "--annotator", "lead", "--target", "no such target"], "target"),
                          (["review", "--annotator", "lead", "--task", "sentiment", "--target", "1"],
                           "stance only")):
        result = runner.invoke(cli, [*args, "--db", url])
        assert result.exit_code != 0 and message in result.output, result.output
        assert "Traceback" not in result.output


def test_adjudication_ui_modules_reach_the_database_only_through_db_functions():
    """No sqlalchemy and no db.schema in the adjudication UI: it calls db/ through its backend."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "workbench" / "tui"
    for path in (root / "adjudicate_app.py", root / "adjudicate_backend.py", root / "adjudicate_messages.py",
                 root / "screens" / "adjudicate.py"):
        imported = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
        assert not {m for m in imported if m.split(".")[0] == "sqlalchemy" or m == "db.schema"}, path.name
        assert "db.adjudication" in imported or "workbench.tui.adjudicate_backend" in imported, path.name
