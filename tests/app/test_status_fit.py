"""The status line fits 80 columns with a saved view (a tester's was cut at the right edge): the least
useful parts give way first, the unread count and the view's name last."""

from __future__ import annotations

from pathlib import Path

from reader.app import ReaderApp
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.widgets.status import StatusLine
from reader.widgets.topics import TopicList

from tests.helpers import screen, settle

NAME = "Machine learning this week"


def status_row(app: ReaderApp) -> str:
    status = app.screen.query_one(StatusLine)
    return "".join(segment.text for segment in status.render_lines(status.region.reset_offset)[0])


async def test_a_saved_view_s_status_line_fits_80_columns(library: Path, tmp_path: Path) -> None:
    store = StateStore(str(tmp_path / "state.sqlite3"))
    store.save_filter(NAME, "robot")
    app = ReaderApp([str(library)], state=store, settings=Settings(read_after=3600))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen(app).query_one(TopicList).focus()
        await pilot.press("end")  # the saved filter, under the topics
        await settle(pilot)
        row = status_row(app)
        assert len(row) == 80 and "…" not in row, row
        assert row.strip().startswith("4 unread") and f"saved: {NAME}" in row and "1 problem" in row, row
        await pilot.resize_terminal(60, 24)  # narrower: the name gives way, and the line still fits
        await settle(pilot)
        row = status_row(app)
        assert len(row) == 60 and row.strip().startswith("4 unread · saved: Machine"), row
        assert row.rstrip().endswith("1 problem (!)"), row  # the problems are still there, in short
