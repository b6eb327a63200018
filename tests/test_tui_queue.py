"""Queue order, keymap file, guidelines command — the parts around the screen."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from db.decisions import NewDecision, record, undo_last
from db.engine import transaction
from db.errors import StorageError
from db.queue import AnnotationQueue, ItemKey
from db.repository import add_predictions, get_or_create_annotator, PredictionItem
from tests.test_tui_support import FixedClock, fake_factory, seed, settle, sync
from workbench.tui.keymap import KeymapError, load_keymap


def queue_for(engine, name="alice", order="document", blind=False):
    with transaction(engine) as session:
        annotator = get_or_create_annotator(session, name)
    return annotator, AnnotationQueue(annotator.id, name, [1, 2], order, blind)


def keys(engine, queue, n=100):
    with transaction(engine) as session:
        return queue.next_keys(session, n)


def test_document_order_skips_done_and_respects_undo(engine):
    seed(engine, targets=("t one", "t two"), extra_docs=2)
    annotator, queue = queue_for(engine)
    all_keys = keys(engine, queue)
    assert len(all_keys) == 12 and all_keys[0] == ItemKey(1, 1) and all_keys[1] == ItemKey(1, 2)
    with transaction(engine) as session:
        record(session, annotator, NewDecision(1, 1, stance="favor", sentiment="neutral"))
        record(session, annotator, NewDecision(1, 2, action="skip"))
        record(session, annotator, NewDecision(2, 1, stance="favor", sentiment="neutral"))
        undo_last(session, annotator)
    _, fresh = queue_for(engine)
    got = keys(engine, fresh)
    assert ItemKey(1, 1) not in got and ItemKey(2, 1) in got   # undone label is open again
    assert got[-1] == ItemKey(1, 2)                              # the skip comes last
    with transaction(engine) as session:
        assert fresh.progress(session).done == 1 and fresh.progress(session).total == 12


def test_paging_is_stable(engine):
    seed(engine, targets=("t one", "t two"), extra_docs=2)
    _, queue = queue_for(engine)
    pages = []
    with transaction(engine) as session:
        for _ in range(4):
            pages += queue.next_keys(session, 5)
    _, whole = queue_for(engine)
    assert pages == keys(engine, whole)


def test_random_order_is_stable_per_annotator(engine):
    seed(engine, targets=("t one", "t two"), extra_docs=5)
    first = keys(engine, queue_for(engine, order="random")[1])
    again = keys(engine, queue_for(engine, order="random")[1])
    other = keys(engine, queue_for(engine, "bob", order="random")[1])
    assert first == again and sorted(first) == sorted(other) and first != other


def test_uncertainty_order_and_blind(engine):
    seed(engine, targets=("t one",), extra_docs=1)
    with transaction(engine) as session:
        rows = [(PredictionItem(s, 1, "", ""), "favor", {"favor": p, "against": 1 - p, "neutral": 0.0})
                for s, p in ((1, 0.9), (2, 0.55), (3, 0.7))]
        add_predictions(session, "stance", "m", "1", rows)
    annotator, _ = queue_for(engine)
    queue = AnnotationQueue(annotator.id, "alice", [1], "uncertainty")
    assert keys(engine, queue) == [ItemKey(2, 1), ItemKey(3, 1), ItemKey(1, 1), ItemKey(4, 1)]
    with pytest.raises(StorageError):
        AnnotationQueue(annotator.id, "alice", [1], "uncertainty", blind=True)
    blind = AnnotationQueue(annotator.id, "alice", [1], "document", blind=True)
    with transaction(engine) as session:
        items = blind.load(session, blind.next_keys(session, 4))
    assert all(i.stance is None and i.sentiment is None for i in items)


def test_suggestions_name_the_model_version_and_its_precision(engine):
    seed(engine, targets=("t one",), extra_docs=1)
    probs = {"favor": 0.6, "against": 0.3, "neutral": 0.1}
    with transaction(engine) as session:
        add_predictions(session, "stance", "m", "1", [(PredictionItem(1, 1, "", ""), "favor", probs)])
        add_predictions(session, "stance", "m", "2", [(PredictionItem(2, 1, "", ""), "favor", probs)],
                        precision="bf16")
    annotator, _ = queue_for(engine)
    queue = AnnotationQueue(annotator.id, "alice", [1], "document")
    with transaction(engine) as session:
        items = {i.key.statement_id: i for i in queue.load(session, queue.next_keys(session, 4))}
    assert items[1].stance.model == "m 1"  # not recorded: nothing claimed
    assert items[2].stance.model == "m 2 · bf16"


def test_keymap_file(tmp_path, monkeypatch):
    path = tmp_path / "keymap.toml"
    path.write_text('[keys]\n"stance.favor" = "1"\naccept = "space"\n')
    monkeypatch.setenv("WORKBENCH_KEYMAP", str(path))
    assert load_keymap() == {"stance.favor": "1", "accept": "space"}
    path.write_text('"stance.nope" = "1"\n')
    with pytest.raises(KeymapError, match="unknown binding id"):
        load_keymap()
    path.write_text('"stance.favor" = "a"\n')  # a is "against"
    with pytest.raises(KeymapError, match="bound to both"):
        load_keymap()
    # Textual would take any Unicode character name ("banana" is 🍌): the action would be unreachable
    for bad in ("banana", "ctrl+banana", "hyperdrive+x", "enter,", "page_up"):
        path.write_text(f'"stance.favor" = "{bad}"\n')
        with pytest.raises(KeymapError, match="is not a key"):
            load_keymap()
    path.write_text('"stance.favor" = "ctrl+x, f5"\nskip = "é"\nsearch = "slash"\nflag = "#"\nquit = "pageup"\n')
    assert load_keymap()["stance.favor"] == "ctrl+x, f5"


@sync
async def test_remapped_keys_drive_the_screen(engine):
    from sqlalchemy import select

    from db.schema import Decision
    from workbench.tui.app import AnnotateApp
    from workbench.tui.backend import Backend

    seed(engine)
    app = AnnotateApp(Backend(engine, "alice", predictor_factory=fake_factory()),
                      keymap={"stance.neutral": "1", "accept": "space"}, clock=FixedClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("1", "space")
        await settle(pilot)
    with transaction(engine) as session:
        assert session.scalars(select(Decision.stance)).all() == ["neutral"]


def test_guidelines_commands(sqlite_url, tmp_path):
    from workbench.cli import cli

    runner = CliRunner()
    assert runner.invoke(cli, ["init", "--db", sqlite_url]).exit_code == 0
    shown = runner.invoke(cli, ["guidelines", "show", "--db", sqlite_url])
    assert shown.exit_code == 0 and "# Annotation guidelines" in shown.output
    mine = tmp_path / "g.md"
    mine.write_text("# Ours\nLabel carefully.\n")
    assert runner.invoke(cli, ["guidelines", "set", str(mine), "--db", sqlite_url]).exit_code == 0
    assert runner.invoke(cli, ["guidelines", "show", "--db", sqlite_url]).output == "# Ours\nLabel carefully.\n"
    bad = runner.invoke(cli, ["annotate", "--annotator", "a", "--target", "nope", "--db", sqlite_url])
    assert bad.exit_code == 1 and "no such target" in bad.output
    blind = runner.invoke(cli, ["annotate", "--annotator", "a", "--blind", "--order", "uncertainty",
                                "--db", sqlite_url])
    assert blind.exit_code == 1 and "--blind" in blind.output
