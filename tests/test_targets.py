"""Targets: keywords, document scope, relatedness threshold, description shown under the target."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from db.engine import transaction
from db.errors import StorageError
from db.repository import add_target, list_targets
from tests.test_tui_support import FixedClock, fake_factory, seed, settle, sync
from workbench.cli import cli
from workbench.tui.app import AnnotateApp
from workbench.tui.backend import Backend
from workbench.tui.widgets.statement import SpeakerLine


def run(*args, url):
    return CliRunner().invoke(cli, [*args, "--db", url])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_targets_add_stores_aliases_scope_threshold_and_lists_them(backend, engine, request):
    from db.engine import make_engine

    url = str(engine.url) if backend == "sqlite" else request.getfixturevalue("pg_url")
    if backend == "postgres":
        from db.migrate import upgrade
        upgrade(make_engine(url))
    out = run("targets", "add", "the CSTO peacekeeping operation in Kazakhstan", "--alias", "CSTO",
              "--alias", "Collective Security Treaty Organization", "--alias", "CSTO", "--documents", "izvestia-*",
              "--threshold", "0.4", "--description", "the January 2022 deployment", url=url)
    assert out.exit_code == 0, out.output
    with transaction(make_engine(url)) as session:
        [target] = list_targets(session)
        assert target.aliases == ["CSTO", "Collective Security Treaty Organization"]  # duplicates dropped
        assert (target.documents, target.threshold) == ("izvestia-*", 0.4)
    listed = run("targets", "list", url=url)
    assert listed.exit_code == 0
    assert "the CSTO peacekeeping operation in Kazakhstan — the January 2022 deployment" in listed.output
    assert "aliases: CSTO, Collective Security Treaty Organization; documents: izvestia-*; threshold: 0.4" in listed.output


def test_bad_target_options_are_one_line_errors_and_write_nothing(engine):
    url = str(engine.url)
    for args in (["--threshold", "1.5"], ["--alias", "  "], ["--documents", " "]):
        out = CliRunner().invoke(cli, ["targets", "add", "tax cuts", *args, "--db", url])
        assert out.exit_code != 0 and "Traceback" not in out.output, out.output
    with transaction(engine) as session:
        assert list_targets(session) == []
    with transaction(engine) as session, pytest.raises(StorageError, match="between 0 and 1"):
        add_target(session, "tax cuts", threshold=-0.1)


def test_targets_list_prints_user_text_without_control_characters(engine):
    with transaction(engine) as session:
        add_target(session, "tax cuts", description="cuts\x1b[31m to [bold]income[/bold] tax\x07")
    out = run("targets", "list", url=str(engine.url))
    assert "\x1b" not in out.output and "\x07" not in out.output
    assert "[bold]income[/bold]" in out.output  # shown as typed, never parsed as markup


@sync
async def test_the_description_is_shown_under_the_target(engine):
    seed(engine, targets=())
    with transaction(engine) as session:
        add_target(session, "the CSTO peacekeeping operation in Kazakhstan",
                   description="The [b]2022[/b] deployment:\nnot the 1990s one\x1b")
    app = AnnotateApp(Backend(engine, "alice", predictor_factory=fake_factory()), clock=FixedClock())
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        shown = str(app.annotate_screen.query_one(SpeakerLine).render())
    lines = shown.splitlines()
    at = next(i for i, line in enumerate(lines) if "the CSTO peacekeeping operation in Kazakhstan" in line)
    assert "The [b]2022[/b] deployment: not the 1990s one" in lines[at + 1]  # under it, as plain text
    assert "\x1b" not in shown
