"""The view that narrows the list (a topic, a saved filter, starred, recently read) is shown where the
query is typed, and the empty list says which view narrows it and how to search every record: a saved
filter restored at the start used to narrow every search with "No record matches." as the only word."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from reader.app import ReaderApp
from reader.control.choice import Choice
from reader.control.filtering import FilterRuns
from reader.control.status import empty_message
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.widgets.filter_bar import FilterBar, FilterInput

from tests.corpus import write_library

FOX_TITLE = "Proposed ban on facial recognition technology moves forward in Minneapolis"
from tests.fakes import library_of
from tests.helpers import screen_text, settle, shown, titles


EVERYTHING = " To search every record, press t and choose All."


@pytest.mark.parametrize(
    ("choice", "typed", "said"),
    [
        (Choice("all"), "zzz", "No record matches."),
        (Choice("topic", "AI"), "zzz", "No record matches 'zzz' in the topic 'AI'." + EVERYTHING),
        (Choice("saved", "Mine", "robot"), "facial",
         "No record matches 'facial' in the saved filter 'Mine'." + EVERYTHING),
        (Choice("starred"), "", "No record among the starred records." + EVERYTHING),
        (Choice("recent"), "x", "No record matches 'x' among the records read recently." + EVERYTHING),
        # a name from an imported state file: never raw to the terminal
        (Choice("saved", "\x1b[31mred"), "", "No record in the saved filter '\u241b[31mred'." + EVERYTHING),
    ],
)
def test_empty_message_names_the_view(choice: Choice, typed: str, said: str) -> None:
    state = StateStore()
    listing = FilterRuns(library_of([]), state, show_unpublished=True, load_finished=lambda: True)
    listing.choice = choice
    listing.take_typed(typed)
    assert empty_message(listing, loading=False) == said
    assert empty_message(listing, loading=True) == "Loading…"


def bar_line(app: ReaderApp) -> str:
    """The filter bar's line as drawn."""
    return screen_text(app).splitlines()[-2]


@pytest.fixture
def restored(tmp_path: Path) -> ReaderApp:
    """The app as it starts after a run that ended in the saved filter Mine (robot)."""
    state = StateStore(str(tmp_path / "state.sqlite3"))
    state.save_filter("Mine", "robot")
    state.set_ui("topic", "=Mine")
    settings = Settings(read_after=3600)
    return ReaderApp([str(write_library(tmp_path / "library"))], state=state, settings=settings)


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_a_restored_saved_filter_shows_in_the_bar_and_in_the_empty_list(
    restored: ReaderApp, size: tuple[int, int]
) -> None:
    app = restored
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert len(titles(app)) == 2  # the two robotics stories
        assert bar_line(app).startswith(" saved: Mine / "), bar_line(app)
        assert "to filter within it" in bar_line(app) and "t, " in bar_line(app), bar_line(app)
        await pilot.press("slash", *"minneapolis", "enter")
        await settle(pilot)
        assert titles(app) == []
        assert bar_line(app).startswith(" saved: Mine / minneapolis"), bar_line(app)
        said = shown(app)
        assert said == "No record matches 'minneapolis' in the saved filter 'Mine'." + EVERYTHING, said
        await pilot.press("t", "home", "escape")  # what the message says: t, then All
        await settle(pilot)
        assert FOX_TITLE in titles(app)  # in every record
        assert bar_line(app).startswith(" / minneapolis"), bar_line(app)


async def test_a_long_view_name_is_cut_with_an_ellipsis(tmp_path: Path) -> None:
    state = StateStore(str(tmp_path / "state.sqlite3"))
    name = "Robots and other machines that people build"
    state.save_filter(name, "robot")
    state.set_ui("topic", "=" + name)
    settings = Settings(read_after=3600)
    app = ReaderApp([str(write_library(tmp_path / "library"))], state=state, settings=settings)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        label = str(app.screen.query_one("#filter-label", Static).render())
        assert label.startswith("saved: Robots") and label.endswith("… /") and len(label) <= 24, label
        field = app.screen.query_one(FilterBar).query_one(FilterInput)
        assert bar_line(app).rstrip().endswith(field.placeholder), bar_line(app)  # the hint is whole
