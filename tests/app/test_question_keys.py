"""Enter answers a yes/no question with the answer highlighted (a tester pressed enter in `M`'s question and
nothing happened): yes for marking the list read (u undoes it), no for deleting a saved filter (nothing
undoes that); left and right move between the answers."""

from __future__ import annotations

from pathlib import Path

from reader.app import ReaderApp
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.screens.main import MainScreen
from reader.screens.prompt import ConfirmScreen
from reader.widgets.topics import TopicList

from tests.helpers import SIZE, screen, settle, titles

NEVER = Settings(read_after=3600)


def make_app(library: Path, tmp_path: Path) -> ReaderApp:
    return ReaderApp([str(library)], state=StateStore(str(tmp_path / "state.sqlite3")), settings=NEVER)


async def test_enter_in_the_question_of_M_marks_the_list_read(library: Path, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(screen(app).state.read) == len(titles(app)) == 4
        await pilot.press("u", "M", "right", "enter")  # right: no is highlighted
        await settle(pilot)
        assert isinstance(app.screen, MainScreen) and not screen(app).state.read
        await pilot.press("M", "right", "left", "enter")  # and left: yes again
        await settle(pilot)
        assert len(screen(app).state.read) == 4


async def test_enter_in_the_question_of_a_delete_keeps_the_saved_filter(library: Path, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen(app).state.save_filter("Robots", "robot")
        screen(app).refresh_topics()
        await settle(pilot)
        screen(app).query_one(TopicList).focus()
        await pilot.press("end", "x")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert screen(app).state.saved_filters() == [("Robots", "robot")]
        await pilot.press("x", "left", "enter")
        await settle(pilot)
        assert screen(app).state.saved_filters() == []
