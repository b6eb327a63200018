"""Pilot tests: correcting the extraction in the annotation app (k, e, w, i; u undoes), checked
against the decision log and what the screen shows."""
from __future__ import annotations

from sqlalchemy import select

from db import corrections
from db.engine import transaction
from db.schema import Decision, Statement
from tests.test_tui_support import DOC_TEXT, TARGETS, seed, settle, sync
from tests.test_tui_annotate import SIZE, current, decisions, make_app
from workbench.tui.screens.span_editor import SpanEditorScreen
from workbench.tui.screens.speaker_picker import SpeakerScreen
from workbench.tui.widgets.statement import SpeakerLine, StatementView

FIRST = "\"The operation achieved all its goals,\""


def shown(app) -> str:
    return str(app.annotate_screen.query_one("#passage").render()), str(app.annotate_screen.query_one(SpeakerLine).render())


@sync
async def test_fix_span_grows_shrinks_and_picks_the_sentence_then_undo(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        item = current(app)
        assert item.text == FIRST
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, SpanEditorScreen)
        await pilot.press("l", "l")  # end: two words later ("said Stanislav")
        assert DOC_TEXT[editor.start:editor.end] == FIRST + " said Stanislav"
        await pilot.press("j")       # end: one word earlier
        await pilot.press("d")       # start: one word later ("operation")
        assert DOC_TEXT[editor.start:editor.end] == "operation achieved all its goals,\" said"
        # live: the editor's passage highlights the span being edited
        passage = editor.query_one("#span-passage").render()
        assert "operation achieved all its goals" in str(passage)
        await pilot.press("s")       # the whole sentence
        sentence = "\"The operation achieved all its goals,\" said Stanislav Zas, the CSTO Secretary General."
        assert DOC_TEXT[editor.start:editor.end] == sentence
        await pilot.press("enter")
        await settle(pilot)
        assert current(app).key == item.key  # the item stays, showing the corrected span
        assert current(app).text == sentence and current(app).corrected == ("span",)
        assert "corrected: span" in shown(app)[1]
        await pilot.press("u")
        await settle(pilot)
        assert current(app).text == FIRST and current(app).corrected == ()
        assert len(app.annotate_screen.buffer) == 1  # the undone item is not queued twice
    log = decisions(engine)
    assert [d.action for d in log] == ["fix_span", "undo"] and log[1].supersedes_id == log[0].id
    assert DOC_TEXT[log[0].corrected_start:log[0].corrected_end] == sentence
    assert log[0].annotator_id is not None and log[0].created_at is not None
    with transaction(engine) as session:  # the extracted statement is never overwritten
        assert session.scalar(select(Statement.text).where(Statement.id == item.key.statement_id)) == FIRST


@sync
async def test_escape_leaves_the_span_as_it_was(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e", "l", "escape")
        await settle(pilot)
        assert current(app).text == FIRST
    assert decisions(engine) == []


@sync
async def test_change_speaker_by_picking_a_person_the_article_names_and_by_typing(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = current(app).key
        await pilot.press("w")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, SpeakerScreen)
        assert [p.speaker for p in picker.people] == ["Stanislav Zas", "Askar Umarov"]
        await pilot.press("down", "enter")
        await settle(pilot)
        assert current(app).key == key
        assert (current(app).speaker, current(app).speaker_role) == ("Askar Umarov", "information minister")
        assert "Askar Umarov" in shown(app)[1] and "corrected: speaker" in shown(app)[1]
        await pilot.press("w")
        await settle(pilot)
        await pilot.press(*"Professor Katrin Vogel", "enter")
        await settle(pilot)
        assert (current(app).speaker, current(app).speaker_role) == ("Katrin Vogel", "Professor")
        await pilot.press("u")  # the newest correction withdrawn: the one before it stands again
        await settle(pilot)
        assert current(app).speaker == "Askar Umarov"
    log = decisions(engine)
    assert [d.action for d in log] == ["fix_speaker", "fix_speaker", "undo"]
    assert log[1].corrected_speaker_id == "katrin-vogel" and log[1].corrected_speaker_type == "expert"


@sync
async def test_not_a_statement_is_done_under_every_target_and_undo_brings_it_back(engine):
    seed(engine, targets=TARGETS)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        assert app.annotate_screen.total == 4
        await pilot.press("k")
        await settle(pilot)
        # the statement's other target is gone from this annotator's queue, not only this item
        assert current(app).key.statement_id != first.statement_id
        assert all(i.key.statement_id != first.statement_id for i in app.annotate_screen.buffer)
        assert "not a statement" in str(app.annotate_screen.query_one("#status").render())
        assert (app.annotate_screen.done, app.annotate_screen.total) == (0, 2)  # both its items left the queue
        await pilot.press("u")
        await settle(pilot)
        assert current(app).key == first
        assert (app.annotate_screen.done, app.annotate_screen.total) == (0, 4)
    log = decisions(engine)
    assert [d.action for d in log] == ["not_statement", "undo"]
    assert (log[0].statement_id, log[0].target_id) == first


@sync
async def test_add_a_missed_statement_with_its_speaker_then_undo(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        key = current(app).key
        await pilot.press("i")
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, SpanEditorScreen)
        # starts at the sentence after the statement; n and p move a sentence at a time
        assert DOC_TEXT[editor.start:editor.end].startswith("\"We never needed")
        await pilot.press("n")
        assert DOC_TEXT[editor.start:editor.end] == "Analysts expect cooperation to continue."
        await pilot.press("p", "p", "p")
        assert DOC_TEXT[editor.start:editor.end] == "Officials said the pace depends on the weather."
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SpeakerScreen)
        await pilot.press(*"Officials", "enter")
        await settle(pilot)
        assert current(app).key == key  # the item on screen stays
        assert app.annotate_screen.total == 3  # the added statement joined the queue
        with transaction(engine) as session:
            added = session.scalars(select(Statement).where(Statement.extractor_version == "annotator")).one()
            assert (added.text, added.speaker) == ("Officials said the pace depends on the weather.", "Officials")
        await pilot.press("u")
        await settle(pilot)
        assert current(app).key == key
    log = decisions(engine)
    assert [d.action for d in log] == ["add_statement", "undo"] and log[0].statement_id == added.id


@sync
async def test_added_statement_joins_the_queue(engine):
    seed(engine)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("i", "n", "enter")
        await settle(pilot)
        await pilot.press(*"An analyst", "enter")
        await settle(pilot)
        texts = []
        for _ in range(4):
            if current(app) is None:
                break
            texts.append(current(app).text)
            await pilot.press("enter")
            await settle(pilot)
    assert "Analysts expect cooperation to continue." in texts


@sync
async def test_adjudicators_not_a_statement_verdict_is_agreed_at_once_and_undo_withdraws_it(engine):
    """`e` in adjudicate (the gold verdict not_a_statement) takes the statement out of every queue."""
    from db.queue import AnnotationQueue
    from db.repository import get_or_create_annotator, list_targets
    from tests.test_tui_corrections_support import disagree
    from workbench.tui.adjudicate_app import AdjudicateApp
    from workbench.tui.adjudicate_backend import AdjudicationBackend

    seed(engine)
    sid = disagree(engine)

    def queued_for(name: str) -> set[int]:
        with transaction(engine) as s:
            who = get_or_create_annotator(s, name)
            queue = AnnotationQueue(who.id, name, [t.id for t in list_targets(s)])
            return {k.statement_id for k in queue.next_keys(s, 50)}

    assert sid in queued_for("carol")
    app = AdjudicateApp(AdjudicationBackend(engine, "judge", "stance"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.adjudicate_screen.current.key[0] == sid
        await pilot.press("e")
        await settle(pilot)
        assert sid not in queued_for("carol")
        with transaction(engine) as s:
            assert corrections.statements_not_a_statement(s) >= {sid}
        await pilot.press("u")
        await settle(pilot)
        assert sid in queued_for("carol")


@sync
async def test_span_editor_keys_follow_the_keymap(engine, tmp_path):
    from tests.test_tui_support import FixedClock, fake_factory
    from workbench.tui.app import AnnotateApp
    from workbench.tui.backend import Backend
    from workbench.tui.keymap import KeymapError, load_keymap

    path = tmp_path / "keymap.toml"
    # x is stance: neutral on the annotation screen; in the span editor it may mean something else
    path.write_text('fix_span = "f5"\n"span.sentence" = "x"\n')
    keymap = load_keymap(path)
    path.write_text('"span.sentence" = "enter"\n')  # a clash inside the span editor is refused
    try:
        load_keymap(path)
        raise AssertionError("the clash was accepted")
    except KeymapError as exc:
        assert "span.save" in str(exc)
    seed(engine)
    app = AnnotateApp(Backend(engine, "alice", predictor_factory=fake_factory()), keymap=keymap, clock=FixedClock())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        editor = app.screen
        assert isinstance(editor, SpanEditorScreen)
        await pilot.press("x")
        assert DOC_TEXT[editor.start:editor.end].endswith("Secretary General.")
        assert "x sentence" in str(editor.query_one(".dialog-hint").render())


@sync
async def test_an_undone_correction_leaves_no_stale_speaker_on_the_statement_under_another_target(engine):
    seed(engine, targets=TARGETS)
    app = make_app(engine)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = current(app).key
        await pilot.press("w")
        await settle(pilot)
        await pilot.press("down", "enter")  # Askar Umarov
        await settle(pilot)
        sibling = next(i for i in app.annotate_screen.buffer if i.key.statement_id == first.statement_id)
        assert sibling.speaker == "Askar Umarov"  # the correction shows under the other target too
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("enter")  # saved: the same statement under the other target comes next
        await settle(pilot)
        assert current(app).key.statement_id == first.statement_id and current(app).key != first
        assert (current(app).speaker, current(app).corrected) == ("Stanislav Zas", ())
