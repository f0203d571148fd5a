"""The footer (reader/widgets/footer.py): whole keys only, `? Help` and `q Quit` always, an ellipsis where
keys were left out, the command palette's key at the right end, at every size."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from reader.app import ReaderApp
from reader.core.settings import Settings
from reader.screens.help import HelpScreen, binding_rows
from reader.screens.prompt import ConfirmScreen
from reader.widgets.footer import MORE, PALETTE_EDGE, ReaderFooter, keys_that_fit

from tests.corpus import write_library
from tests.helpers import screen_text, settle


@pytest.mark.parametrize(
    ("widths", "room", "count"),
    [
        ([8, 8, 10], 26, 3),  # all fit exactly: no ellipsis needed
        ([8, 8, 10], 25, 2),  # the third does not: two, and a cell for the ellipsis
        ([8, 8, 10, 4], 27, 3),  # 26 + the ellipsis fits
        ([8, 8, 10, 4], 26, 2),  # 26 + the ellipsis does not
        ([8, 8, 10], 10, 2),  # the help and quit keys are kept even when they do not fit
        ([], 10, 0),
    ],
)
def test_keys_that_fit(widths: list[int], room: int, count: int) -> None:
    assert keys_that_fit(widths, room) == count


@pytest.fixture
def app(tmp_path: Path) -> ReaderApp:
    return ReaderApp([str(write_library(tmp_path / "library"))], settings=Settings(read_after=3600))


def check_footer(app: ReaderApp) -> str:
    """The footer's line as drawn, checked: the keys from the first, each whole, then the ellipsis when
    some are left out, then the palette's key at the right end."""
    footer = app.screen.query_one(ReaderFooter)
    line = screen_text(app).splitlines()[-1]
    assert len(line) == app.size.width
    keys, edge, palette = line.partition(PALETTE_EDGE)
    assert edge and palette.rstrip() == " ^p palette", line
    drawn = ""
    for item in footer.items:
        if not keys.startswith(drawn + item.text):
            break
        drawn += item.text
    rest = keys[len(drawn):].rstrip()
    assert drawn.count(" ") >= 4 and rest in ("", MORE), f"a key cut short: {line!r}"
    assert (rest == MORE) == (len(drawn) < len("".join(item.text for item in footer.items))), line
    assert drawn.startswith(" ? Help  q Quit "), line
    return line


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 35), (200, 50)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_footer_draws_whole_keys_and_an_ellipsis(app: ReaderApp, size: tuple[int, int]) -> None:
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        line = check_footer(app)
        if size[0] < 140:  # the topic pane is a drawer: its key comes right after help and quit
            assert line.startswith(" ? Help  q Quit  t Topics "), line
        await pilot.press("t")  # the topic pane's keys
        await settle(pilot)
        check_footer(app)
        await pilot.press("escape", "z")  # the story alone
        await settle(pilot)
        check_footer(app)


async def test_at_60_columns_keys_are_left_out_with_an_ellipsis(app: ReaderApp) -> None:
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        line = check_footer(app)
        assert MORE + " " in line  # Textual's footer cut `s Star` to `s ` here, without a sign


async def test_a_very_narrow_footer_keeps_help_and_quit_before_the_palette(app: ReaderApp) -> None:
    async with app.run_test(size=(24, 12)) as pilot:
        await settle(pilot)
        line = screen_text(app).splitlines()[-1]
        assert line.startswith(" ? Help  q Quit "), line
        assert PALETTE_EDGE not in line


async def test_clicking_a_key_presses_it(app: ReaderApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert await pilot.click(ReaderFooter, offset=(2, 0))  # `? Help`
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_the_help_fits_a_60_column_terminal(app: ReaderApp) -> None:
    # The help box was 72 columns wide whatever the terminal: at 60 its lines ran off the screen's
    # edge, cut without an ellipsis ("A sto", "on i").
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        box = app.screen.query_one("VerticalScroll").region
        assert box.x >= 0 and box.right <= 60, box
        assert "from anywhere. A story marked unpublished" in screen_text(app)


async def test_a_question_fits_a_narrow_terminal(app: ReaderApp) -> None:
    async with app.run_test(size=(44, 16)) as pilot:
        await settle(pilot)
        await pilot.press("M")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        box = app.screen.query_one("Vertical").region
        assert box.x >= 0 and box.right <= 44, box  # it was 60 columns whatever the terminal


async def test_at_60_columns_no_help_row_wraps_into_the_key_column(app: ReaderApp) -> None:
    # At 60 columns a key's row (22 columns of keys, 14 of where) left ~20 for its meaning, which
    # wrapped back under the keys ("Related story: follow" / "it"): the meaning goes on its own line.
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = str(app.screen.query_one(Static).render())
        lines = text.splitlines()
        meanings = [what for _, _, what in binding_rows()]
        assert "Quit" in meanings and all("    " + what in lines for what in meanings), text
