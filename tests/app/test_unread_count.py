"""One unread count everywhere: the status line's, the question `M` asks and what it says it marked,
whatever the folder holds (one story in two files, unpublished records, a broken file) and whether
unpublished records are listed."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from textual.widgets import Static

from reader.app import ReaderApp
from reader.core.counts import count, unread_records
from reader.core.settings import Settings
from reader.core.state import StateStore
from reader.screens.prompt import ConfirmScreen

from tests.corpus import SEED_URL, write_library
from tests.fakes import summary
from tests.helpers import screen, screen_text, settle, status


def unread_in_status(app: ReaderApp) -> int:
    found = re.match(r"([\d,]+) unread", status(app))
    assert found is not None, status(app)
    return int(found.group(1).replace(",", ""))


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = write_library(tmp_path / "library")  # the seed is unpublished, broken.md a problem
    shutil.copy(folder / "fox.md", folder / "fox-again.md")  # one story, two files (one URL)
    return folder


@pytest.mark.parametrize("show_unpublished", [True, False])
async def test_m_asks_about_the_unread_count_the_status_line_shows(
    library: Path, tmp_path: Path, show_unpublished: bool
) -> None:
    state = StateStore(str(tmp_path / "state.sqlite3"))
    state.set_read([SEED_URL])  # read before: counted nowhere
    settings = Settings(read_after=3600, show_unpublished=show_unpublished)
    app = ReaderApp([str(library)], state=state, settings=settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        unread = unread_in_status(app)
        assert unread == 4  # roundup, old, and fox in two files (the seed is read or not listed)
        assert unread == len(unread_records(screen(app).listing.matching, state.read))
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query(Static).first().render())
        assert question == f"Mark {unread} unread records in this list read?"
        await pilot.press("y")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert f"Marked {unread} records read (u to undo)" in said, said
        assert unread_in_status(app) == 0


def test_the_topic_counts_count_unread_records_as_unread_records_does() -> None:
    a = summary("a.md", url="https://example.org/a", topics=("AI",))
    copy = summary("a-copy.md", url="https://example.org/a", topics=("AI",))
    b = summary("b.md", topics=("AI",), published=False)
    c = summary("c.md", topics=("Robots",))
    rows, read = [a, copy, b, c], {"https://example.org/c": 1.0}
    for listed in (None, lambda s: s.published):
        shown = [s for s in rows if listed is None or listed(s)]
        counts = count(rows, _State(read), listed=listed)
        assert counts.unread == len(unread_records(shown, read))
        assert counts.read == len(shown) - counts.unread


class _State:
    """The reading state's two sets, as the counter reads them."""

    def __init__(self, read: dict[str, float]) -> None:
        self.read = read
        self.starred: frozenset[str] = frozenset()


@pytest.mark.stories
async def test_m_on_a_grouped_list_asks_about_the_unread_stories_the_status_line_shows(
    library: Path, tmp_path: Path
) -> None:
    state = StateStore(str(tmp_path / "state.sqlite3"))
    app = ReaderApp([str(library)], state=state, settings=Settings(read_after=3600))
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "showing 3 stories" in screen_text(app)  # the seed and Fox 9's records: one story
        unread = unread_in_status(app)
        assert unread == 3
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query(Static).first().render())
        assert question == f"Mark {unread} unread stories (5 records) in this list read?"
        await pilot.press("y")
        await settle(pilot)
        assert unread_in_status(app) == 0
