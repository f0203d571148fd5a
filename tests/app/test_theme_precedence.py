"""Which theme the app starts with: the config file's `theme`, else the theme last chosen in the app,
else Textual's default; only a choice made in the app is remembered, so removing `theme` from the
file takes effect."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.app import ReaderApp
from reader.core.settings import Settings, theme_to_use
from reader.core.state import StateStore

from tests.helpers import settle

DEFAULT = ReaderApp([]).theme  # Textual's own default


@pytest.mark.parametrize(
    ("configured", "chosen", "chosen_under", "used"),
    [
        (None, None, None, None),
        ("gruvbox", None, None, "gruvbox"),
        ("gruvbox", "nord", None, "gruvbox"),  # the file wins over a choice in the app
        (None, "nord", None, "nord"),  # no theme in the file: the last choice in the app
        (None, "nord", "", "nord"),  # chosen by an earlier version with no theme in the file
        (None, "nord", "gruvbox", "nord"),  # chosen by an earlier version over the file's gruvbox
        (None, "gruvbox", "gruvbox", None),  # an earlier version remembered the file's theme itself
    ],
)
def test_theme_to_use(configured: str | None, chosen: str | None, chosen_under: str | None,
                      used: str | None) -> None:
    assert theme_to_use(configured, chosen, chosen_under) == used


@pytest.fixture
def state_path(tmp_path: Path) -> str:
    return str(tmp_path / "state.sqlite3")


async def started_theme(library: Path, state_path: str, theme: str | None, choose: str | None = None) -> str:
    """The theme the app starts with, given the file's `theme`; `choose`: a theme then chosen in the app."""
    settings = Settings(read_after=3600, theme=theme)
    app = ReaderApp([str(library)], state=StateStore(state_path), settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        started = app.theme
        if choose is not None:
            app.theme = choose
            await settle(pilot)
    return started


async def test_removing_the_theme_from_the_file_takes_effect(library: Path, state_path: str) -> None:
    assert await started_theme(library, state_path, "gruvbox") == "gruvbox"
    assert DEFAULT != "gruvbox"
    assert await started_theme(library, state_path, None) == DEFAULT  # was gruvbox: the state kept it


async def test_a_theme_chosen_in_the_app_is_remembered_below_the_file(library: Path, state_path: str) -> None:
    await started_theme(library, state_path, "gruvbox", choose="nord")
    assert await started_theme(library, state_path, "gruvbox") == "gruvbox"
    assert await started_theme(library, state_path, None) == "nord"
    assert StateStore(state_path).get_ui("theme") == "nord"


async def test_choosing_over_the_file_says_the_file_wins_next_time(library: Path, state_path: str) -> None:
    settings = Settings(read_after=3600, theme="gruvbox")
    app = ReaderApp([str(library)], state=StateStore(state_path), settings=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.theme = "nord"
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert any("config file's theme (gruvbox) wins at the next start" in m for m in said), said


async def test_a_theme_remembered_from_the_file_by_an_earlier_version_is_dropped(
    library: Path, state_path: str
) -> None:
    old = StateStore(state_path)
    old.set_ui("theme", "gruvbox")
    old.set_ui("theme.configured", "gruvbox")  # what earlier versions wrote at the start
    assert await started_theme(library, state_path, None) == DEFAULT
