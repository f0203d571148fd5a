"""The layout by width (reader/screens/layout.py): below 140 columns the topic pane is a drawer (t) and the
story sits under the list at its full width; `z` shows the story alone; escape steps back one level."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.app import ReaderApp
from reader.core.settings import Settings
from reader.widgets.article_list import ArticleList
from reader.widgets.detail import DetailPane
from reader.widgets.story_list import StoryList
from reader.widgets.topics import TopicList

from tests.corpus import write_library
from tests.helpers import screen_text, settle

NEVER = Settings(read_after=3600)


@pytest.fixture
def app(tmp_path: Path) -> ReaderApp:
    return ReaderApp([str(write_library(tmp_path / "library"))], settings=NEVER)


def displayed(app: ReaderApp, selector: str) -> bool:
    widget = app.screen.query_one(selector)
    return widget.display and bool(app.screen.find_widget(widget).region)


async def test_at_80_columns_the_list_and_the_story_take_the_full_width(app: ReaderApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert not displayed(app, "#topics-pane")
        assert app.screen.query_one(ArticleList).size.width >= 76
        assert app.screen.query_one(DetailPane).size.width >= 72  # the text: >= 70 columns
        assert displayed(app, "#detail-pane")


async def test_at_60_columns_the_footer_keeps_help_and_quit_and_the_hint_fits(app: ReaderApp) -> None:
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        *_, bar, footer = screen_text(app).splitlines()
        assert "? Help" in footer and "q Quit" in footer, footer
        assert bar.rstrip().endswith("since:7d …"), bar  # the longest hint that fits, not one cut short


async def test_wide_screens_keep_three_panes(app: ReaderApp) -> None:
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        for pane in ("#topics-pane", "#articles-pane", "#detail-pane"):
            assert displayed(app, pane)
        articles = app.screen.query_one("#articles-pane").region
        assert app.screen.query_one("#detail-pane").region.x >= articles.right  # side by side


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_t_opens_the_topic_pane_and_escape_goes_back(app: ReaderApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.focused, TopicList) and displayed(app, "#topics-pane")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, ArticleList)
        assert displayed(app, "#topics-pane") == (size[0] >= 140)  # the drawer closed when narrow


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_z_shows_the_story_alone_and_escape_goes_back(app: ReaderApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("z")
        await settle(pilot)
        assert not displayed(app, "#articles-pane") and not displayed(app, "#topics-pane")
        assert app.screen.query_one("#detail-pane").region.width == size[0]
        assert isinstance(app.focused, DetailPane)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, ArticleList) and displayed(app, "#articles-pane")


async def test_escape_in_the_related_list_goes_back_to_the_article_list(app: ReaderApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"weau", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.focused, StoryList)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.focused, ArticleList)
        await pilot.press("escape")  # at the top level, escape does nothing (q quits)
        await settle(pilot)
        assert isinstance(app.focused, ArticleList) and app.is_running
