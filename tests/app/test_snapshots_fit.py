"""Snapshot at 60x20 of a saved filter restored at the start narrowing a search to nothing: the view in the
filter bar, the empty list's message naming it, and the footer's whole keys and ellipsis."""

from __future__ import annotations

from datetime import datetime, UTC
from pathlib import Path

import pytest

from reader.app import ReaderApp
from reader.core import dates
from reader.core.settings import Settings
from reader.core.state import StateStore

from tests.corpus import write_library
from tests.helpers import settle


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dates, "current_time", lambda: datetime(2021, 2, 1, 12, 0, tzinfo=UTC))


def test_a_restored_saved_filter_that_matches_nothing_at_60x20(snap_compare, tmp_path: Path) -> None:
    state = StateStore(clock=lambda: 1_612_180_800.0)
    state.save_filter("Robots", "robot")
    state.set_ui("topic", "=Robots")
    state.set_ui("filter", "minneapolis")
    app = ReaderApp([str(write_library(tmp_path / "library"))], state=state, settings=Settings(read_after=3600))

    async def ready(pilot) -> None:  # type: ignore[no-untyped-def]
        await settle(pilot)

    assert snap_compare(app, terminal_size=(60, 20), run_before=ready)
