"""A story the list puts under the cursor is shown but not read by resting on it (a tester found that `S`
and a deleted file each left the cursor on a story that the read timer then marked read, though the user
never chose it). It is read once the user moves to it, presses enter on it or opens it."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from reader.core.record import Summary
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.widgets.article_list import ArticleList

from tests.helpers import SIZE, ClockedApp, screen, settle, shown_title

LATER = 1.0
"""Far past the read_after of these tests (0.3 s) on the app's fake clock."""


def make_app(library: Path, tmp_path: Path) -> ClockedApp:
    return ClockedApp([str(library)], state=StateStore(str(tmp_path / "state.sqlite3")),
                      settings=Settings(read_after=0.3))


def under_cursor(app: ClockedApp) -> Summary:
    summary = app.screen.query_one(ArticleList).highlighted
    assert summary is not None
    return summary


def is_read(app: ClockedApp, summary: Summary) -> bool:
    return screen(app).reading.is_read(summary)


async def later(app: ClockedApp, pilot: Pilot[None]) -> None:
    app.clock.advance(LATER)
    await settle(pilot)


async def test_a_new_order_does_not_read_the_story_it_puts_under_the_cursor(library: Path, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        chosen = under_cursor(app)
        await pilot.press("S")  # by the next order: another story on top
        await settle(pilot)
        placed = under_cursor(app)
        assert placed.path != chosen.path and shown_title(app) == placed.title
        await later(app, pilot)
        assert not is_read(app, placed) and not is_read(app, chosen)
        await pilot.press("j", "k")  # the user moves back to it
        await settle(pilot)
        assert under_cursor(app) is placed
        await later(app, pilot)
        assert is_read(app, placed)


async def test_enter_on_a_story_the_list_put_there_reads_it(library: Path, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j", "S")
        await settle(pilot)
        placed = under_cursor(app)
        await later(app, pilot)
        assert not is_read(app, placed)
        await pilot.press("enter")
        await settle(pilot)
        await later(app, pilot)
        assert is_read(app, placed)


async def test_a_deleted_story_does_not_read_the_one_that_takes_its_place(library: Path, tmp_path: Path) -> None:
    app = make_app(library, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        chosen = under_cursor(app)
        await later(app, pilot)
        assert is_read(app, chosen)  # rested on: read
        Path(chosen.path).unlink()
        await pilot.press("r")
        await settle(pilot)
        placed = under_cursor(app)
        assert placed.path != chosen.path and shown_title(app) == placed.title
        await later(app, pilot)
        assert not is_read(app, placed)
