"""The sort order in the app: S goes to the top of the new order, R reverses it, and the order is kept for
the next start."""

from __future__ import annotations

from pathlib import Path

from reader.app import ReaderApp
from reader.core.settings import Settings
from reader.core.sorting import sort_summaries
from reader.core.state import StateStore
from reader.widgets.article_list import ArticleList

from tests.helpers import settle, status

SIZE = (80, 24)
NEVER = Settings(read_after=3600)


async def test_s_goes_to_the_top_r_reverses_and_the_order_is_kept(library: Path, tmp_path: Path) -> None:
    state_path = str(tmp_path / "state.sqlite3")
    app = ReaderApp([str(library)], state=StateStore(state_path), settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = app.screen.query_one(ArticleList)
        await pilot.press("j", "j")
        await settle(pilot)
        assert articles.cursor == 2
        await pilot.press("S")  # oldest: the top of the new order, not the story the cursor was on
        await settle(pilot)
        rows = list(articles.summaries)
        assert articles.cursor == 0 and articles.highlighted == rows[0]
        assert rows == sort_summaries(rows, "oldest") and "sort: oldest" in status(app)
        await pilot.press("S")  # heat
        await settle(pilot)
        assert list(articles.summaries) == sort_summaries(rows, "heat")
        await pilot.press("R")  # heat, lowest first
        await settle(pilot)
        assert list(articles.summaries) == sort_summaries(rows, "-heat") != sort_summaries(rows, "heat")
        assert articles.cursor == 0 and "sort: heat, lowest first" in status(app)
        await pilot.press("q")
    app.state.close()
    again = ReaderApp([str(library)], state=StateStore(state_path), settings=NEVER)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        articles = again.screen.query_one(ArticleList)
        assert list(articles.summaries) == sort_summaries(rows, "-heat") and articles.order == "-heat"
        assert "sort: heat, lowest first" in status(again)
