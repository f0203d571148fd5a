"""Snapshots of stories: the article list with a story's row and an opened story, and the story pane's
coverage section (fixed size and clock)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from reader.app import ReaderApp
from reader.core import dates
from reader.core.settings import Settings
from reader.core.state import StateStore

from tests.helpers import settle
from tests.story_corpus import group, write_stories

pytestmark = pytest.mark.stories

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "current_time", lambda: datetime(2021, 3, 10, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_stories(tmp_path / "stories")


def _app(folder: Path) -> ReaderApp:
    state = StateStore(clock=lambda: 1_615_377_600.0)
    return ReaderApp([str(folder)], state=state, settings=Settings(read_after=3600))


def test_story_rows_and_an_opened_story(snap_compare, folder: Path) -> None:
    async def ready(pilot) -> None:
        await group(pilot, folder)
        await pilot.press("end", "space", "up")
        await settle(pilot)

    assert snap_compare(_app(folder), terminal_size=SIZE, run_before=ready)


def test_coverage_section(snap_compare, folder: Path) -> None:
    async def ready(pilot) -> None:
        await group(pilot, folder)
        await pilot.press("down")
        await settle(pilot)
        await pilot.press("enter", "down")
        await settle(pilot)

    assert snap_compare(_app(folder), terminal_size=SIZE, run_before=ready)
