"""Snapshot tests of the main screen, a related story's detail and the help screen (fixed size and clock)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from reader.app import ReaderApp
from reader.core import dates
from reader.core.settings import Settings
from reader.core.state import StateStore

from tests.corpus import SEED_URL, write_library
from tests.helpers import settle

SIZE = (120, 36)


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "current_time", lambda: datetime(2021, 2, 1, 12, 0, tzinfo=timezone.utc))


@pytest.fixture
def app(tmp_path: Path) -> ReaderApp:
    # A fixed path keeps the problems count and any path shown identical between runs. The reading
    # state is set here (one story read, one starred) and nothing is read by resting on it: a slow
    # machine would otherwise read the first story before the snapshot is taken.
    state = StateStore(clock=lambda: 1_612_180_800.0)
    state.set_read([SEED_URL])
    state.set_starred("https://example.org/roundup", True)
    return ReaderApp([str(write_library(tmp_path / "library"))], state=state, settings=Settings(read_after=3600))


def test_main_screen(snap_compare, app: ReaderApp) -> None:
    async def ready(pilot) -> None:
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_related_story_detail(snap_compare, app: ReaderApp) -> None:
    async def follow(pilot) -> None:
        await settle(pilot)
        await pilot.press("slash", *"weau", "enter", "enter", "enter")
        await settle(pilot)

    assert snap_compare(app, terminal_size=SIZE, run_before=follow)


def test_help_screen(snap_compare, app: ReaderApp) -> None:
    async def help_screen(pilot) -> None:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=help_screen)
