"""At 80×24 the highlighted statement is always in view (issue 22 item 15): the passage pane
scrolls to it for every item of the seed article, checked on the rendered screen, and a
snapshot records the first item (whose statement sat below the pane before)."""
from __future__ import annotations

from click.testing import CliRunner

from tests.conftest import SEED
from tests.test_tui_support import FixedClock, fake_factory, settle, sync
from workbench.tui.app import AnnotateApp
from workbench.tui.backend import Backend
from workbench.tui.widgets.statement import StatementView

SMALL = (80, 24)
TARGET = "the CSTO peacekeeping operation in Kazakhstan"


def seed_article(sqlite_url: str) -> None:
    from workbench.cli import cli

    for args in (["ingest", str(SEED)], ["extract"], ["targets", "add", TARGET]):
        result = CliRunner().invoke(cli, [*args, "--db", sqlite_url])
        assert result.exit_code == 0, result.output


def app_for(engine) -> AnnotateApp:
    return AnnotateApp(Backend(engine, "alice", predictor_factory=fake_factory("favor", "neutral")),
                       clock=FixedClock())


def words(text: str) -> str:
    return " ".join(text.split())


def visible_passage(app) -> tuple[str, int]:
    """The text on screen inside the passage pane (borders and scrollbar excluded) and its height."""
    region = app.screen.query_one(StatementView).scrollable_content_region
    strips = app.screen._compositor.render_strips()
    rows = [strips[y].text[region.x:region.right] for y in range(region.y, region.bottom)]
    return words(" ".join(rows)), region.height


@sync
async def test_every_statement_of_the_seed_article_is_in_view_at_80x24(engine, sqlite_url):
    seed_article(sqlite_url)
    app = app_for(engine)
    seen = 0
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        while (item := app.screen.current) is not None:
            visible, height = visible_passage(app)
            assert height >= 3
            statement = words(item.text)
            # the whole statement when it fits the pane (all of the seed's do at 80×24), never less than its start
            assert statement in visible, (seen, item.start, statement, visible)
            seen += 1
            await pilot.press("enter")
            await settle(pilot)
    assert seen >= 30  # every statement of the article, one after another


@sync
async def test_more_context_keeps_the_statement_in_view(engine, sqlite_url):
    seed_article(sqlite_url)
    app = app_for(engine)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        for _ in range(3):
            for _ in range(3):  # ±1, ±2 paragraphs, back to the paragraph alone
                await pilot.press("c")
                await settle(pilot)
                assert words(app.screen.current.text) in visible_passage(app)[0]
            await pilot.press("enter")
            await settle(pilot)


def test_small_terminal_shows_the_first_statement_of_the_seed_article(engine, sqlite_url, snap_compare):
    """The statement of the seed's first item starts in the paragraph's fourth row at 80 columns:
    it used to sit below the pane."""
    seed_article(sqlite_url)
    assert snap_compare(app_for(engine), terminal_size=SMALL, run_before=settle)
