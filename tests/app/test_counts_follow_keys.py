"""The unread count in the status line follows `m` and `u` at once: a tester saw it lag a mark by up to
~2 s (the count waited for a pause in the reading state's changes). Here the pause never ends: the
counts' clock is a FakeClock the test does not move, so only a count made at once can show."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from reader.app import ReaderApp
from reader.control.counting import COUNT_DELAY
from reader.core.settings import Settings
from reader.core.state import StateStore

from tests.fakes import FakeClock
from tests.helpers import SIZE, screen, settle, status


async def handled(pilot: Pilot[None]) -> None:
    """Wait for the workers and their messages (not for timers: the counts' clock stands still)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_m_and_u_update_the_unread_count_at_once(library: Path, tmp_path: Path) -> None:
    app = ReaderApp([str(library)], state=StateStore(str(tmp_path / "state.sqlite3")),
                    settings=Settings(read_after=3600))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert status(app).startswith("4 unread")
        clock = screen(app).topic_counts._scheduler = FakeClock()  # moves only when the test moves it
        await pilot.press("m")
        await handled(pilot)
        assert status(app).startswith("3 unread")
        clock.advance(COUNT_DELAY)  # a key a moment later (one within the delay waits for a burst's end)
        await pilot.press("u")
        await handled(pilot)
        assert status(app).startswith("4 unread")
