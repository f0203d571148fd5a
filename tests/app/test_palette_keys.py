"""The command palette (ctrl+p) shows each command's key, as the keymap setting has it."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette

from reader.app import ReaderApp
from reader.core.settings import Settings
from reader.palette import action_of

from tests.corpus import write_library
from tests.helpers import settle


class Actions:
    def action_sort(self, reverse: bool = False) -> None: ...

    def helper(self) -> None: ...


@pytest.mark.parametrize(
    ("callback", "action"),
    [
        (Actions().action_sort, "sort"),
        (partial(Actions().action_sort, True), "sort(True)"),  # as the binding R names it
        (partial(Actions().action_sort, reverse=True), None),
        (Actions().helper, None),
        (lambda: None, None),
    ],
)
def test_action_of(callback: object, action: str | None) -> None:
    assert action_of(callback) == action  # type: ignore[arg-type]


async def palette_rows(app: ReaderApp, pilot, query: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """The palette's rows (title and key, without the help line) after typing `query`."""
    await pilot.press("ctrl+p", *query)
    for _ in range(200):
        await pilot.pause(0.01)
        if isinstance(app.screen, CommandPalette) and app.screen.query_one(CommandList).option_count:
            break
    await pilot.pause(0.3)  # the palette gathers hits in batches: let the last one land
    options = app.screen.query_one(CommandList).options
    return [str(option.prompt).split("\n")[0] for option in options]


@pytest.mark.parametrize("keymap", [{}, {"main.star": "f", "main.sort": "ctrl+o"}])
async def test_the_palette_shows_each_commands_key(tmp_path: Path, keymap: dict[str, str]) -> None:
    settings = Settings(read_after=3600, keymap=keymap)
    app = ReaderApp([str(write_library(tmp_path / "library"))], settings=settings)
    async with app.run_test(size=(100, 50)) as pilot:
        await settle(pilot)
        rows = await palette_rows(app, pilot)
        star, sort = ("f", "^o") if keymap else ("s", "S")
        for row in ("Filter  /", "Help  ?", "Quit  q", "Topics  t", "Story alone  z", "Mark all read  M",
                    f"Toggle star  {star}", f"Cycle sort order  {sort}", "Reverse sort order  R"):
            assert row in rows, "|".join(rows)
        assert "Theme" in rows  # no key: the title alone


async def test_a_search_shows_the_keys_too(tmp_path: Path) -> None:
    app = ReaderApp([str(write_library(tmp_path / "library"))], settings=Settings(read_after=3600))
    async with app.run_test(size=(100, 40)) as pilot:
        await settle(pilot)
        rows = await palette_rows(app, pilot, "unread")
        assert rows[:2] == ["Next unread  n", "Previous unread  p"], rows
