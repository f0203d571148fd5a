"""Snapshot tests of the main screen at the sizes people use (60x20, 80x24, 120x35, 200x50): the list as
it first shows, the story's related list focused, and the story alone (z) (fixed clock and reading state)."""

from __future__ import annotations

from datetime import datetime, UTC
from pathlib import Path

import pytest

from reader.app import ReaderApp
from reader.core import dates
from reader.core.settings import Settings
from reader.core.state import StateStore

from tests.corpus import SEED_URL, write_library
from tests.helpers import settle

SIZES = [(60, 20), (80, 24), (120, 35), (200, 50)]


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "current_time", lambda: datetime(2021, 2, 1, 12, 0, tzinfo=UTC))


@pytest.fixture
def app(tmp_path: Path) -> ReaderApp:
    # A fixed path keeps what is shown identical between runs; one story read and one starred, and
    # nothing read by resting on it (a slow machine would otherwise read one before the snapshot).
    state = StateStore(clock=lambda: 1_612_180_800.0)
    state.set_read([SEED_URL])
    state.set_starred("https://example.org/roundup", True)
    return ReaderApp([str(write_library(tmp_path / "library"))], state=state, settings=Settings(read_after=3600))


@pytest.mark.stories  # as a user first sees it: grouped, the seed's story one row with its sources
@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_main_screen_at(snap_compare, app: ReaderApp, size: tuple[int, int]) -> None:
    async def ready(pilot) -> None:
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=ready)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_related_list_focused_at(snap_compare, app: ReaderApp, size: tuple[int, int]) -> None:
    async def related(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"weau", "enter", "enter")
        await settle(pilot)
        await pilot.press("down", "down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=related)


@pytest.mark.parametrize("size", SIZES, ids=lambda size: f"{size[0]}x{size[1]}")
def test_full_screen_story_at(snap_compare, app: ReaderApp, size: tuple[int, int]) -> None:
    async def reading(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"weau", "enter", "z")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=reading)
