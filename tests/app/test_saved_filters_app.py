"""Saved filters in the app under hostile conditions (issue 12): more than the store keeps, names
from an imported file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from textual.pilot import Pilot

from reader.app import ReaderApp
from reader.core.counts import Counts, SavedCount
from reader.core.settings import Settings
from reader.core.state import MAX_SAVED_FILTERS, StateStore
from reader.widgets.status import StatusLine
from reader.widgets.topics import TopicList

from tests.corpus import write_library

SIZE = (140, 40)
NEVER = Settings(read_after=3600)


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the workers are done and their messages handled."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def messages(app: ReaderApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_saving_past_the_limit_says_so(tmp_path: Path) -> None:
    store = StateStore(str(tmp_path / "state.sqlite3"))
    for n in range(MAX_SAVED_FILTERS):
        store.save_filter(f"f{n}", "robot")
    app = ReaderApp([str(write_library(tmp_path / "library"))], state=store, settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"facial", "ctrl+s", *"One more", "enter")
        await settle(pilot)
        refusal = f"Cannot save: at most {MAX_SAVED_FILTERS} filters can be saved: delete one first"
        assert refusal in messages(app)
        assert app.is_running and len(store.saved_filters()) == MAX_SAVED_FILTERS


async def test_the_topic_pane_and_status_line_clean_what_they_are_given(tmp_path: Path) -> None:
    """The store hands out cleaned names; the panes clean again, whatever reaches them."""
    app = ReaderApp([str(write_library(tmp_path / "library"))], state=StateStore(), settings=NEVER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        topics = app.screen.query_one(TopicList)
        topics.show(Counts(saved=[SavedCount("\x1b]0;t\x07Evil", "q", 1, 1), SavedCount("All", "q", 2, 2)]))
        rows = [str(topics.get_option_at_index(i).prompt) for i in range(topics.option_count)]
        assert any(row.startswith("␛]0;t␇Evil ") for row in rows), rows
        assert any(row.startswith("“All” (saved) ") for row in rows), rows
        status = app.screen.query_one(StatusLine)
        status.update("saved: \x1b]52;c;aWQ=\x07 \u202eX\nY")
        assert status.render().plain == "saved: ␛]52;c;aWQ=␇ X Y"


async def test_marking_all_read_says_when_it_is_not_saved(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = StateStore(str(path), wait=0.05)
    app = ReaderApp([str(write_library(tmp_path / "library"))], state=store, settings=NEVER)
    lock = sqlite3.connect(path, isolation_level=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            for _ in range(100):  # the shown story's selection is kept once it has rested: before the lock
                if store.get_ui("selection") is not None:
                    break
                await pilot.pause(0.05)
            lock.execute("BEGIN IMMEDIATE")  # another program holds the write lock (or the disk is full)
            app._notifications.clear()
            await pilot.press("M", "y")
            await settle(pilot)
            marked = [m for m in messages(app) if m.startswith("Marked")]
            assert marked == ["Marked 4 records read, not saved yet (database is locked): kept, and saved as "
                              "soon as the reading state can be written (u to undo)"]
            assert any("cannot be written now (database is locked)" in m for m in messages(app))
            assert len(store.read) == 4 and store.unsaved == 1
            lock.execute("COMMIT")
            store.refresh()
            assert store.unsaved == 0
    finally:
        lock.close()
