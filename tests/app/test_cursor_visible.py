"""The article list keeps its cursor's row on screen when it gets smaller (a tester at 40x12 saw the cursor
row go off screen): a terminal made smaller, or a story restored from the last run at a row below what a
small terminal shows."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from reader.app import ReaderApp
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.widgets.article_list import ArticleList

from tests.corpus import write_story
from tests.helpers import settle

ROWS = 30


def many(folder: Path) -> Path:
    for day in range(1, ROWS + 1):
        write_story(folder, f"r{day:02d}.md", f"Story number {day} of the month", f"Outlet{day}",
                    f"2024-03-{day:02d}T08:00:00Z")
    return folder


def visible(app: ReaderApp) -> bool:
    articles = app.screen.query_one(ArticleList)
    top, height = articles.scroll_offset.y, articles.scrollable_content_region.height
    return height > 0 and top <= articles.cursor < top + height


async def down(pilot: Pilot[None], times: int) -> None:
    await pilot.press(*["j"] * times)
    await settle(pilot)


async def test_a_smaller_terminal_keeps_the_cursor_row_on_screen(tmp_path: Path) -> None:
    app = ReaderApp([str(many(tmp_path / "news"))], settings=Settings(read_after=3600))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await down(pilot, 12)
        assert app.screen.query_one(ArticleList).cursor == 12 and visible(app)
        await pilot.resize_terminal(40, 12)
        await settle(pilot)
        assert visible(app)
        await down(pilot, 3)
        assert visible(app)


async def test_a_story_restored_below_a_small_terminal_is_on_screen(tmp_path: Path) -> None:
    folder, state = many(tmp_path / "news"), str(tmp_path / "state.sqlite3")
    app = ReaderApp([str(folder)], state=StateStore(state), settings=Settings(read_after=3600))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await down(pilot, 20)
    app = ReaderApp([str(folder)], state=StateStore(state), settings=Settings(read_after=3600))
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(pilot)
        assert app.screen.query_one(ArticleList).cursor == 20
        assert visible(app)
